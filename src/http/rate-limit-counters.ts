import { createHash } from 'node:crypto';
import type { Database } from '../db/database.ts';

/**
 * `exact`: every hit is one statement on the shared table, so a limit holds to the request across
 * api processes (sign-up, password checks). `batched`: hits are counted in memory and added to the
 * table once a second, so a hot path (webhooks, API calls) pays no database round trip; across
 * processes a limit may be passed by what the others counted in the last second.
 */
export type CountingMode = 'exact' | 'batched';

export type Count = { current: number; ttl: number };

type Local = { storedKey: string; pending: number; inFlight: number; known: number; expiresAt: number; windowMs: number };

const FLUSH_INTERVAL_MS = 1_000;
const SWEEP_INTERVAL_MS = 60_000;
/** Keys held in memory by batched limiters; the oldest go first (an attacker can mint keys). */
const MAX_LOCAL_KEYS = 20_000;

// First hit of a window sets its end; later hits add to it until then (database clock).
const UPSERT = `
  insert into rate_limits as r (key, hits, expires_at)
  select key, hits, now() + window_ms * interval '1 millisecond'
  from unnest($1::text[], $2::int[], $3::float8[]) as t(key, hits, window_ms)
  on conflict (key) do update set
    hits = case when r.expires_at > now() then r.hits + excluded.hits else excluded.hits end,
    expires_at = case when r.expires_at > now() then r.expires_at else excluded.expires_at end
  returning key, hits, extract(epoch from (expires_at - now())) * 1000 as ttl_ms`;

type UpsertRow = { key: string; hits: number; ttl_ms: number | string };

/** The stored key: the limiter's name and a hash of the counted value (no address or id at rest). */
export const storedKey = (limiter: string, value: string): string =>
  `${limiter}:${createHash('sha256').update(value).digest('base64url').slice(0, 27)}`;

export class RateLimitCounters {
  private readonly local = new Map<string, Local>();
  private readonly timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    const flush = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    const sweep = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    flush.unref();
    sweep.unref();
    this.timers.push(flush, sweep);
  }

  /** Counts one hit of `value` for `limiter` and answers the count in the current window. */
  async hit(limiter: string, value: string, windowMs: number, mode: CountingMode): Promise<Count> {
    if (mode === 'batched') return this.hitLocally(limiter, value, windowMs);
    const [row] = await this.database.query<UpsertRow>(UPSERT, [[storedKey(limiter, value)], [1], [windowMs]], { isPrepared: true });

    return { current: Number(row?.hits ?? 1), ttl: Math.max(0, Math.round(Number(row?.ttl_ms ?? windowMs))) };
  }

  private hitLocally(limiter: string, value: string, windowMs: number): Count {
    const now = Date.now();
    const key = `${limiter}\u0000${value}`;
    let entry = this.local.get(key);
    if (!entry || entry.expiresAt <= now) {
      // Hashed once per window, not per hit.
      entry = { storedKey: storedKey(limiter, value), pending: 0, inFlight: 0, known: 0, expiresAt: now + windowMs, windowMs };
      this.local.delete(key);
      this.local.set(key, entry);
      if (this.local.size > MAX_LOCAL_KEYS) this.evict(now);
    }
    entry.pending += 1;

    return { current: entry.known + entry.inFlight + entry.pending, ttl: entry.expiresAt - now };
  }

  private evict(now: number): void {
    for (const [key, entry] of this.local) if (entry.expiresAt <= now) this.local.delete(key);
    for (const key of this.local.keys()) {
      if (this.local.size <= MAX_LOCAL_KEYS) break;
      this.local.delete(key);
    }
  }

  /** Adds the hits counted here since the last flush to the shared table and learns the totals. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = null;
    });

    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const batch: [string, Local][] = [];
    for (const [key, entry] of this.local) {
      if (entry.pending === 0) continue;
      entry.inFlight += entry.pending;
      entry.pending = 0;
      batch.push([key, entry]);
    }
    const byStoredKey = new Map(batch.map(([key, entry]) => [entry.storedKey, [key, entry] as const]));
    if (batch.length === 0) return;
    try {
      const rows = await this.database.query<UpsertRow>(
        UPSERT,
        [batch.map(([, entry]) => entry.storedKey), batch.map(([, entry]) => entry.inFlight), batch.map(([, entry]) => entry.windowMs)],
        { isPrepared: true },
      );
      const now = Date.now();
      for (const row of rows) {
        const [key, entry] = byStoredKey.get(row.key) ?? [];
        // A window that ended here while the statement ran has a new entry: leave it alone.
        if (!key || !entry || this.local.get(key) !== entry) continue;
        entry.known = Number(row.hits);
        entry.inFlight = 0;
        entry.expiresAt = now + Math.max(0, Number(row.ttl_ms));
      }
    } catch (error) {
      // Counted again with the next flush.
      for (const [, entry] of batch) {
        entry.pending += entry.inFlight;
        entry.inFlight = 0;
      }
      this.onError(error);
    }
  }

  /** Deletes windows that ended (any api process may; they all agree on what ended). */
  async sweep(): Promise<number> {
    try {
      const rows = await this.database.query("delete from rate_limits where expires_at < now() - interval '1 minute' returning 1");
      return rows.length;
    } catch (error) {
      this.onError(error);
      return 0;
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.flush();
  }
}

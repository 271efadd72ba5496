import { ACCESS_REVOKED_CHANNEL, hashSessionToken, RevocationSchema, type Revocation } from '../accounts/access-revocation.ts';
import type { Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Principal } from './app.ts';

type Stream = { id: string; accountId: string; apiKeyId: string | null; sessionToken: string | null; sessionTokenHash: string | null; close: () => void };

/** Checked again this often, for ways access ends that send no notice (a password reset ending every session, expiry). */
const RECHECK_INTERVAL_MS = 15_000;
/** A stream's row outlives three missed renewals, then no longer counts (its process died). */
const STREAM_ROW_SECONDS = 45;

/**
 * The live connections (SSE order streams) of this api process, each closed as soon as the API key
 * or session that opened it stops working. At most `maxPerAccount` are open per account across all
 * api processes: each stream is a row of live_streams, counted under a per-account lock.
 */
export class LiveStreams {
  private readonly streams = new Set<Stream>();
  private stopListening: (() => Promise<void>) | null = null;
  private starting: Promise<void> | null = null;
  private recheck: NodeJS.Timeout | null = null;

  constructor(
    private readonly database: Database,
    private readonly maxPerAccount: number,
  ) {}

  /** Registers a stream, or throws 429 `too_many_streams`; resolves to the function that forgets it. */
  async admit(principal: Principal, close: () => void): Promise<() => void> {
    const id = newId('liveStream');
    await this.database.transaction(async (transaction) => {
      await transaction.query('select pg_advisory_xact_lock(hashtext($1))', [`live_streams:${principal.accountId}`]);
      const [row] = await transaction.query<{ open: string }>('select count(*) as open from live_streams where account_id = $1 and expires_at > now()', [principal.accountId]);
      const open = Number(row?.open ?? 0);
      if (open >= this.maxPerAccount) {
        throw new AppError('too_many_streams', {
          message: `this account already has ${open} live order streams open, the most allowed (${this.maxPerAccount}); close one first`,
          details: { limit: this.maxPerAccount },
        });
      }
      await transaction.query('delete from live_streams where account_id = $1 and expires_at <= now()', [principal.accountId]);
      await transaction.query(`insert into live_streams (id, account_id, expires_at) values ($1, $2, now() + interval '${STREAM_ROW_SECONDS} seconds')`, [id, principal.accountId]);
    });
    await this.start();
    const stream: Stream = {
      id,
      accountId: principal.accountId,
      apiKeyId: principal.apiKeyId,
      sessionToken: principal.sessionToken,
      sessionTokenHash: principal.sessionToken ? hashSessionToken(principal.sessionToken) : null,
      close,
    };
    this.streams.add(stream);

    return () => {
      this.forget(stream);
    };
  }

  private start(): Promise<void> {
    this.starting ??= this.database
      .listen(ACCESS_REVOKED_CHANNEL, (payload) => {
        const parsed = RevocationSchema.safeParse(safeJson(payload));
        if (parsed.success) this.revoke(parsed.data);
      })
      .then((stop) => {
        this.stopListening = stop;
        this.recheck = setInterval(() => void this.recheckAll(), RECHECK_INTERVAL_MS);
        this.recheck.unref();
      });

    return this.starting;
  }

  private revoke(revocation: Revocation): void {
    for (const stream of [...this.streams]) {
      const matches =
        ('apiKeyId' in revocation && stream.apiKeyId === revocation.apiKeyId) ||
        ('sessionTokenHash' in revocation && stream.sessionTokenHash === revocation.sessionTokenHash) ||
        ('accountId' in revocation && stream.accountId === revocation.accountId);
      if (matches) this.end(stream);
    }
  }

  private end(stream: Stream): void {
    this.forget(stream);
    stream.close();
  }

  private forget(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    // Left behind while the database is away: the row expires by itself.
    void this.database.query('delete from live_streams where id = $1', [stream.id]).catch(() => undefined);
  }

  /** Closes streams whose key was revoked or whose session ended without a notice reaching us. */
  private async recheckAll(): Promise<void> {
    const open = [...this.streams];
    if (open.length === 0) return;
    const keyIds = open.flatMap((stream) => (stream.apiKeyId ? [stream.apiKeyId] : []));
    const tokens = open.flatMap((stream) => (stream.sessionToken ? [stream.sessionToken] : []));
    try {
      const liveKeys = new Set(
        (await this.database.query<{ id: string }>('select id from api_keys where id = any($1::text[]) and revoked_at is null', [keyIds])).map((row) => row.id),
      );
      const liveSessions = new Set(
        (await this.database.query<{ token: string }>('select token from auth_sessions where token = any($1::text[]) and expires_at > now()', [tokens])).map((row) => row.token),
      );
      for (const stream of open) {
        const isLive = stream.apiKeyId ? liveKeys.has(stream.apiKeyId) : stream.sessionToken !== null && liveSessions.has(stream.sessionToken);
        if (!isLive) this.end(stream);
      }
      const kept = [...this.streams].map((stream) => stream.id);
      await this.database.query(`update live_streams set expires_at = now() + interval '${STREAM_ROW_SECONDS} seconds' where id = any($1::text[])`, [kept]);
    } catch {
      // The database is away: check again next time rather than cut every stream.
    }
  }

  async close(): Promise<void> {
    if (this.recheck) clearInterval(this.recheck);
    for (const stream of [...this.streams]) this.end(stream);
    await this.stopListening?.();
  }
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

import { isAppError } from '../errors.ts';
import { databaseUnavailable, isDatabaseBusy, isDatabaseConnectionError, mapConnectionError } from './connection-errors.ts';

export type AvailabilityChange = { isAvailable: false; error: unknown } | { isAvailable: true; downForMs: number };

export type AvailabilityOptions = {
  /** A cheap statement (`select 1`) run while the database is away, to notice its return without traffic. */
  probe: () => Promise<void>;
  probeIntervalMs?: number;
};

/**
 * Whether this process can reach its database, as its own connections saw last. A process learns
 * of an outage from many places at once (every pooled client, the LISTEN clients, the queue's
 * polls): this turns them into one change when it goes and one when it comes back, so an outage
 * is logged once, not once per failed statement. While it is away a probe runs every few seconds,
 * so the return is noticed (and said) even by a process that has nothing else to do.
 */
export class DatabaseAvailability {
  private available = true;
  private downSince = 0;
  private probeTimer: NodeJS.Timeout | null = null;
  private readonly listeners: ((change: AvailabilityChange) => void)[] = [];
  private readonly probe: () => Promise<void>;
  private readonly probeIntervalMs: number;
  private isClosed = false;

  constructor(options: AvailabilityOptions) {
    this.probe = options.probe;
    this.probeIntervalMs = options.probeIntervalMs ?? 2_000;
  }

  get isAvailable(): boolean {
    return this.available;
  }

  /** Calls `listener` on each change (available → unavailable → available). */
  onChange(listener: (change: AvailabilityChange) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Tells of a failure; only a lost or refused connection counts: a refused statement says the
   * database is there, and a full pool or max_connections that it is busy (load, not an outage).
   */
  reportFailure(error: unknown): void {
    if (!isDatabaseConnectionError(error) || isDatabaseBusy(error) || !this.available || this.isClosed) return;
    this.available = false;
    this.downSince = Date.now();
    this.emit({ isAvailable: false, error });
    this.scheduleProbe();
  }

  /** Tells of a statement that reached the database. */
  reportSuccess(): void {
    if (this.available) return;
    this.available = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    this.emit({ isAvailable: true, downForMs: Date.now() - this.downSince });
  }

  close(): void {
    this.isClosed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private scheduleProbe(): void {
    if (this.probeTimer || this.isClosed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.probe().then(
        () => this.reportSuccess(),
        () => {
          if (!this.available) this.scheduleProbe();
        },
      );
    }, this.probeIntervalMs);
    this.probeTimer.unref();
  }

  private emit(change: AvailabilityChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener (a log line) must never turn a database outage into a crash.
      }
    }
  }
}

/**
 * Whether the database is why `error` happened, when the error itself cannot say (better-auth
 * answers a bare 500, a library wraps the driver's error without its cause): for an unexpected
 * failure on PostgreSQL, one `select 1` asks. Returns `database_unavailable` when it is, else the
 * error unchanged. Runs only on failures, never on the way of a success. Takes the two members it
 * uses, not a Database: database.ts creates the availability and is not imported back (no cycle).
 */
export const diagnoseFailure = async (
  database: { kind: 'pglite' | 'postgres'; query(text: string): Promise<unknown> },
  error: unknown,
): Promise<unknown> => {
  const mapped = mapConnectionError(error);
  if (mapped !== error || database.kind !== 'postgres') return mapped;
  if (isAppError(error) && error.status < 500) return error;
  try {
    await database.query('select 1');

    return error;
  } catch (probeError) {
    return isDatabaseConnectionError(probeError) ? databaseUnavailable(error) : error;
  }
};

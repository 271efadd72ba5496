import { isDatabaseConnectionError } from '../db/connection-errors.ts';
import type { Logger } from '../logger.ts';
import { tracing } from '../telemetry/tracing.ts';
import { ingestOrders, type IngestDependencies, type IngestRequest, type IngestResult } from '../orders/ingest-order.ts';

export type IngestBatcherOptions = IngestDependencies & {
  logger: Logger;
  /** Most orders written by one transaction. */
  maxBatchSize?: number;
  /** How long the first order of a batch waits for others to join it, in milliseconds. */
  maxWaitMs?: number;
  /** Batches written at the same time; each holds one database connection while it runs. */
  maxConcurrentBatches?: number;
};

type Waiting = { request: IngestRequest; resolve: (result: IngestResult) => void; reject: (error: unknown) => void };

export const DEFAULT_MAX_BATCH_SIZE = 64;
export const DEFAULT_MAX_WAIT_MS = 2;
// One batch at a time: under load the next batch fills while the current one commits, so batches
// grow with the load and each order costs fewer statements (measured: less CPU in Akked and in
// PostgreSQL per webhook, and lower latency, than with 2 or 4 batches at a time).
export const DEFAULT_MAX_CONCURRENT_BATCHES = 1;

const describeFailure = (error: unknown): { code: unknown; constraint: unknown } => {
  const fields = typeof error === 'object' && error !== null ? (error as { code?: unknown; constraint?: unknown }) : {};

  return { code: fields.code ?? null, constraint: fields.constraint ?? null };
};

/**
 * Group commit for webhook orders. Orders arriving within `maxWaitMs` of the first waiting one
 * (or `maxBatchSize` of them) are written by one `ingestOrders` call: one transaction, one
 * multi-row insert of orders and events, one multi-row job insert. Each caller is answered only
 * after that transaction committed, so an acknowledged order and its job are durable, and the
 * callers of one batch are answered in the order they called. While `maxConcurrentBatches` are
 * being written, newcomers wait and leave in the next batches, which then grow with the load.
 * A batch that fails is written again one order at a time, so a bad order fails alone.
 */
export class IngestBatcher {
  private readonly dependencies: IngestDependencies;
  private readonly logger: Logger;
  private readonly maxBatchSize: number;
  private readonly maxWaitMs: number;
  private readonly maxConcurrentBatches: number;
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Whether the waiting orders should leave as soon as a batch slot is free. */
  private isDue = false;
  private batchesRunning = 0;
  private whenIdle: (() => void)[] = [];

  constructor(options: IngestBatcherOptions) {
    this.dependencies = { database: options.database, queue: options.queue };
    this.logger = options.logger;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.maxConcurrentBatches = options.maxConcurrentBatches ?? DEFAULT_MAX_CONCURRENT_BATCHES;
  }

  /** Stores the order (see `ingestOrders`); resolves once it is committed. */
  write(request: IngestRequest): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      // The order's trace is its webhook's: taken now, since the batch runs in another's context.
      this.waiting.push({ request: { ...request, traceParent: request.traceParent ?? tracing.traceParent() }, resolve, reject });
      if (this.isDue || this.waiting.length >= this.maxBatchSize) this.markDue();
      else this.timer ??= setTimeout(() => this.markDue(), this.maxWaitMs);
    });
  }

  /** Writes what is waiting at once and resolves when nothing is left to write. */
  async close(): Promise<void> {
    if (this.waiting.length > 0) this.markDue();
    if (this.waiting.length === 0 && this.batchesRunning === 0) return;
    await new Promise<void>((resolve) => this.whenIdle.push(resolve));
  }

  private markDue(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.isDue = true;
    this.startBatches();
  }

  private startBatches(): void {
    while (this.isDue && this.waiting.length > 0 && this.batchesRunning < this.maxConcurrentBatches) {
      const batch = this.waiting.splice(0, this.maxBatchSize);
      this.batchesRunning++;
      void this.writeBatch(batch).finally(() => {
        this.batchesRunning--;
        this.startBatches();
        if (this.waiting.length === 0 && this.batchesRunning === 0) {
          for (const resolve of this.whenIdle.splice(0)) resolve();
        }
      });
    }
    if (this.waiting.length === 0) this.isDue = false;
  }

  private async writeBatch(batch: Waiting[]): Promise<void> {
    let results: IngestResult[];
    try {
      results = await ingestOrders(this.dependencies, batch.map((waiting) => waiting.request));
    } catch (error) {
      // With the database away, one by one would only fail again, each waiting its turn.
      if (batch.length === 1 || isDatabaseConnectionError(error)) {
        for (const waiting of batch) waiting.reject(error);

        return;
      }
      this.logger.warn({ ...describeFailure(error), size: batch.length }, 'an ingest batch failed; writing its orders one by one');
      for (const waiting of batch) {
        try {
          const [result] = await ingestOrders(this.dependencies, [waiting.request]);
          waiting.resolve(result as IngestResult);
        } catch (singleError) {
          waiting.reject(singleError);
        }
      }

      return;
    }
    batch.forEach((waiting, index) => waiting.resolve(results[index] as IngestResult));
  }
}

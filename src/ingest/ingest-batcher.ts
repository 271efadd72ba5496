import { isDatabaseConnectionError } from '../db/connection-errors.ts';
import { GroupCommit } from '../db/group-commit.ts';
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
 * Group commit for webhook orders (GroupCommit). Orders arriving within `maxWaitMs` of the first
 * waiting one (or `maxBatchSize` of them) are written by one `ingestOrders` call: one transaction,
 * one multi-row insert of orders and events, one multi-row job insert. Each caller is answered only
 * after that transaction committed, so an acknowledged order and its job are durable, and the
 * callers of one batch are answered in the order they called. While `maxConcurrentBatches` are
 * being written, newcomers wait and leave in the next batches, which then grow with the load.
 * A batch that fails is written again one order at a time, so a bad order fails alone.
 */
export class IngestBatcher {
  private readonly batches: GroupCommit<IngestRequest, IngestResult>;

  constructor(options: IngestBatcherOptions) {
    const dependencies: IngestDependencies = { database: options.database, queue: options.queue };
    this.batches = new GroupCommit({
      commit: (requests) => ingestOrders(dependencies, requests),
      maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      maxWait: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      maxConcurrentBatches: options.maxConcurrentBatches ?? DEFAULT_MAX_CONCURRENT_BATCHES,
      retryAlone: {
        // With the database away, one by one would only fail again, each waiting its turn.
        unless: isDatabaseConnectionError,
        onRetry: (error, size) => options.logger.warn({ ...describeFailure(error), size }, 'an ingest batch failed; writing its orders one by one'),
      },
    });
  }

  /** Stores the order (see `ingestOrders`); resolves once it is committed. */
  write(request: IngestRequest): Promise<IngestResult> {
    // The order's trace is its webhook's: taken now, since the batch runs in another's context.
    return this.batches.submit({ ...request, traceParent: request.traceParent ?? tracing.traceParent() });
  }

  /** Writes what is waiting at once and resolves when nothing is left to write. */
  async close(): Promise<void> {
    await this.batches.flush();
  }
}

import { isDatabaseConnectionError } from '../db/connection-errors.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { tracing } from '../telemetry/tracing.ts';
import { applyForwardReceipts, applyReceipt, receiptKey, type NumberReceipt } from './delivery.ts';
import type { Receipt } from './provider.ts';

export type ReceiptBatcherOptions = {
  database: Database;
  logger: Logger;
  /** How long a receipt waits for others before they are applied together. */
  delayMilliseconds?: number;
  /** A batch this large is applied at once. */
  maxBatchSize?: number;
};

type Waiting = NumberReceipt & { settle: (isApplied: boolean) => void };

const DEFAULT_DELAY_MILLISECONDS = 25;
const DEFAULT_MAX_BATCH_SIZE = 500;

/**
 * Applies the delivery receipts of the numbers this process drives in batches. Each message sent
 * brings two or three receipts (sent, delivered, read), and a transaction each was most of the
 * statements of an order; now receipts wait a few milliseconds and every `sent`, `delivered` and
 * `read` among them is applied in one statement (`applyForwardReceipts`). A `failed` receipt is
 * applied on its own, in its place among the others, so the outcome is the one of applying them
 * one by one in arrival order. When a batch fails, its receipts are applied one by one, so one bad
 * receipt loses no other.
 */
export class ReceiptBatcher {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Batches run one after another: two statements never race over the same messages. */
  private running: Promise<void> = Promise.resolve();
  private readonly delayMilliseconds: number;
  private readonly maxBatchSize: number;

  constructor(private readonly options: ReceiptBatcherOptions) {
    this.delayMilliseconds = options.delayMilliseconds ?? DEFAULT_DELAY_MILLISECONDS;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  }

  /**
   * Queues a receipt; resolves to whether it was applied, false when no message has its provider id
   * (yet: it overtook our record of the send), for the caller to keep and offer again later.
   */
  apply(numberId: string, receipt: Receipt): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiting.push({ numberId, receipt, settle: resolve });
      if (this.waiting.length >= this.maxBatchSize) void this.flush();
      else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.delayMilliseconds);
    });
  }

  /** Applies the receipts waiting now; resolves once they (and earlier batches) are applied. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting.splice(0);
    const run = this.running.then(() => this.applyBatch(batch));
    this.running = run;
    await run;
  }

  private async applyBatch(batch: Waiting[]): Promise<void> {
    let start = 0;
    while (start < batch.length) {
      let end = start;
      while (end < batch.length && batch[end]?.receipt.status !== 'failed') end++;
      if (end > start) {
        await this.applyForward(batch.slice(start, end));
      } else {
        await this.applyOneByOne(batch.slice(start, start + 1));
        end = start + 1;
      }
      start = end;
    }
  }

  private async applyForward(entries: Waiting[]): Promise<void> {
    let applied: Map<string, string | null>;
    const startedAt = Date.now();
    try {
      applied = await applyForwardReceipts(this.options.database, entries);
    } catch (error) {
      // With the database away, each is kept and offered again (as one that overtook its send).
      if (isDatabaseConnectionError(error)) {
        for (const entry of entries) entry.settle(false);

        return;
      }
      this.options.logger.warn({ err: error, receipts: entries.length }, 'a batch of receipts failed; applying them one by one');
      await this.applyOneByOne(entries);

      return;
    }
    for (const entry of entries) {
      const key = receiptKey(entry.numberId, entry.receipt.providerMessageId);
      const traceParent = applied.get(key);
      // Each receipt joins its message's trace (the span of its batch's statement).
      if (traceParent) {
        tracing.recordSpan('whatsapp.receipt', {
          parent: traceParent,
          startedAt,
          attributes: { 'akked.number.id': entry.numberId, 'akked.receipt.status': entry.receipt.status },
        });
      }
      entry.settle(applied.has(key));
    }
  }

  private async applyOneByOne(entries: Waiting[]): Promise<void> {
    for (const entry of entries) {
      try {
        entry.settle(await this.options.database.transaction((transaction) => applyReceipt(transaction, entry.numberId, entry.receipt)));
      } catch (error) {
        if (isDatabaseConnectionError(error)) {
          entry.settle(false);
          continue;
        }
        this.options.logger.error({ err: error, numberId: entry.numberId }, 'could not apply a receipt');
        // Dropped, not kept: offering it again would fail again.
        entry.settle(true);
      }
    }
  }
}

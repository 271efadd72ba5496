import { isDatabaseConnectionError } from '../db/connection-errors.ts';
import type { Database } from '../db/database.ts';
import { GroupCommit } from '../db/group-commit.ts';
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

const DEFAULT_DELAY_MILLISECONDS = 25;
const DEFAULT_MAX_BATCH_SIZE = 500;

/**
 * Applies the delivery receipts of the numbers this process drives in batches (GroupCommit). Each
 * message sent brings two or three receipts (sent, delivered, read), and a transaction each was
 * most of the statements of an order; now receipts wait a few milliseconds and every `sent`,
 * `delivered` and `read` among them is applied in one statement (`applyForwardReceipts`). A
 * `failed` receipt is applied on its own, in its place among the others, so the outcome is the one
 * of applying them one by one in arrival order. When a batch fails, its receipts are applied one by
 * one, so one bad receipt loses no other.
 */
export class ReceiptBatcher {
  private readonly batches: GroupCommit<NumberReceipt, boolean>;

  constructor(private readonly options: ReceiptBatcherOptions) {
    this.batches = new GroupCommit({
      commit: (receipts) => this.applyBatch(receipts),
      maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      maxWait: options.delayMilliseconds ?? DEFAULT_DELAY_MILLISECONDS,
      // Batches run one after another: two statements never race over the same messages.
      maxConcurrentBatches: 1,
    });
  }

  /**
   * Queues a receipt; resolves to whether it was applied, false when no message has its provider id
   * (yet: it overtook our record of the send), for the caller to keep and offer again later.
   */
  apply(numberId: string, receipt: Receipt): Promise<boolean> {
    return this.batches.submit({ numberId, receipt });
  }

  /** Applies the receipts waiting now; resolves once they (and earlier batches) are applied. */
  async flush(): Promise<void> {
    await this.batches.flush();
  }

  /** Never throws: a receipt that cannot be applied is dropped (true) or kept for later (false). */
  private async applyBatch(batch: NumberReceipt[]): Promise<boolean[]> {
    const applied: boolean[] = [];
    let start = 0;
    while (start < batch.length) {
      let end = start;
      while (end < batch.length && batch[end]?.receipt.status !== 'failed') end++;
      if (end > start) {
        applied.push(...(await this.applyForward(batch.slice(start, end))));
      } else {
        applied.push(...(await this.applyOneByOne(batch.slice(start, start + 1))));
        end = start + 1;
      }
      start = end;
    }

    return applied;
  }

  private async applyForward(entries: NumberReceipt[]): Promise<boolean[]> {
    let applied: Map<string, string | null>;
    const startedAt = Date.now();
    try {
      applied = await applyForwardReceipts(this.options.database, entries);
    } catch (error) {
      // With the database away, each is kept and offered again (as one that overtook its send).
      if (isDatabaseConnectionError(error)) return entries.map(() => false);
      this.options.logger.warn({ err: error, receipts: entries.length }, 'a batch of receipts failed; applying them one by one');

      return this.applyOneByOne(entries);
    }

    return entries.map((entry) => {
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

      return applied.has(key);
    });
  }

  private async applyOneByOne(entries: NumberReceipt[]): Promise<boolean[]> {
    const applied: boolean[] = [];
    for (const entry of entries) {
      try {
        applied.push(await this.options.database.transaction((transaction) => applyReceipt(transaction, entry.numberId, entry.receipt)));
      } catch (error) {
        if (isDatabaseConnectionError(error)) {
          applied.push(false);
          continue;
        }
        this.options.logger.error({ err: error, numberId: entry.numberId }, 'could not apply a receipt');
        // Dropped, not kept: offering it again would fail again.
        applied.push(true);
      }
    }

    return applied;
  }
}

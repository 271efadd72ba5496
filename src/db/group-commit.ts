/**
 * When a batch of several items fails: whether each is committed again alone, so that a bad item
 * fails alone. Without it, every item of a failed batch is rejected with the batch's error.
 */
export type RetryAlone = {
  /** Errors after which alone would only fail again (the database is away): the batch is rejected whole. */
  unless?: (error: unknown) => boolean;
  /** Told before the items are committed one by one (a log line). */
  onRetry: (error: unknown, size: number) => void;
};

export type GroupCommitOptions<Item, Result> = {
  /** Commits a batch in one go; resolves to one result per item, in the items' order. */
  commit: (items: Item[]) => Promise<Result[]>;
  /** Most items in one batch; a batch of this many leaves at once. */
  maxBatchSize: number;
  /**
   * How long the first waiting item waits for others to join it: milliseconds, or `'turn'`, the
   * rest of the current turn of the event loop (the items handed over together, as a fetched
   * batch of jobs).
   */
  maxWait: number | 'turn';
  /**
   * Batches committed at the same time. While that many run, newcomers wait and leave together in
   * the next batch, which grows with the load (1: batches one after another, never racing).
   */
  maxConcurrentBatches: number;
  retryAlone?: RetryAlone;
};

type Waiting<Item, Result> = { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void };

/**
 * Group commit: items submitted close together are committed by one `commit` call (one
 * transaction or statement for many), and each submitter is answered only once its batch has
 * committed, in the order they submitted. Used by the ingest of webhooks, the preparation of
 * confirmations and the delivery receipts.
 */
export class GroupCommit<Item, Result> {
  private readonly options: GroupCommitOptions<Item, Result>;
  private waiting: Waiting<Item, Result>[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** Whether the waiting items leave as soon as a batch slot is free. */
  private isDue = false;
  private batchesRunning = 0;
  private whenIdle: (() => void)[] = [];

  constructor(options: GroupCommitOptions<Item, Result>) {
    this.options = options;
  }

  /** Resolves to the item's result once its batch has committed; rejects when its commit failed. */
  submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.isDue || this.waiting.length >= this.options.maxBatchSize) this.markDue();
      else if (!this.timer) {
        const { maxWait } = this.options;
        this.timer = maxWait === 'turn' ? setImmediate(() => this.markDue()) : setTimeout(() => this.markDue(), maxWait);
      }
    });
  }

  /** Commits what is waiting without waiting any longer; resolves once nothing is left to commit. */
  async flush(): Promise<void> {
    if (this.waiting.length > 0) this.markDue();
    if (this.waiting.length === 0 && this.batchesRunning === 0) return;
    await new Promise<void>((resolve) => this.whenIdle.push(resolve));
  }

  private markDue(): void {
    if (this.timer) {
      if (this.options.maxWait === 'turn') clearImmediate(this.timer as NodeJS.Immediate);
      else clearTimeout(this.timer as NodeJS.Timeout);
      this.timer = null;
    }
    this.isDue = true;
    this.startBatches();
  }

  private startBatches(): void {
    while (this.isDue && this.waiting.length > 0 && this.batchesRunning < this.options.maxConcurrentBatches) {
      const batch = this.waiting.splice(0, this.options.maxBatchSize);
      this.batchesRunning++;
      void this.commitBatch(batch).finally(() => {
        this.batchesRunning--;
        this.startBatches();
        if (this.waiting.length === 0 && this.batchesRunning === 0) {
          for (const resolve of this.whenIdle.splice(0)) resolve();
        }
      });
    }
    if (this.waiting.length === 0) this.isDue = false;
  }

  private async commitBatch(batch: Waiting<Item, Result>[]): Promise<void> {
    let results: Result[];
    try {
      results = await this.options.commit(batch.map((waiting) => waiting.item));
    } catch (error) {
      const { retryAlone } = this.options;
      if (batch.length === 1 || !retryAlone || retryAlone.unless?.(error)) {
        for (const waiting of batch) waiting.reject(error);

        return;
      }
      retryAlone.onRetry(error, batch.length);
      for (const waiting of batch) {
        try {
          const [result] = await this.options.commit([waiting.item]);
          waiting.resolve(result as Result);
        } catch (singleError) {
          waiting.reject(singleError);
        }
      }

      return;
    }
    batch.forEach((waiting, index) => waiting.resolve(results[index] as Result));
  }
}

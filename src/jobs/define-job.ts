import type { z } from 'zod';

/**
 * A job is defined once: its name, the schema of its payload, how often and how patiently it is
 * retried, and its handler. Payloads carry ids, never personal data (DESIGN.md §1), so nothing
 * personal outlives its order in the queue.
 */
export type RetryPolicy = {
  /** Attempts after the first one. */
  limit: number;
  /**
   * Seconds before the first retry; doubled (with jitter) on each further one when `backoff`. A
   * job of a dead worker is retried after its heartbeat plus this delay, so it stays short (5 s)
   * wherever the job must move on within 30 s; backoff and the limit spread the later attempts.
   */
  delaySeconds: number;
  backoff: boolean;
  /** Upper bound of the backoff delay. */
  maximumDelaySeconds?: number;
};

/**
 * `stately` keeps at most one queued and one running job per dedupe key; `standard` has no limit.
 * Dedupe keys only work with `stately`, `short` or `exclusive` (pg-boss), and on those policies
 * jobs enqueued WITHOUT a key all share one key: use them for singletons (vacuum) or always pass a
 * key, otherwise every job but the first is silently dropped.
 */
export type QueuePolicy = 'standard' | 'short' | 'stately' | 'exclusive';

/** What a handler is given; `Services` is the bag the entry point built (src/services.ts). */
export type JobContext<Services> = {
  services: Services;
  jobId: string;
  /** 0 on the first attempt. */
  retryCount: number;
  /** Whether this is the last attempt the retry policy allows. */
  isLastAttempt: boolean;
};

/**
 * The queue runs definitions of any services type: the jobs and what their handlers are given are
 * decided by the entry points (src/cli/jobs.ts, src/services.ts), never by the queue.
 */
export type JobDefinition<Payload, Services = unknown> = {
  name: string;
  schema: z.ZodType<Payload>;
  retry: RetryPolicy;
  policy: QueuePolicy;
  /**
   * Seconds a running attempt may take at most before it counts as failed and is retried: a bound
   * on the work itself (a network call's timeouts, a purge), not on how fast a dead worker is noticed.
   */
  expireInSeconds: number;
  /**
   * Seconds without a heartbeat after which a running attempt counts as failed and is retried
   * elsewhere (at least 10, pg-boss's minimum). The worker refreshes it every half of this while
   * the handler runs, so only a worker that died (kill -9, OOM, a lost machine or connection)
   * misses it: its jobs run on another worker within this plus the retry delay.
   */
  heartbeatSeconds: number;
  /** Parallel attempts of this job per worker process; defaults to AKKED_WORKER_CONCURRENCY. */
  concurrency?: number;
  /**
   * Jobs fetched (and completed) together, each still handled and settled on its own; defaults to 1.
   * For hot queues whose handler groups concurrent jobs (confirmation.send).
   */
  batchSize?: number;
  // Method syntax on purpose: a definition for one payload type can sit in a list of all jobs.
  handle(payload: Payload, context: JobContext<Services>): Promise<void>;
};

export type AnyJobDefinition = JobDefinition<unknown>;

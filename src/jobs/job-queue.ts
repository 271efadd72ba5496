import { fromPglite, PgBoss, type Db, type JobResult, type JobWithMetadata } from 'pg-boss';
import { isDatabaseConnectionError } from '../db/connection-errors.ts';
import { CONNECT_TIMEOUT_MS, type Database, type Queryable, type Transaction } from '../db/database.ts';
import { AppError, isRetryable } from '../errors.ts';
import { createLazyChildLogger, type Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { readTraceParent, TRACE_PARENT_FIELD, tracing, type SpanAttributes } from '../telemetry/tracing.ts';
import type { AnyJobDefinition, JobDefinition } from './define-job.ts';

/** pg-boss's schema in a deployment (tests give each database its own). */
export const DEFAULT_JOB_SCHEMA = 'pgboss';

/** Payload fields by which jobs can be found again (payloads carry ids, never personal data). */
export type JobReferenceField = 'accountId' | 'storeId' | 'orderId' | 'numberId' | 'messageId';

export type EnqueueOptions = {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  transaction?: Transaction;
  /** At most one queued job per key (for queues with a deduplicating policy). */
  dedupeKey?: string;
  startAfter?: Date;
};

/**
 * The payload as stored: the definition's fields, plus the W3C trace context of the span that
 * enqueued it when tracing is on, so the job's span continues the same trace (an order's, from its
 * webhook to its write-back). Definitions' schemas drop the field when the job is parsed.
 */
const withTraceParent = (data: unknown, traceParent: string | null | undefined): object =>
  traceParent ? { ...(data as object), [TRACE_PARENT_FIELD]: traceParent } : (data as object);

const REFERENCE_FIELDS: readonly JobReferenceField[] = ['accountId', 'storeId', 'orderId', 'numberId', 'messageId'];

/** A job's span attributes: its name, id and attempt, and the ids its payload names (never personal data). */
const jobAttributes = (name: string, job: JobWithMetadata<unknown>): SpanAttributes => {
  const attributes: SpanAttributes = { 'akked.job.name': name, 'akked.job.id': job.id, 'akked.job.attempt': job.retryCount + 1 };
  const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Record<string, unknown>;
  for (const field of REFERENCE_FIELDS) {
    const value = data[field];
    if (typeof value === 'string') attributes[`akked.${field.replace(/Id$/, '')}.id`] = value;
  }

  return attributes;
};

/** What the queue itself needs of the services it hands to handlers: its counters. */
export type JobServices = { metrics: Pick<Metrics, 'jobsProcessed'> };

export type JobQueueOptions = {
  database: Database;
  logger: Logger;
  /** pg-boss's schema; tests give each database its own. */
  schema?: string;
  /** Whether this process runs cron schedules and queue maintenance (workers do, api processes need not). */
  isSupervisor: boolean;
};

const transactionAdapter = (transaction: Transaction): Db => ({
  executeSql: async (text, values) => ({ rows: await transaction.query(text, values ?? []) }),
});

/**
 * The job queue: pg-boss on the same database as everything else (PGlite in-process, or
 * PostgreSQL shared by every process), so a job can be created in the transaction of the row that
 * causes it. Claiming uses SKIP LOCKED, so two workers never run one attempt of a job twice.
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private readonly logger: Logger;
  private readonly workerIds: string[] = [];
  private readonly definitions = new Map<string, AnyJobDefinition>();
  /** pg-boss's schema, for erasure and retention queries on its job table. */
  readonly schema: string;

  private constructor(boss: PgBoss, logger: Logger, schema: string) {
    this.boss = boss;
    this.logger = logger;
    this.schema = schema;
  }

  static async start(options: JobQueueOptions): Promise<JobQueue> {
    const { database, logger } = options;
    const common = {
      schema: options.schema ?? DEFAULT_JOB_SCHEMA,
      useListenNotify: true,
      schedule: options.isSupervisor,
      supervise: options.isSupervisor,
      // Completed and failed jobs stay visible for a week, then pg-boss deletes them; the purge
      // job removes older ones anyway (no personal data is in them: payloads carry ids).
      migrate: true,
      // Workers burst through a backlog only while these stats say one is waiting; the defaults
      // (a minute) left each worker slot sleeping 2 s after every job.
      queueCacheIntervalSeconds: 2,
      monitorIntervalSeconds: 2,
      superviseIntervalSeconds: 2,
    } as const;
    const boss = database.pglite
      ? new PgBoss({ ...common, db: fromPglite(database.pglite), backend: 'pglite' })
      : new PgBoss({
          ...common,
          ...database.connection,
          max: 5,
          application_name: 'akked-jobs',
          connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        });
    boss.on('error', (error: unknown) => {
      // During an outage every poll, heartbeat and supervision fails: the database layer says it
      // once (and again when it is back) instead of a line per attempt.
      if (isDatabaseConnectionError(error)) database.availability.reportFailure(error);
      else logger.error({ err: error }, 'job queue error');
    });
    await boss.start();

    return new JobQueue(boss, logger, common.schema);
  }

  /** Creates or updates the queues of these jobs; idempotent, every process may call it. */
  async register(definitions: readonly AnyJobDefinition[]): Promise<void> {
    for (const definition of definitions) {
      this.definitions.set(definition.name, definition);
      const queueOptions = {
        policy: definition.policy,
        retryLimit: definition.retry.limit,
        retryDelay: definition.retry.delaySeconds,
        retryBackoff: definition.retry.backoff,
        ...(definition.retry.backoff && definition.retry.maximumDelaySeconds !== undefined
          ? { retryDelayMax: definition.retry.maximumDelaySeconds }
          : {}),
        expireInSeconds: definition.expireInSeconds,
        heartbeatSeconds: definition.heartbeatSeconds,
        notify: true,
      };
      const existing = await this.boss.getQueue(definition.name);
      if (existing) {
        const { policy: _policy, ...changeable } = queueOptions;
        await this.boss.updateQueue(definition.name, changeable);
      } else {
        await this.boss.createQueue(definition.name, queueOptions).catch(async (error: unknown) => {
          // Another process created it between our check and our create.
          if (!(await this.boss.getQueue(definition.name))) throw error;
        });
      }
    }
  }

  /** Returns the job id, or null when a job with the same dedupe key is already queued. */
  async enqueue<Payload>(definition: JobDefinition<Payload>, payload: Payload, options: EnqueueOptions = {}): Promise<string | null> {
    const data = withTraceParent(definition.schema.parse(payload), tracing.traceParent());

    return this.boss.send(definition.name, data, {
      ...(options.transaction ? { db: transactionAdapter(options.transaction) } : {}),
      ...(options.dedupeKey ? { singletonKey: options.dedupeKey } : {}),
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
    });
  }

  /**
   * Enqueues many jobs of one definition in one statement inside `transaction` (pg-boss `insert`):
   * the same rows `enqueue` would create one by one (queue policy, retries and expiry from the
   * queue, the dedupe key as singleton key), for the ingest batches. A job whose dedupe key is
   * already queued is skipped, as with `enqueue`.
   */
  async enqueueMany<Payload>(
    definition: JobDefinition<Payload>,
    jobs: readonly { payload: Payload; dedupeKey?: string; startAfter?: Date; traceParent?: string | null }[],
    options: { transaction: Transaction },
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(
      definition.name,
      jobs.map((job) => ({
        // Batched jobs come from many traces: each carries its own (else the caller's).
        data: withTraceParent(definition.schema.parse(job.payload), job.traceParent ?? tracing.traceParent()),
        ...(job.dedupeKey ? { singletonKey: job.dedupeKey } : {}),
        ...(job.startAfter ? { startAfter: job.startAfter } : {}),
      })),
      { db: transactionAdapter(options.transaction) },
    );
  }

  /** Runs `definition` on a cron schedule (UTC); one run per slot across all processes. */
  async schedule<Payload>(definition: JobDefinition<Payload>, cron: string, payload: Payload): Promise<void> {
    await this.boss.schedule(definition.name, cron, definition.schema.parse(payload) as object, { tz: 'UTC' });
  }

  /** Jobs queued and not running yet (ready or deferred), by job name, from pg-boss's queue statistics. */
  async waitingCounts(): Promise<Record<string, number>> {
    const queues = await this.boss.getQueues();

    return Object.fromEntries(queues.map((queue) => [queue.name, queue.queuedCount]));
  }

  /** Starts handling the given jobs in this process; each handler is given `services`. */
  async work<Services extends JobServices>(
    definitions: readonly JobDefinition<unknown, Services>[],
    services: Services,
    defaultConcurrency: number,
  ): Promise<void> {
    for (const definition of definitions) {
      const workerId = await this.boss.work(
        definition.name,
        {
          // One job per fetch unless the definition asks for more; either way each job settles on
          // its own (perJobResults): a failure of one send never fails (and re-runs) another.
          batchSize: definition.batchSize ?? 1,
          localConcurrency: definition.concurrency ?? defaultConcurrency,
          pollingIntervalSeconds: 2,
          notifyPollingIntervalSeconds: 2,
          // While a backlog is waiting (queue stats refresh every 2 s), fetch again at once
          // instead of sleeping the polling interval after every job.
          burstWhenReadyExceeds: 1,
          includeMetadata: true,
          perJobResults: true,
        },
        async (jobs): Promise<JobResult[]> => Promise.all(jobs.map((job) => this.runOne(definition, job, services))),
      );
      this.workerIds.push(workerId);
    }
  }

  private async runOne<Services extends JobServices>(
    definition: JobDefinition<unknown, Services>,
    job: JobWithMetadata<unknown>,
    services: Services,
  ): Promise<JobResult> {
    const log = createLazyChildLogger(this.logger, { job: definition.name, jobId: job.id, attempt: job.retryCount + 1 });
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) {
      log.error({ problems: parsed.error.issues.map((issue) => issue.path.join('.')) }, 'job payload invalid; giving up');

      return { id: job.id, status: 'deadletter', output: { code: 'bad_request', message: 'invalid job payload' } };
    }
    try {
      await tracing.inSpan(`job ${definition.name}`, { parent: readTraceParent(job.data), kind: 'consumer', attributes: jobAttributes(definition.name, job) }, () =>
        definition.handle(parsed.data, {
          services,
          jobId: job.id,
          retryCount: job.retryCount,
          isLastAttempt: job.retryCount >= job.retryLimit,
        }),
      );

      services.metrics.jobsProcessed.inc({ job: definition.name, result: 'completed' });

      return { id: job.id, status: 'completed' };
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'internal';
      const message = error instanceof Error ? error.message : String(error);
      if (isRetryable(error)) {
        log.warn({ err: error }, 'job attempt failed; will retry if attempts remain');
        services.metrics.jobsProcessed.inc({ job: definition.name, result: 'retry' });

        return { id: job.id, status: 'failed', output: { code, message } };
      }
      log.error({ err: error }, 'job failed permanently');
      services.metrics.jobsProcessed.inc({ job: definition.name, result: 'failed' });

      return { id: job.id, status: 'deadletter', output: { code, message } };
    }
  }

  /**
   * Deletes every job (queued, running, finished) whose payload names one of these ids: erasure
   * of a customer, store or account leaves nothing of theirs in the queue.
   */
  async deleteJobsReferencing(queryable: Queryable, field: JobReferenceField, values: readonly string[]): Promise<number> {
    if (values.length === 0) return 0;
    const rows = await queryable.query(`delete from ${this.schema}.job where data->>'${field}' = any($1::text[]) returning 1`, [values]);

    return rows.length;
  }

  /** Stops taking new jobs and waits (up to `timeoutMs`) for running ones; unfinished ones are retried elsewhere. */
  async stop(timeoutMs = 20_000): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: true });
  }
}

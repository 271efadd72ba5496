import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, TEST_BACKENDS, TEST_DATABASE_URL, type TestDatabase } from '../../test/harness/database.ts';
import { openDatabase } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { defineJob, type Services } from '../services.ts';
import { JobQueue } from './job-queue.ts';

const silentLogger = createLogger({ level: 'silent' });

const waitFor = async (condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('timed out waiting');
};

/** Jobs used only by these tests: each run is recorded in a table so tests can count them. */
const recordRun = defineJob({
  name: 'test.record-run',
  schema: z.object({ runId: z.string(), failTimes: z.number().int().default(0), failure: z.enum(['retryable', 'permanent']).default('retryable') }),
  retry: { limit: 3, delaySeconds: 1, backoff: false },
  policy: 'standard',
  expireInSeconds: 60,
  heartbeatSeconds: 10,
  handle: async ({ runId, failTimes, failure }, { services, retryCount }) => {
    await services.database.query('insert into test_job_runs (run_id, attempt) values ($1, $2)', [runId, retryCount]);
    if (retryCount < failTimes) {
      throw new AppError(failure === 'retryable' ? 'upstream_unavailable' : 'bad_request', { message: `planned failure ${retryCount}` });
    }
  },
});

const dedupedRun = defineJob({
  name: 'test.deduped-run',
  schema: z.object({ runId: z.string() }),
  retry: { limit: 0, delaySeconds: 1, backoff: false },
  policy: 'stately',
  expireInSeconds: 60,
  heartbeatSeconds: 10,
  handle: async () => undefined,
});

const fakeServices = (testDatabase: TestDatabase, queue: JobQueue): Services =>
  ({ database: testDatabase.database, queue, logger: silentLogger, metrics: createMetrics() }) as unknown as Services;

const jobState = async (testDatabase: TestDatabase, jobId: string): Promise<string | undefined> => {
  const [row] = await testDatabase.database.query<{ state: string }>(`select state from ${testDatabase.jobSchema}.job where id = $1`, [jobId]);

  return row?.state;
};

describe.each(TEST_BACKENDS)('job queue on %s', (backend) => {
  let testDatabase: TestDatabase;
  let queue: JobQueue;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    await testDatabase.database.query('create table test_job_runs (run_id text not null, attempt integer not null, at timestamptz default now())');
    await testDatabase.database.query('create table test_causes (id text primary key)');
    queue = await JobQueue.start({ database: testDatabase.database, logger: silentLogger, schema: testDatabase.jobSchema, isSupervisor: true });
    await queue.register([recordRun, dedupedRun]);
    await queue.work([recordRun], fakeServices(testDatabase, queue), 4);
  });

  afterAll(async () => {
    await queue?.stop(5_000);
    await testDatabase?.close();
  });

  const runsOf = async (runId: string) =>
    testDatabase.database.query<{ attempt: number }>('select attempt from test_job_runs where run_id = $1 order by attempt', [runId]);

  it('runs a job enqueued in a committed transaction, and never one from a rolled-back transaction', async () => {
    await testDatabase.database.transaction(async (transaction) => {
      await transaction.query("insert into test_causes (id) values ('committed')");
      await queue.enqueue(recordRun, { runId: 'committed', failTimes: 0, failure: 'retryable' }, { transaction });
    });
    await expect(
      testDatabase.database.transaction(async (transaction) => {
        await transaction.query("insert into test_causes (id) values ('rolled-back')");
        await queue.enqueue(recordRun, { runId: 'rolled-back', failTimes: 0, failure: 'retryable' }, { transaction });
        throw new Error('the cause failed');
      }),
    ).rejects.toThrow('the cause failed');
    await waitFor(async () => (await runsOf('committed')).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await runsOf('rolled-back')).toEqual([]);
    expect(await testDatabase.database.query("select id from test_causes where id = 'rolled-back'")).toEqual([]);
  });

  it('keeps one queued job per dedupe key', async () => {
    const later = new Date(Date.now() + 60_000);
    const first = await queue.enqueue(dedupedRun, { runId: 'dedupe' }, { dedupeKey: 'order:1', startAfter: later });
    const second = await queue.enqueue(dedupedRun, { runId: 'dedupe' }, { dedupeKey: 'order:1', startAfter: later });
    const otherKey = await queue.enqueue(dedupedRun, { runId: 'dedupe' }, { dedupeKey: 'order:2', startAfter: later });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect(otherKey).toEqual(expect.any(String));
  });

  it('enqueues many jobs in one statement exactly as enqueue would, dedupe keys included', async () => {
    const later = new Date(Date.now() + 3_600_000);
    const single = await queue.enqueue(dedupedRun, { runId: 'one-by-one' }, { dedupeKey: 'many:single', startAfter: later });
    await testDatabase.database.transaction(async (transaction) => {
      await queue.enqueueMany(
        dedupedRun,
        [
          { payload: { runId: 'many-1' }, dedupeKey: 'many:1', startAfter: later },
          { payload: { runId: 'many-2' }, dedupeKey: 'many:2' },
          // Already queued: skipped, as enqueue skips it.
          { payload: { runId: 'many-again' }, dedupeKey: 'many:single', startAfter: later },
        ],
        { transaction },
      );
    });
    await expect(testDatabase.database.transaction((transaction) => queue.enqueueMany(dedupedRun, [{ payload: { runId: 42 } as never }], { transaction }))).rejects.toThrow();

    const columns = `name, data, priority, state, singleton_key, singleton_on, group_id, retry_limit, retry_delay, retry_backoff, retry_delay_max,
      expire_seconds, deletion_seconds, keep_until - start_after as kept_for, policy, dead_letter, heartbeat_seconds`;
    const rows = await testDatabase.database.query<Record<string, unknown>>(
      `select ${columns}, start_after from ${testDatabase.jobSchema}.job where singleton_key like 'many:%' order by singleton_key`,
    );
    expect(rows.map((row) => row.singleton_key)).toEqual(['many:1', 'many:2', 'many:single']);
    const [many, immediate, one] = rows as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(one.data).toEqual({ runId: 'one-by-one' });
    const { data: _manyData, singleton_key: _manyKey, ...manyRest } = many;
    const { data: _oneData, singleton_key: _oneKey, ...oneRest } = one;
    expect(manyRest).toEqual(oneRest);
    expect((many.start_after as Date).getTime()).toBe(later.getTime());
    expect((immediate.start_after as Date).getTime()).toBeLessThanOrEqual(Date.now());
    expect(single).toEqual(expect.any(String));
  });

  it('retries a retryable failure with its policy and then completes', async () => {
    const jobId = await queue.enqueue(recordRun, { runId: 'retried', failTimes: 2, failure: 'retryable' });
    await waitFor(async () => (await jobState(testDatabase, jobId as string)) === 'completed', 30_000);
    expect((await runsOf('retried')).map((run) => run.attempt)).toEqual([0, 1, 2]);
  });

  it('fails a permanent error at once, without retries, in a visible failed state', async () => {
    const jobId = await queue.enqueue(recordRun, { runId: 'permanent', failTimes: 5, failure: 'permanent' });
    await waitFor(async () => (await jobState(testDatabase, jobId as string)) === 'failed');
    expect(await runsOf('permanent')).toEqual([{ attempt: 0 }]);
    const [row] = await testDatabase.database.query<{ output: { code: string } }>(`select output from ${testDatabase.jobSchema}.job where id = $1`, [jobId]);
    expect(row?.output.code).toBe('bad_request');
  });

  it('rejects a payload that does not match the job schema before it is queued', async () => {
    await expect(queue.enqueue(recordRun, { runId: 42 } as never)).rejects.toThrow();
  });
});

describe.runIf(TEST_DATABASE_URL)('job queue shared by several processes on PostgreSQL', () => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('postgres');
    await testDatabase.database.query('create table test_job_runs (run_id text not null, attempt integer not null, at timestamptz default now())');
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  it('splits 300 jobs between three workers with separate connections and runs none twice', { timeout: 90_000 }, async () => {
    const workers = [];
    for (let index = 0; index < 3; index++) {
      // Each worker has its own pool, as a separate process would.
      const database = await openDatabase({ databaseUrl: testDatabase.url as string, dataDirectory: '/nonexistent', poolSize: 5 });
      const queue = await JobQueue.start({ database, logger: silentLogger, schema: testDatabase.jobSchema, isSupervisor: index === 0 });
      await queue.register([recordRun]);
      workers.push({ database, queue });
    }
    for (let index = 0; index < 300; index++) {
      await (workers[0]?.queue as JobQueue).enqueue(recordRun, { runId: `shared-${index}`, failTimes: 0, failure: 'retryable' });
    }
    for (const worker of workers) {
      await worker.queue.work([recordRun], { database: testDatabase.database, logger: silentLogger, metrics: createMetrics() } as unknown as Services, 5);
    }
    const started = Date.now();
    await waitFor(async () => {
      const [row] = await testDatabase.database.query<{ count: string }>("select count(*) from test_job_runs where run_id like 'shared-%'");

      return Number(row?.count) >= 300;
    }, 60_000).catch(async (error: unknown) => {
      const [row] = await testDatabase.database.query<{ count: string }>("select count(*) from test_job_runs where run_id like 'shared-%'");
      throw new Error(`only ${row?.count} of 300 ran in ${Date.now() - started} ms`, { cause: error });
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const [counts] = await testDatabase.database.query<{ runs: string; distinct_runs: string }>(
      "select count(*) as runs, count(distinct run_id) as distinct_runs from test_job_runs where run_id like 'shared-%'",
    );
    expect(Number(counts?.runs)).toBe(300);
    expect(Number(counts?.distinct_runs)).toBe(300);
    for (const worker of workers) {
      await worker.queue.stop(5_000);
      await worker.database.close();
    }
  });
});

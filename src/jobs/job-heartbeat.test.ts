import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/harness/database.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { defineJob, type Services } from '../services.ts';
import { JobQueue } from './job-queue.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const JOB_NAME = 'test.heartbeat';

/**
 * A worker that dies (kill -9) while it holds a job stops refreshing the job's heartbeat; the
 * supervisor of another worker fails it after `heartbeatSeconds` and it runs there, long before
 * its expiry (600 s here). Real processes on PostgreSQL (test/harness/queue-worker-child.ts is the one that dies).
 */
describe.runIf(TEST_DATABASE_URL)('job heartbeats on PostgreSQL', () => {
  let testDatabase: TestDatabase;
  let queue: JobQueue;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await queue?.stop(2_000);
    await testDatabase?.close();
  });

  it('runs the job of a worker killed mid-job on another worker within 30 s', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/harness/queue-worker-child.ts'), testDatabase.url as string, testDatabase.jobSchema, JOB_NAME], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitForOutput = async (text: string) => {
      const deadline = Date.now() + 30_000;
      while (!output.includes(text)) {
        if (Date.now() > deadline || child?.exitCode !== null) throw new Error(`the child worker did not say "${text}": ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitForOutput('ready');

    const runs: { attempt: number; at: number }[] = [];
    const definition = defineJob({
      name: JOB_NAME,
      schema: z.object({ runId: z.string() }),
      retry: { limit: 2, delaySeconds: 1, backoff: false },
      policy: 'standard',
      expireInSeconds: 600,
      heartbeatSeconds: 10,
      handle: async (_payload, { retryCount }) => {
        runs.push({ attempt: retryCount, at: Date.now() });
      },
    });
    const logger = createLogger({ level: 'silent' });
    queue = await JobQueue.start({ database: testDatabase.database, logger, schema: testDatabase.jobSchema, isSupervisor: true });
    await queue.register([definition]);
    const jobId = await queue.enqueue(definition, { runId: 'held' });
    await waitForOutput('claimed held');
    // Held by the child for a while (heartbeats keep it its own), then the child dies.
    await queue.work([definition], { database: testDatabase.database, queue, logger, metrics: createMetrics() } as unknown as Services, 1);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(runs).toEqual([]);
    child.kill('SIGKILL');
    const killedAt = Date.now();

    const deadline = killedAt + 40_000;
    while (runs.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs).toHaveLength(1);
    const recoveredInMs = (runs[0]?.at ?? Infinity) - killedAt;
    console.info(`job of a killed worker ran elsewhere after ${recoveredInMs} ms`);
    expect(recoveredInMs).toBeLessThan(30_000);
    expect(runs[0]?.attempt).toBe(1);
    const stateOfJob = async () => (await testDatabase.database.query<{ state: string }>(`select state from ${testDatabase.jobSchema}.job where id = $1`, [jobId]))[0]?.state;
    const settledBy = Date.now() + 10_000;
    while ((await stateOfJob()) !== 'completed' && Date.now() < settledBy) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await stateOfJob()).toBe('completed');
  }, 90_000);
});

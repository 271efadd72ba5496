// A worker process of its own for src/jobs/job-heartbeat.test.ts (run with `node --import tsx`):
// one queue whose handler never returns; says "claimed <runId>" when it holds a job, then waits
// to be killed.
import { z } from 'zod';
import { openDatabase } from '../../src/db/database.ts';
import { JobQueue } from '../../src/jobs/job-queue.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { defineJob, type Services } from '../../src/services.ts';

const [databaseUrl, jobSchema, jobName] = process.argv.slice(2) as [string, string, string];
const logger = createLogger({ level: 'silent' });
const database = await openDatabase({ databaseUrl, dataDirectory: '/nonexistent', poolSize: 2 });
const queue = await JobQueue.start({ database, logger, schema: jobSchema, isSupervisor: false });
const definition = defineJob({
  name: jobName,
  schema: z.object({ runId: z.string() }),
  retry: { limit: 2, delaySeconds: 1, backoff: false },
  policy: 'standard',
  expireInSeconds: 600,
  heartbeatSeconds: 10,
  handle: ({ runId }) => {
    process.stdout.write(`claimed ${runId}\n`);

    return new Promise<void>(() => undefined);
  },
});
await queue.register([definition]);
await queue.work([definition], { database, queue, logger, metrics: createMetrics() } as unknown as Services, 1);
process.stdout.write('ready\n');

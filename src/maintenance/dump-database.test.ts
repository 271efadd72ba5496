import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, createTestDatabase, TEST_BACKENDS, TEST_DATABASE_URL, type ScratchDatabase, type TestDatabase } from '../../test/harness/database.ts';
import { seedPreviousRelease } from '../../test/harness/previous-release.ts';
import { ALL_JOBS } from '../cli/jobs.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import { createLogger } from '../logger.ts';
import { vacuumJob } from './vacuum-job.ts';
import { dumpDatabase } from './dump-database.ts';

const run = promisify(execFile);

describe.skipIf(!TEST_DATABASE_URL).each(TEST_BACKENDS)('a plain SQL dump of the %s database', (backend) => {
  let source: TestDatabase;
  let directory: string;
  let restoreTarget: ScratchDatabase | undefined;

  beforeAll(async () => {
    source = await createTestDatabase(backend);
    directory = await mkdtemp(path.join(tmpdir(), 'akked-dump-'));
    await seedPreviousRelease(source.database);
    await source.database.exec(`
      insert into whatsapp_numbers (id, account_id, provider, status) values ('num_dump', 'acc_old', 'simulator', 'hibernated');
      insert into whatsapp_leases (number_id, owner_id, fencing_token, expires_at) values ('num_dump', 'wrk_x', 9007199254740993, now());
      update orders set customer_name = $$O'Brien $akked_x$ "quoted" ١٢٣$$ where id = 'ord_old';`);
    const queue = await JobQueue.start({ database: source.database, logger: createLogger({ level: 'silent' }), schema: source.jobSchema, isSupervisor: false });
    await queue.register(ALL_JOBS);
    await queue.enqueue(vacuumJob, {}, { startAfter: new Date(Date.now() + 3_600_000) });
    await queue.stop();
  }, 180_000);

  afterAll(async () => {
    await source?.close();
    await rm(directory, { recursive: true, force: true });
    await restoreTarget?.drop();
  });

  it('restores with psql into an empty PostgreSQL: rows exact, pending jobs, row-level security, nothing left to migrate', async () => {
    const pieces: string[] = [];
    const result = await dumpDatabase({ source: source.database, jobSchema: source.jobSchema, write: async (text) => void pieces.push(text), batchSize: 2 });
    expect(result.rows).toMatchObject({ accounts: 1, orders: 1, whatsapp_leases: 1 });
    expect(result.jobs).toBe(1);
    const file = path.join(directory, 'dump.sql');
    await writeFile(file, pieces.join(''));
    restoreTarget = await createScratchDatabase('akked_restore');
    const url = new URL(restoreTarget.url);
    await run('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-d', url.toString(), '-f', file], { timeout: 120_000 });

    const restored = await openDatabase({ databaseUrl: url.toString(), dataDirectory: '/nonexistent', poolSize: 2, schema: source.database.schema });
    try {
      expect(await migrate(restored)).toMatchObject({ applied: [] });
      const [order] = await restored.query<{ customer_name: string }>('select customer_name from orders');
      expect(order?.customer_name).toBe(`O'Brien $akked_x$ "quoted" ١٢٣`);
      const [lease] = await restored.query<{ token: string }>('select fencing_token::text as token from whatsapp_leases');
      expect(lease?.token).toBe('9007199254740993');
      const [jobs] = await restored.query<{ count: number }>(`select count(*)::int as count from ${source.jobSchema}.job where name = $1 and state = 'created'`, [vacuumJob.name]);
      expect(jobs?.count).toBe(1);
      const unsecured = await restored.query(
        `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relrowsecurity`,
        [restored.schema],
      );
      expect(unsecured).toEqual([]);
    } finally {
      await restored.close();
    }
  }, 180_000);
});

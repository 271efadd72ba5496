import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { vacuumJob } from '../maintenance/vacuum-job.ts';
import type { JobContext } from '../services.ts';
import { purgeJob } from './purge-job.ts';

/**
 * The retention purge and the embedded database's VACUUM run by themselves in every worker
 * deployment: PGlite has no autovacuum, so the rows a purge deletes would otherwise never give
 * their space back.
 */
describe('scheduled retention and vacuum on the embedded database', () => {
  let testRuntime: TestRuntime;

  beforeAll(async () => {
    testRuntime = await startTestRuntime('pglite', { roles: { api: false, worker: true } });
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const context = (): JobContext => ({ services: testRuntime.runtime.services, jobId: 'test', retryCount: 0, isLastAttempt: false });

  it('schedules the purge daily and VACUUM every 10 minutes', async () => {
    const { database, jobSchema } = testRuntime.testDatabase;
    const schedules = await database.query<{ name: string; cron: string; timezone: string }>(`select name, cron, timezone from ${jobSchema}.schedule order by name`);
    expect(schedules).toEqual(
      expect.arrayContaining([
        { name: purgeJob.name, cron: '17 3 * * *', timezone: 'UTC' },
        { name: vacuumJob.name, cron: '*/10 * * * *', timezone: 'UTC' },
      ]),
    );
  });

  it('purges orders older than 12 months when its job runs', async () => {
    const { database } = testRuntime.testDatabase;
    await database.query("insert into accounts (id, name) values ('acc_purge_job', 'Purge job')");
    await database.query("insert into stores (id, account_id, platform, name) values ('sto_purge_job', 'acc_purge_job', 'generic', 'S')");
    for (const [id, ageDays] of [['ord_purge_job_old', 400], ['ord_purge_job_new', 10]] as const) {
      await database.query(
        `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, created_at)
         values ($1, 'acc_purge_job', 'sto_purge_job', 'generic', $1, $1, 'AK000000', 'confirmed', now(), 'SAR', '1.00', true, now() - $2 * interval '1 day')`,
        [id, ageDays],
      );
    }
    await purgeJob.handle({}, context());
    const left = await database.query<{ id: string }>("select id from orders where account_id = 'acc_purge_job'");
    expect(left).toEqual([{ id: 'ord_purge_job_new' }]);
  });

  it('gives the space of deleted rows back when the vacuum job runs', async () => {
    const { database } = testRuntime.testDatabase;
    await database.query('create table vacuum_probe (id integer, filler text)');
    await database.query("insert into vacuum_probe select i, repeat('x', 200) from generate_series(1, 20000) i");
    await database.query('delete from vacuum_probe');
    const sizeOf = async () => Number((await database.query<{ size: string }>("select pg_relation_size('vacuum_probe') as size"))[0]?.size);
    expect(await sizeOf()).toBeGreaterThan(1_000_000);
    await vacuumJob.handle({}, context());
    expect(await sizeOf()).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../test/harness/runtime.ts';
import { TEST_BACKENDS } from '../test/harness/database.ts';
import { waitUntil } from '../test/harness/flow.ts';
import { vacuumJob } from './maintenance/vacuum-job.ts';

describe.each(TEST_BACKENDS)('metrics read from the database on %s', (backend) => {
  let test: TestRuntime;

  beforeAll(async () => {
    test = await startTestRuntime(backend);
  }, 180_000);

  afterAll(async () => {
    await test?.stop();
  });

  const scrape = () => test.runtime.services.metrics.registry.metrics();

  it('counts WhatsApp numbers by status and the jobs waiting per job when scraped', async () => {
    const { database, queue } = test.runtime.services;
    await database.exec(`
      insert into accounts (id, name) values ('acc_metrics', 'Metrics');
      insert into whatsapp_numbers (id, account_id, provider, status) values
        ('num_m1', 'acc_metrics', 'simulator', 'logged_out'), ('num_m2', 'acc_metrics', 'simulator', 'logged_out'),
        ('num_m3', 'acc_metrics', 'simulator', 'banned');`);
    await queue.enqueue(vacuumJob, {}, { startAfter: new Date(Date.now() + 3_600_000) });

    const text = await waitUntil(scrape, (metrics) => new RegExp(`akked_jobs_waiting\\{job="${vacuumJob.name}"\\} 1`).test(metrics), 30_000, 'the waiting job');

    expect(text).toContain('akked_whatsapp_sessions{status="logged_out"} 2');
    expect(text).toContain('akked_whatsapp_sessions{status="banned"} 1');
    expect(text).toContain('# TYPE akked_outgoing_webhooks_total counter');
    expect(text).toContain('# TYPE akked_write_backs_total counter');
  }, 60_000);
});

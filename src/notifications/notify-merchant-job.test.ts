import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMerchant, type Merchant } from '../../test/harness/http.ts';
import { readOutbox, startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { notifyMerchantJob } from './notify-merchant-job.ts';

describe('merchant alerts', () => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;

  beforeAll(async () => {
    testRuntime = await startTestRuntime('pglite', { roles: { api: true, worker: false } });
    merchant = await createMerchant(testRuntime, { name: 'Amina <b>', language: 'ar' });
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const run = (kind: 'number_logged_out' | 'number_banned' | 'credits_exhausted') =>
    notifyMerchantJob.handle(
      { accountId: merchant.accountId, kind, numberId: 'num_alerted' },
      { services: testRuntime.runtime.services, jobId: 'job_test', retryCount: 0, isLastAttempt: false },
    );

  const alertsOf = async (kind: string) => (await readOutbox(testRuntime.dataDirectory)).filter((mail) => mail.to === merchant.email && mail.file.includes(kind));

  it('emails the merchant in their language when a number is logged out, with a link to the number', async () => {
    await run('number_logged_out');
    const [mail] = await alertsOf('number_logged_out');
    expect(mail?.subject).toContain('واتساب');
    expect(mail?.text).toContain(`${testRuntime.config.publicUrl}/numbers/num_alerted`);
    expect(mail?.html).toContain('dir="rtl"');
    expect(mail?.html).toContain('Amina &lt;b&gt;');
  });

  it('emails once when a number is banned', async () => {
    await run('number_banned');
    expect(await alertsOf('number_banned')).toHaveLength(1);
  });

  it('announces exhausted credits only while the balance is zero, and once until refilled', async () => {
    await run('credits_exhausted');
    expect(await alertsOf('credits_exhausted')).toHaveLength(0);
    await testRuntime.testDatabase.database.query('update accounts set credit_balance = 0 where id = $1', [merchant.accountId]);
    await run('credits_exhausted');
    await run('credits_exhausted');
    expect(await alertsOf('credits_exhausted')).toHaveLength(1);
  });
});

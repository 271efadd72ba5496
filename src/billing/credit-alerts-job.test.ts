import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { announceLowCredits } from './credit-alerts-job.ts';
import { consumeCredit, grantCredits, refundCredit } from './credits.ts';

describe.each(TEST_BACKENDS)('low credit announcements on %s', (backend) => {
  let testRuntime: TestRuntime;

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, { roles: { api: true, worker: false } });
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const database = () => testRuntime.testDatabase.database;
  const announce = () => announceLowCredits(testRuntime.runtime.services, testRuntime.config.plans);

  const createAccount = async (id: string, plan: string, credits: number) => {
    await database().query('insert into accounts (id, name, plan) values ($1, $1, $2)', [id, plan]);
    if (credits > 0) await grantCredits(database(), { accountId: id, kind: 'adjustment', credits, reason: 'test', reference: 'seed' });
  };

  const queuedAlerts = async () =>
    (
      await database().query<{ account: string }>(
        `select data->>'accountId' as account from ${testRuntime.testDatabase.jobSchema}.job where name = 'billing.email' and data->>'kind' = 'credits_low' order by 1`,
      )
    ).map((row) => row.account);

  it('announces each account once when its balance reaches its plan’s threshold, never at zero', async () => {
    await createAccount('acc_low_free', 'free', 10);
    await createAccount('acc_ok_free', 'free', 11);
    await createAccount('acc_low_starter', 'starter', 100);
    await createAccount('acc_ok_growth', 'growth', 501);
    await createAccount('acc_low_growth', 'growth', 500);
    await createAccount('acc_empty', 'free', 0);
    await createAccount('acc_low_unknown_plan', 'legacy', 3);
    expect((await announce()).sort()).toEqual(['acc_low_free', 'acc_low_growth', 'acc_low_starter', 'acc_low_unknown_plan']);
    expect(await announce()).toEqual([]);
    expect(await queuedAlerts()).toEqual(['acc_low_free', 'acc_low_growth', 'acc_low_starter', 'acc_low_unknown_plan']);
  });

  it('announces again after a grant refills the account, but not after a one-credit refund', async () => {
    await createAccount('acc_cycle', 'free', 12);
    await consumeCredit(database(), { accountId: 'acc_cycle', reference: 'msg_cycle_1', reason: 'confirmation' });
    expect(await announce()).not.toContain('acc_cycle');
    await consumeCredit(database(), { accountId: 'acc_cycle', reference: 'msg_cycle_2', reason: 'confirmation' });
    expect(await announce()).toContain('acc_cycle');
    await refundCredit(database(), { accountId: 'acc_cycle', messageId: 'msg_cycle_2', reason: 'not delivered' });
    await consumeCredit(database(), { accountId: 'acc_cycle', reference: 'msg_cycle_3', reason: 'confirmation' });
    expect(await announce()).not.toContain('acc_cycle');
    await grantCredits(database(), { accountId: 'acc_cycle', kind: 'top_up', credits: 100, reason: 'top-up', reference: 'cs_cycle' });
    expect(await announce()).not.toContain('acc_cycle');
    for (let index = 0; index < 100; index++) await consumeCredit(database(), { accountId: 'acc_cycle', reference: `msg_cycle_drain_${index}`, reason: 'confirmation' });
    expect(await announce()).toContain('acc_cycle');
    expect((await queuedAlerts()).filter((account) => account === 'acc_cycle')).toHaveLength(2);
  });
});

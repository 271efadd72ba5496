import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { AppError } from '../errors.ts';
import { consumeCredit, grantCredits, readBalance, refundCredit } from './credits.ts';

describe.each(TEST_BACKENDS)('credit ledger on %s', (backend) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  const createAccount = async (id: string, credits: number) => {
    await testDatabase.database.query('insert into accounts (id, name) values ($1, $2)', [id, id]);
    await grantCredits(testDatabase.database, { accountId: id, kind: 'free_allowance', credits, reason: 'test', reference: 'sign-up' });
  };

  const ledgerSum = async (accountId: string) => {
    const [row] = await testDatabase.database.query<{ sum: string }>('select coalesce(sum(credits), 0) as sum from credit_ledger where account_id = $1', [accountId]);

    return Number(row?.sum);
  };

  it('never overspends: 200 concurrent consumers with 10 credits left give exactly 10', async () => {
    await createAccount('acc_race', 10);
    const attempts = Array.from({ length: 200 }, (_, index) =>
      testDatabase.database.transaction((transaction) => consumeCredit(transaction, { accountId: 'acc_race', reference: `msg_${index}`, reason: 'confirmation' })),
    );
    const results = await Promise.allSettled(attempts);
    const succeeded = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    expect(succeeded).toHaveLength(10);
    expect(refused).toHaveLength(190);
    for (const result of refused) expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'no_credits' });
    expect(await readBalance(testDatabase.database, 'acc_race')).toBe(0);
    expect(await ledgerSum('acc_race')).toBe(0);
    // Exactly the ten winners left a consumption entry, each under its own reference.
    const consumptions = await testDatabase.database.query<{ reference: string }>("select reference from credit_ledger where account_id = 'acc_race' and kind = 'consumption'");
    expect(new Set(consumptions.map((row) => row.reference)).size).toBe(10);
    expect(consumptions).toHaveLength(10);
  });

  it('refuses a consumption with no credits, leaving the ledger untouched', async () => {
    await createAccount('acc_empty', 0);
    await expect(consumeCredit(testDatabase.database, { accountId: 'acc_empty', reference: 'msg_x', reason: 'confirmation' })).rejects.toBeInstanceOf(AppError);
    expect(await ledgerSum('acc_empty')).toBe(0);
  });

  it('grants and refunds once per reference, and keeps the balance equal to the ledger sum', async () => {
    await createAccount('acc_once', 1);
    await consumeCredit(testDatabase.database, { accountId: 'acc_once', reference: 'msg_1', reason: 'confirmation', storeId: 'sto_once' });
    expect(await refundCredit(testDatabase.database, { accountId: 'acc_once', messageId: 'msg_1', reason: '463' })).toBe(true);
    // The refund is booked to the store the consumption was for.
    const entries = await testDatabase.database.query<{ kind: string; store_id: string | null }>("select kind, store_id from credit_ledger where account_id = 'acc_once' order by kind");
    expect(entries).toEqual([
      { kind: 'consumption', store_id: 'sto_once' },
      { kind: 'free_allowance', store_id: null },
      { kind: 'refund', store_id: 'sto_once' },
    ]);
    expect(await refundCredit(testDatabase.database, { accountId: 'acc_once', messageId: 'msg_1', reason: '463' })).toBe(false);
    expect(await refundCredit(testDatabase.database, { accountId: 'acc_once', messageId: 'msg_never_consumed', reason: '463' })).toBe(false);
    expect(await grantCredits(testDatabase.database, { accountId: 'acc_once', kind: 'monthly_grant', credits: 100, reason: 'invoice', reference: 'in_1' })).toBe(true);
    expect(await grantCredits(testDatabase.database, { accountId: 'acc_once', kind: 'monthly_grant', credits: 100, reason: 'invoice', reference: 'in_1' })).toBe(false);
    expect(await readBalance(testDatabase.database, 'acc_once')).toBe(101);
    expect(await ledgerSum('acc_once')).toBe(101);
  });
});

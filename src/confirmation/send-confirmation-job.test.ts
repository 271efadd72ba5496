import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import type { Database } from '../db/database.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import { createLogger } from '../logger.ts';
import { notifyMerchantJob } from '../notifications/notify-merchant-job.ts';
import { followUpJob } from './follow-up-job.ts';
import { ConfirmationBatcher, sendConfirmationJob } from './send-confirmation-job.ts';

const silentLogger = createLogger({ level: 'silent' });

describe.each(TEST_BACKENDS)('confirmation jobs prepared in batches on %s', (backend) => {
  let testDatabase: TestDatabase;
  let queue: JobQueue;
  let counter = 0;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    queue = await JobQueue.start({ database: testDatabase.database, logger: silentLogger, schema: testDatabase.jobSchema, isSupervisor: false });
    await queue.register([sendConfirmationJob, followUpJob, notifyMerchantJob]);
  });

  afterAll(async () => {
    await queue?.stop();
    await testDatabase?.close();
  });

  /** An account with `credits`, its number (with `numberStatus`) and a store using it. */
  const createMerchant = async (options: { credits: number; numberStatus?: string }) => {
    const index = ++counter;
    const { database } = testDatabase;
    const accountId = `acc_batch_${index}`;
    await database.query('insert into accounts (id, name, credit_balance) values ($1, $2, $3)', [accountId, `Merchant ${index}`, options.credits]);
    await database.query("insert into whatsapp_numbers (id, account_id, provider, phone, status) values ($1, $2, 'simulator', $3, $4)", [
      `num_batch_${index}`,
      accountId,
      `+1555030${String(index).padStart(4, '0')}`,
      options.numberStatus ?? 'connected',
    ]);
    await database.query("insert into stores (id, account_id, platform, name, whatsapp_number_id, timezone, language) values ($1, $2, 'shopify', $3, $4, 'Asia/Riyadh', 'ar')", [
      `sto_batch_${index}`,
      accountId,
      `متجر ${index}`,
      `num_batch_${index}`,
    ]);

    return { accountId, storeId: `sto_batch_${index}` };
  };

  const createOrder = async (merchant: { accountId: string; storeId: string }) => {
    const index = ++counter;
    const orderId = `ord_batch_${index}`;
    await testDatabase.database.query(
      `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_name, customer_phone, items)
       values ($1, $2, $3, 'shopify', $1, $4, 'AKBATCH1', 'queued', now(), 'SAR', '120.00', true, 'سارة', $5, '[]')`,
      [orderId, merchant.accountId, merchant.storeId, `#${1000 + index}`, `+9665512${String(index).padStart(5, '0')}`],
    );

    return orderId;
  };

  /** The test database, counting the transactions it opens. */
  const counting = (): { database: Database; transactions: () => number } => {
    let transactions = 0;
    const { database } = testDatabase;

    return {
      database: {
        ...database,
        transaction: (work) => {
          transactions++;

          return database.transaction(work);
        },
      },
      transactions: () => transactions,
    };
  };

  const stateOf = async (orderId: string) => {
    const { database } = testDatabase;
    const [order] = await database.query<{ status: string; failure_reason: string | null }>('select status, failure_reason from orders where id = $1', [orderId]);
    const messages = await database.query<{ kind: string; status: string; text: string }>('select kind, status, text from messages where order_id = $1', [orderId]);
    const followUps = await database.query(`select 1 from ${testDatabase.jobSchema}.job where name = 'confirmation.follow-up' and data->>'orderId' = $1`, [orderId]);

    return { status: order?.status, failureReason: order?.failure_reason, messages, followUps: followUps.length };
  };

  const balanceOf = async (accountId: string): Promise<number> =>
    Number((await testDatabase.database.query<{ credit_balance: number }>('select credit_balance from accounts where id = $1', [accountId]))[0]?.credit_balance);

  it('prepares the jobs waiting together in one transaction: one question and one credit each, follow-ups planned, nothing twice', async () => {
    const first = await createMerchant({ credits: 10 });
    const second = await createMerchant({ credits: 10 });
    const orders = [await createOrder(first), await createOrder(first), await createOrder(second)];
    const { database, transactions } = counting();
    const batcher = new ConfirmationBatcher({ database, queue, logger: silentLogger });
    await Promise.all(orders.map((orderId) => batcher.prepare({ orderId })));
    expect(transactions()).toBe(1);
    for (const orderId of orders) {
      const state = await stateOf(orderId);
      expect(state).toMatchObject({ status: 'queued', messages: [{ kind: 'confirmation', status: 'queued' }], followUps: 1 });
      expect(state.messages[0]?.text).toMatch(/[\u0600-\u06FF]/);
    }
    expect(await balanceOf(first.accountId)).toBe(8);
    expect(await balanceOf(second.accountId)).toBe(9);
    const ledger = await testDatabase.database.query("select 1 from credit_ledger where account_id = $1 and kind = 'consumption'", [first.accountId]);
    expect(ledger).toHaveLength(2);

    // Retried jobs (or the same order twice in one batch) queue nothing more.
    await Promise.all([...orders, orders[0] ?? ''].map((orderId) => batcher.prepare({ orderId })));
    for (const orderId of orders) expect((await stateOf(orderId)).messages).toHaveLength(1);
    expect(await balanceOf(first.accountId)).toBe(8);
  });

  it('fails, within the batch, the orders that cannot be sent: no credit left, number logged out', async () => {
    const broke = await createMerchant({ credits: 1 });
    const loggedOut = await createMerchant({ credits: 10, numberStatus: 'logged_out' });
    const [paid, unpaid] = [await createOrder(broke), await createOrder(broke)];
    const orphaned = await createOrder(loggedOut);
    const batcher = new ConfirmationBatcher({ database: testDatabase.database, queue, logger: silentLogger });
    await Promise.all([paid, unpaid, orphaned].map((orderId) => batcher.prepare({ orderId })));
    const outcomes = [await stateOf(paid), await stateOf(unpaid)].sort((left, right) => String(left.status).localeCompare(String(right.status)));
    expect(outcomes).toMatchObject([
      { status: 'failed', failureReason: 'no_credits', messages: [], followUps: 0 },
      { status: 'queued', messages: [{ kind: 'confirmation' }], followUps: 1 },
    ]);
    expect(await balanceOf(broke.accountId)).toBe(0);
    expect(await stateOf(orphaned)).toMatchObject({ status: 'failed', failureReason: 'number_disconnected', messages: [] });
    const alerts = await testDatabase.database.query(`select 1 from ${testDatabase.jobSchema}.job where name = 'notifications.merchant-alert' and data->>'accountId' = $1`, [
      broke.accountId,
    ]);
    expect(alerts).toHaveLength(1);
  });

  it('asks nothing from a number WhatsApp keeps from writing first: the order waits for the customer’s link, no credit taken', async () => {
    const restricted = await createMerchant({ credits: 10 });
    await testDatabase.database.query("update whatsapp_numbers set first_contact_paused_until = now() + interval '1 hour' where id = (select whatsapp_number_id from stores where id = $1)", [
      restricted.storeId,
    ]);
    const orderId = await createOrder(restricted);
    await new ConfirmationBatcher({ database: testDatabase.database, queue, logger: silentLogger }).prepare({ orderId });
    expect(await stateOf(orderId)).toMatchObject({ status: 'failed', failureReason: 'reach_out_restricted', messages: [], followUps: 0 });
    expect(await balanceOf(restricted.accountId)).toBe(10);
  });

  it('prepares the other orders of a batch when one of them fails, and fails only that one', async () => {
    const merchant = await createMerchant({ credits: 10 });
    const [before, poisoned, after] = [await createOrder(merchant), await createOrder(merchant), await createOrder(merchant)];
    const { database } = testDatabase;
    // A fault on one order only: its message cannot be stored.
    await database.exec(`
      create function fail_poisoned_message() returns trigger language plpgsql as $$
      begin
        if new.order_id = '${poisoned}' then raise exception 'poisoned order'; end if;
        return new;
      end $$;
      create trigger fail_poisoned_message before insert on messages for each row execute function fail_poisoned_message();`);
    try {
      const batcher = new ConfirmationBatcher({ database, queue, logger: silentLogger });
      const results = await Promise.allSettled([before, poisoned, after].map((orderId) => batcher.prepare({ orderId })));
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await stateOf(before)).toMatchObject({ status: 'queued', messages: [{ kind: 'confirmation' }] });
      expect(await stateOf(after)).toMatchObject({ status: 'queued', messages: [{ kind: 'confirmation' }] });
      // Rolled back with its attempt: the job is retried, the credit was not spent.
      expect(await stateOf(poisoned)).toMatchObject({ status: 'queued', messages: [], followUps: 0 });
      expect(await balanceOf(merchant.accountId)).toBe(8);
    } finally {
      await database.exec('drop trigger fail_poisoned_message on messages; drop function fail_poisoned_message();');
    }
  });
});

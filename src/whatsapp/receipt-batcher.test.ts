import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import type { Database } from '../db/database.ts';
import { createLogger } from '../logger.ts';
import { ReceiptBatcher } from './receipt-batcher.ts';

const silentLogger = createLogger({ level: 'silent' });

describe.each(TEST_BACKENDS)('receipt batching on %s', (backend) => {
  let testDatabase: TestDatabase;
  let messageCounter = 0;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    const { database } = testDatabase;
    await database.query("insert into accounts (id, name) values ('acc_batcher', 'Batcher')");
    await database.query("insert into stores (id, account_id, platform, name) values ('sto_batcher', 'acc_batcher', 'generic', 'S')");
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  /** A confirmation recorded as sent; returns its provider id and a reader of message and order. */
  const sentConfirmation = async () => {
    const index = ++messageCounter;
    const { database } = testDatabase;
    await database.query(
      `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_phone)
       values ($1, 'acc_batcher', 'sto_batcher', 'generic', $1, '#1', 'AKTEST01', 'sent', now(), 'SAR', '10.00', true, '+966551230000')`,
      [`ord_batcher_${index}`],
    );
    await database.query(
      `insert into messages (id, account_id, order_id, number_id, direction, kind, text, status, customer_phone, provider_message_id, sent_at)
       values ($1, 'acc_batcher', $2, 'num_batcher', 'outbound', 'confirmation', 'hi', 'sent', '+966551230000', $3, now())`,
      [`msg_batcher_${index}`, `ord_batcher_${index}`, `WAID${index}`],
    );
    const read = async () => {
      const [message] = await database.query<{ status: string; error: string | null }>('select status, error from messages where id = $1', [`msg_batcher_${index}`]);
      const [order] = await database.query<{ status: string }>('select status from orders where id = $1', [`ord_batcher_${index}`]);

      return { message: message?.status, error: message?.error, order: order?.status };
    };

    return { providerMessageId: `WAID${index}`, read };
  };

  /** The test database, counting the statements and transactions it is asked for. */
  const counting = (): { database: Database; statements: () => number; transactions: () => number } => {
    let statements = 0;
    let transactions = 0;
    const { database } = testDatabase;
    const wrapped: Database = {
      ...database,
      query: (text, params) => {
        statements++;

        return database.query(text, params);
      },
      transaction: (work) => {
        transactions++;

        return database.transaction(work);
      },
    };

    return { database: wrapped, statements: () => statements, transactions: () => transactions };
  };

  it('applies the receipts that arrive within the delay in one statement, without a transaction', async () => {
    const first = await sentConfirmation();
    const second = await sentConfirmation();
    const { database, statements, transactions } = counting();
    const batcher = new ReceiptBatcher({ database, logger: silentLogger, delayMilliseconds: 30 });
    const results = await Promise.all([
      batcher.apply('num_batcher', { providerMessageId: first.providerMessageId, status: 'delivered', at: new Date() }),
      batcher.apply('num_batcher', { providerMessageId: second.providerMessageId, status: 'delivered', at: new Date() }),
      batcher.apply('num_batcher', { providerMessageId: first.providerMessageId, status: 'read', at: new Date() }),
      batcher.apply('num_batcher', { providerMessageId: second.providerMessageId, status: 'delivered', at: new Date() }),
    ]);
    expect(results).toEqual([true, true, true, true]);
    expect(statements()).toBe(1);
    expect(transactions()).toBe(0);
    expect(await first.read()).toMatchObject({ message: 'read', order: 'read' });
    expect(await second.read()).toMatchObject({ message: 'delivered', order: 'delivered' });
  });

  it('answers false for a receipt whose send is not recorded yet, so the session keeps it', async () => {
    const batcher = new ReceiptBatcher({ database: testDatabase.database, logger: silentLogger, delayMilliseconds: 5 });
    expect(await batcher.apply('num_batcher', { providerMessageId: 'WAID-UNKNOWN', status: 'delivered', at: new Date() })).toBe(false);
  });

  it('keeps the arrival order around a failed receipt, as if applied one by one', async () => {
    const failedBeforeDelivery = await sentConfirmation();
    const deliveredBeforeFailure = await sentConfirmation();
    const batcher = new ReceiptBatcher({ database: testDatabase.database, logger: silentLogger, delayMilliseconds: 30 });
    await Promise.all([
      batcher.apply('num_batcher', { providerMessageId: failedBeforeDelivery.providerMessageId, status: 'failed', at: new Date(), errorCode: '131049' }),
      batcher.apply('num_batcher', { providerMessageId: deliveredBeforeFailure.providerMessageId, status: 'delivered', at: new Date() }),
      // WhatsApp took this one to the phone: a later error report changes nothing.
      batcher.apply('num_batcher', { providerMessageId: deliveredBeforeFailure.providerMessageId, status: 'failed', at: new Date(), errorCode: '131049' }),
      batcher.apply('num_batcher', { providerMessageId: deliveredBeforeFailure.providerMessageId, status: 'read', at: new Date() }),
      // After the failure: a late read no longer changes the failed message.
      batcher.apply('num_batcher', { providerMessageId: failedBeforeDelivery.providerMessageId, status: 'read', at: new Date() }),
    ]);
    // Applied out of order, the first would end read and the second failed.
    expect(await failedBeforeDelivery.read()).toMatchObject({ message: 'failed', error: '131049', order: 'sent' });
    expect(await deliveredBeforeFailure.read()).toMatchObject({ message: 'read', error: null, order: 'read' });
  });

  it('applies the other receipts of a batch when one of them cannot be applied', async () => {
    const good = await sentConfirmation();
    const alsoGood = await sentConfirmation();
    const batcher = new ReceiptBatcher({ database: testDatabase.database, logger: silentLogger, delayMilliseconds: 30 });
    const results = await Promise.all([
      batcher.apply('num_batcher', { providerMessageId: good.providerMessageId, status: 'read', at: new Date() }),
      // A provider sent a time that is no time: this receipt is dropped, the batch is not.
      batcher.apply('num_batcher', { providerMessageId: alsoGood.providerMessageId, status: 'delivered', at: new Date(Number.NaN) }),
      batcher.apply('num_batcher', { providerMessageId: alsoGood.providerMessageId, status: 'delivered', at: new Date() }),
    ]);
    expect(results).toEqual([true, true, true]);
    expect(await good.read()).toMatchObject({ message: 'read', order: 'read' });
    expect(await alsoGood.read()).toMatchObject({ message: 'delivered', order: 'delivered' });
  });

  it('applies what waits when flushed (on shutdown), without waiting for the delay', async () => {
    const pending = await sentConfirmation();
    const batcher = new ReceiptBatcher({ database: testDatabase.database, logger: silentLogger, delayMilliseconds: 60_000 });
    const applied = batcher.apply('num_batcher', { providerMessageId: pending.providerMessageId, status: 'delivered', at: new Date() });
    await batcher.flush();
    expect(await applied).toBe(true);
    expect(await pending.read()).toMatchObject({ message: 'delivered' });
  });
});

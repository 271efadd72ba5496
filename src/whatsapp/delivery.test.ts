import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { applyReceipt, recordSent } from './delivery.ts';

describe.each(TEST_BACKENDS)('delivery receipts on %s', (backend) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    const { database } = testDatabase;
    await database.query("insert into accounts (id, name) values ('acc_receipts', 'Receipts')");
    await database.query("insert into stores (id, account_id, platform, name) values ('sto_receipts', 'acc_receipts', 'generic', 'S')");
    await database.query(
      `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_phone)
       values ('ord_receipts', 'acc_receipts', 'sto_receipts', 'generic', '1', '#1', 'AKTEST01', 'queued', now(), 'SAR', '10.00', true, '+966551230000')`,
    );
    await database.query(
      `insert into messages (id, account_id, order_id, number_id, direction, kind, text, status, customer_phone, sending_token)
       values ('msg_receipts', 'acc_receipts', 'ord_receipts', 'num_receipts', 'outbound', 'confirmation', 'hi', 'sending', '+966551230000', 7)`,
    );
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  const state = async () => {
    const [message] = await testDatabase.database.query<{ status: string; delivered_at: Date | null; read_at: Date | null }>("select status, delivered_at, read_at from messages where id = 'msg_receipts'");
    const [order] = await testDatabase.database.query<{ status: string }>("select status from orders where id = 'ord_receipts'");

    return { message: message?.status, order: order?.status, deliveredAt: message?.delivered_at, readAt: message?.read_at };
  };

  it('keeps a receipt that arrives before the send is recorded, for the caller to apply later', async () => {
    const applied = await testDatabase.database.transaction((transaction) =>
      applyReceipt(transaction, 'num_receipts', { providerMessageId: 'WAID1', status: 'delivered', at: new Date() }),
    );
    expect(applied).toBe(false);
  });

  it('moves message and order forward whatever order the receipts arrive in, never backwards', async () => {
    await testDatabase.database.transaction((transaction) => recordSent(transaction, { messageId: 'msg_receipts', sendingToken: 7, providerMessageId: 'WAID1', at: new Date() }));
    expect(await state()).toMatchObject({ message: 'sent', order: 'sent' });
    await testDatabase.database.transaction((transaction) => applyReceipt(transaction, 'num_receipts', { providerMessageId: 'WAID1', status: 'read', at: new Date() }));
    await testDatabase.database.transaction((transaction) => applyReceipt(transaction, 'num_receipts', { providerMessageId: 'WAID1', status: 'delivered', at: new Date() }));
    const after = await state();
    expect(after).toMatchObject({ message: 'read', order: 'read' });
    expect(after.deliveredAt).toBeInstanceOf(Date);
    expect(after.readAt).toBeInstanceOf(Date);
    await testDatabase.database.transaction((transaction) => applyReceipt(transaction, 'num_receipts', { providerMessageId: 'WAID1', status: 'failed', at: new Date(), errorCode: '131' }));
    expect(await state()).toMatchObject({ message: 'read', order: 'read' });
    const events = await testDatabase.database.query<{ status: string }>("select status from order_events where order_id = 'ord_receipts' order by at, id");
    expect(events.map((event) => event.status)).toEqual(['sent', 'read']);
  });

  it('ignores a send record from a stale sender (wrong fencing token)', async () => {
    await testDatabase.database.query(
      `insert into messages (id, account_id, number_id, direction, kind, text, status, customer_phone, sending_token)
       values ('msg_stale', 'acc_receipts', 'num_receipts', 'outbound', 'reminder', 'hi', 'sending', '+966551230000', 9)`,
    );
    await testDatabase.database.transaction((transaction) => recordSent(transaction, { messageId: 'msg_stale', sendingToken: 8, providerMessageId: 'WAID2', at: new Date() }));
    const [row] = await testDatabase.database.query<{ status: string; provider_message_id: string | null }>("select status, provider_message_id from messages where id = 'msg_stale'");
    expect(row).toEqual({ status: 'sending', provider_message_id: null });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { applyForwardReceipts, applyReceipt, receiptKey, recordSent } from './delivery.ts';

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
    await testDatabase.database.transaction((transaction) => recordSent(transaction, { numberId: 'num_receipts', messageId: 'msg_receipts', sendingToken: 7, providerMessageId: 'WAID1', at: new Date() }));
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

  it('ignores a failed receipt for a message already delivered (another device, a retry that came back)', async () => {
    await testDatabase.database.query(
      `insert into messages (id, account_id, number_id, direction, kind, text, status, customer_phone, sending_token, provider_message_id)
       values ('msg_delivered_then_failed', 'acc_receipts', 'num_receipts', 'outbound', 'reminder', 'hi', 'delivered', '+966551230000', 7, 'WAID_DELIVERED')`,
    );
    const applied = await testDatabase.database.transaction((transaction) =>
      applyReceipt(transaction, 'num_receipts', { providerMessageId: 'WAID_DELIVERED', status: 'failed', at: new Date(), errorCode: '479' }),
    );
    expect(applied).toBe(true);
    const [row] = await testDatabase.database.query<{ status: string; error: string | null }>("select status, error from messages where id = 'msg_delivered_then_failed'");
    expect(row).toEqual({ status: 'delivered', error: null });
  });

  it('ignores a send record from a stale sender (wrong fencing token)', async () => {
    await testDatabase.database.query(
      `insert into messages (id, account_id, number_id, direction, kind, text, status, customer_phone, sending_token)
       values ('msg_stale', 'acc_receipts', 'num_receipts', 'outbound', 'reminder', 'hi', 'sending', '+966551230000', 9)`,
    );
    await testDatabase.database.transaction((transaction) => recordSent(transaction, { numberId: 'num_receipts', messageId: 'msg_stale', sendingToken: 8, providerMessageId: 'WAID2', at: new Date() }));
    const [row] = await testDatabase.database.query<{ status: string; provider_message_id: string | null }>("select status, provider_message_id from messages where id = 'msg_stale'");
    expect(row).toEqual({ status: 'sending', provider_message_id: null });
  });
  /** An order with a confirmation already recorded as sent under `providerMessageId`. */
  const sentConfirmation = async (name: string, providerMessageId: string) => {
    const { database } = testDatabase;
    await database.query(
      `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_phone)
       values ($1, 'acc_receipts', 'sto_receipts', 'generic', $1, '#2', 'AKTEST02', 'sent', now(), 'SAR', '10.00', true, '+966551230000')`,
      [`ord_${name}`],
    );
    await database.query(
      `insert into messages (id, account_id, order_id, number_id, direction, kind, text, status, customer_phone, provider_message_id, sent_at)
       values ($1, 'acc_receipts', $2, 'num_batch', 'outbound', 'confirmation', 'hi', 'sent', '+966551230000', $3, now())`,
      [`msg_${name}`, `ord_${name}`, providerMessageId],
    );
  };

  const stateOf = async (name: string) => {
    const { database } = testDatabase;
    const [message] = await database.query<{ status: string; delivered_at: Date | null; read_at: Date | null }>('select status, delivered_at, read_at from messages where id = $1', [`msg_${name}`]);
    const [order] = await database.query<{ status: string }>('select status from orders where id = $1', [`ord_${name}`]);
    const events = await database.query<{ status: string; cause: string }>('select status, cause from order_events where order_id = $1 order by at, id', [`ord_${name}`]);

    return { message: message?.status, order: order?.status, deliveredAt: message?.delivered_at, readAt: message?.read_at, events };
  };

  it('applies a batch of receipts in one statement: the highest status wins, duplicates count once, one event per order', async () => {
    await sentConfirmation('batch_a', 'WAIDA');
    await sentConfirmation('batch_b', 'WAIDB');
    const deliveredAt = new Date(Date.now() - 2_000);
    const readAt = new Date(Date.now() - 1_000);
    const applied = await applyForwardReceipts(testDatabase.database, [
      { numberId: 'num_batch', receipt: { providerMessageId: 'WAIDA', status: 'read', at: readAt } },
      { numberId: 'num_batch', receipt: { providerMessageId: 'WAIDA', status: 'delivered', at: deliveredAt } },
      { numberId: 'num_batch', receipt: { providerMessageId: 'WAIDA', status: 'delivered', at: deliveredAt } },
      { numberId: 'num_batch', receipt: { providerMessageId: 'WAIDB', status: 'delivered', at: deliveredAt } },
      { numberId: 'num_batch', receipt: { providerMessageId: 'WAIDB', status: 'delivered', at: deliveredAt } },
      { numberId: 'num_batch', receipt: { providerMessageId: 'WAID-NOT-YET-RECORDED', status: 'delivered', at: deliveredAt } },
      { numberId: 'num_other', receipt: { providerMessageId: 'WAIDA', status: 'read', at: readAt } },
    ]);
    expect([...applied.keys()].sort()).toEqual([receiptKey('num_batch', 'WAIDA'), receiptKey('num_batch', 'WAIDB')]);
    const first = await stateOf('batch_a');
    expect(first).toMatchObject({ message: 'read', order: 'read', events: [{ status: 'read', cause: 'receipt' }] });
    expect(first.deliveredAt?.getTime()).toBe(deliveredAt.getTime());
    expect(first.readAt?.getTime()).toBe(readAt.getTime());
    expect(await stateOf('batch_b')).toMatchObject({ message: 'delivered', order: 'delivered', events: [{ status: 'delivered', cause: 'receipt' }] });
  });

  it('never lets a late delivered receipt overwrite read, nor move a decided order', async () => {
    await sentConfirmation('late', 'WAIDLATE');
    await applyForwardReceipts(testDatabase.database, [{ numberId: 'num_batch', receipt: { providerMessageId: 'WAIDLATE', status: 'read', at: new Date() } }]);
    await testDatabase.database.query("update orders set status = 'confirmed' where id = 'ord_late'");
    const applied = await applyForwardReceipts(testDatabase.database, [{ numberId: 'num_batch', receipt: { providerMessageId: 'WAIDLATE', status: 'delivered', at: new Date() } }]);
    expect(applied.size).toBe(1);
    expect(await stateOf('late')).toMatchObject({ message: 'read', order: 'confirmed', events: [{ status: 'read' }] });
  });

  it('records a send in one statement: message and order sent, the send counted on the number', async () => {
    const { database } = testDatabase;
    await database.query("insert into whatsapp_numbers (id, account_id, provider, phone, status) values ('num_counted', 'acc_receipts', 'simulator', '+15550209999', 'connected')");
    await database.query(
      `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_phone)
       values ('ord_counted', 'acc_receipts', 'sto_receipts', 'generic', 'counted', '#3', 'AKTEST03', 'queued', now(), 'SAR', '10.00', true, '+966551230000')`,
    );
    for (const [index, id] of ['msg_counted_1', 'msg_counted_2'].entries()) {
      await database.query(
        `insert into messages (id, account_id, order_id, number_id, direction, kind, text, status, customer_phone, sending_token)
         values ($1, 'acc_receipts', 'ord_counted', 'num_counted', 'outbound', $2, 'hi', 'sending', '+966551230000', 3)`,
        [id, index === 0 ? 'confirmation' : 'reminder'],
      );
      await recordSent(database, { numberId: 'num_counted', messageId: id, sendingToken: 3, providerMessageId: `WAIDC${index}`, at: new Date() });
    }
    const [number] = await database.query<{ sent_today: number; last_sent_at: Date | null }>("select sent_today, last_sent_at from whatsapp_numbers where id = 'num_counted'");
    expect(number?.sent_today).toBe(2);
    expect(number?.last_sent_at).toBeInstanceOf(Date);
    const [order] = await database.query<{ status: string; sent_at: Date | null }>("select status, sent_at from orders where id = 'ord_counted'");
    expect(order?.status).toBe('sent');
    expect(order?.sent_at).toBeInstanceOf(Date);
    const events = await database.query<{ status: string; cause: string }>("select status, cause from order_events where order_id = 'ord_counted'");
    expect(events).toEqual([{ status: 'sent', cause: 'server_ack' }]);
    const messages = await database.query<{ status: string }>("select status from messages where order_id = 'ord_counted' order by id");
    expect(messages.map((message) => message.status)).toEqual(['sent', 'sent']);
  });
});

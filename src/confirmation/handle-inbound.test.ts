import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { handleInboundMessage } from './handle-inbound.ts';

describe.each(TEST_BACKENDS)('inbound replies on %s', (backend) => {
  let testDatabase: TestDatabase;
  const enqueued: unknown[] = [];
  // Records the write-back the decision asks for; running jobs is the queue's business, tested there.
  const queue = { enqueue: async (...args: unknown[]) => void enqueued.push(args) } as unknown as JobQueue;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    const { database } = testDatabase;
    await database.query("insert into accounts (id, name) values ('acc_inbound', 'Inbound')");
    await database.query("insert into whatsapp_numbers (id, account_id, provider, phone, status) values ('num_inbound', 'acc_inbound', 'simulator', '+15550009999', 'connected')");
    await database.query("insert into stores (id, account_id, platform, name, whatsapp_number_id) values ('sto_inbound', 'acc_inbound', 'generic', 'Tienda', 'num_inbound')");
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  it('matches a reply from the phone WhatsApp knows the customer by, not only the order’s own', async () => {
    const { database } = testDatabase;
    await database.query(
      `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_phone, whatsapp_phone)
       values ('ord_mx', 'acc_inbound', 'sto_inbound', 'generic', 'mx1', '#1', 'AKMX0002', 'sent', now(), 'MXN', '10.00', true, '+5215512345678', '+525512345678')`,
    );
    const outcome = await handleInboundMessage({ database, queue }, { numberId: 'num_inbound' }, { providerMessageId: 'IN_MX_1', from: '+525512345678', text: '1', at: new Date() });
    expect(outcome).toBe('confirmed');
    const [order] = await database.query<{ status: string }>("select status from orders where id = 'ord_mx'");
    expect(order?.status).toBe('confirmed');
    // The thank-you goes to the phone WhatsApp knows, too.
    const [thanks] = await database.query<{ customer_phone: string }>("select customer_phone from messages where order_id = 'ord_mx' and kind = 'confirmed'");
    expect(thanks?.customer_phone).toBe('+525512345678');
    expect(enqueued).toHaveLength(1);
  });
});

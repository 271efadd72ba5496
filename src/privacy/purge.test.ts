import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { deliverShopifyWebhook, shopifyCodOrder, simulatorControl, simulatorMessages, waitUntil } from '../../test/harness/flow.ts';
import { appOf, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { findInEveryTable } from '../../test/harness/table-scan.ts';
import { createKeyring, toMasterKey } from '../crypto/envelope.ts';
import { createLogger } from '../logger.ts';
import { createDatabaseAuthState } from '../whatsapp/linked/auth-state-store.ts';
import { startSimulator, type RunningSimulator } from '../whatsapp/simulator/simulator-server.ts';
import { purge } from './purge.ts';

const keyring = createKeyring(toMasterKey(randomBytes(32).toString('base64')));
const DAY = 86_400_000;

describe.each(TEST_BACKENDS)('retention purge on %s', (backend) => {
  let testDatabase: TestDatabase;
  const asOf = new Date('2027-06-15T12:00:00.000Z');

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    const { database } = testDatabase;
    await database.query("insert into accounts (id, name) values ('acc_purge', 'Purge')");
    await database.query("insert into stores (id, account_id, platform, name) values ('sto_purge', 'acc_purge', 'generic', 'S')");
    const orders: [string, number, string][] = [
      ['ord_13_months', 395, '+966551230101'],
      ['ord_11_months', 335, '+966551230102'],
      ['ord_40_days', 40, '+966551230103'],
      ['ord_today', 0, '+966551230104'],
    ];
    for (const [id, ageDays, phone] of orders) {
      const createdAt = new Date(asOf.getTime() - ageDays * DAY);
      await database.query(
        `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_phone, customer_name, created_at)
         values ($1, 'acc_purge', 'sto_purge', 'generic', $1, $1, 'AK000000', 'confirmed', $2, 'SAR', '1.00', true, $3, 'Customer', $2)`,
        [id, createdAt, phone],
      );
      await database.query(
        `insert into messages (id, account_id, order_id, direction, kind, text, status, customer_phone, created_at)
         values ($1, 'acc_purge', $2, 'outbound', 'confirmation', 'please confirm', 'read', $3, $4)`,
        [`msg_${id}`, id, phone, createdAt],
      );
      await database.query("insert into order_events (id, account_id, order_id, status, cause, at) values ($1, 'acc_purge', $2, 'confirmed', 'customer_reply', $3)", [`evt_${id}`, id, createdAt]);
    }
    for (const [id, ageDays] of [['evt_stripe_100_days', 100], ['evt_stripe_80_days', 80]] as const) {
      await database.query("insert into stripe_events (id, type, received_at) values ($1, 'invoice.paid', $2)", [id, new Date(asOf.getTime() - ageDays * DAY)]);
    }
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  const options = (dryRun: boolean) => ({ database: testDatabase.database, keyring, jobSchema: testDatabase.jobSchema, logger: createLogger({ level: 'silent' }), asOf, dryRun, messageTextDays: 30 });

  it('counts without deleting in a dry run', async () => {
    const result = await purge(options(true));
    expect(result).toEqual({ asOf: asOf.toISOString(), dryRun: true, deleted: { orders: 1, messages: 1, events: 1, jobs: 0, stripeEvents: 1 }, blanked: { messages: 2 } });
    expect(await testDatabase.database.query('select id from orders')).toHaveLength(4);
    expect(await testDatabase.database.query('select id from stripe_events')).toHaveLength(2);
  });

  it('deletes what was received more than 12 months before --as-of, keeps 11 months, blanks old message text, and forgets Stripe event ids after 90 days', async () => {
    const result = await purge(options(false));
    expect(result).toEqual({ asOf: asOf.toISOString(), dryRun: false, deleted: { orders: 1, messages: 1, events: 1, jobs: 0, stripeEvents: 1 }, blanked: { messages: 2 } });
    // Stripe event ids are kept 90 days (a replay within them is still recognised), then dropped.
    expect(await testDatabase.database.query('select id from stripe_events')).toEqual([{ id: 'evt_stripe_80_days' }]);
    const orders = await testDatabase.database.query<{ id: string }>('select id from orders order by id');
    expect(orders.map((order) => order.id)).toEqual(['ord_11_months', 'ord_40_days', 'ord_today']);
    const texts = await testDatabase.database.query<{ id: string; text: string }>('select id, text from messages order by id');
    expect(texts).toEqual([
      { id: 'msg_ord_11_months', text: '' },
      { id: 'msg_ord_40_days', text: '' },
      { id: 'msg_ord_today', text: 'please confirm' },
    ]);
    const everything = JSON.stringify(await testDatabase.database.query("select * from orders, messages, order_events where orders.id = 'ord_13_months'"));
    expect(everything).toBe('[]');
    expect(await purge(options(false))).toMatchObject({ deleted: { orders: 0, messages: 0, events: 0, jobs: 0 }, blanked: { messages: 0 } });
  });
});

describe.each(TEST_BACKENDS)('retention purge in several batches on %s', (backend) => {
  let testDatabase: TestDatabase;
  const asOf = new Date('2027-06-15T12:00:00.000Z');

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    const { database } = testDatabase;
    await database.query("insert into accounts (id, name) values ('acc_batches', 'Batches')");
    await database.query("insert into stores (id, account_id, platform, name) values ('sto_batches', 'acc_batches', 'generic', 'S')");
    for (const [index, ageDays] of [400, 399, 398, 397, 396, 10].entries()) {
      const id = `ord_batch_${index}`;
      const createdAt = new Date(asOf.getTime() - ageDays * DAY);
      await database.query(
        `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, created_at)
         values ($1, 'acc_batches', 'sto_batches', 'generic', $1, $1, 'AK000000', 'confirmed', $2, 'SAR', '1.00', true, $2)`,
        [id, createdAt],
      );
      await database.query("insert into order_events (id, account_id, order_id, status, cause, at) values ($1, 'acc_batches', $2, 'received', 'webhook', $3)", [`evt_${id}`, id, createdAt]);
    }
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  it('deletes every old order when they take several batches', async () => {
    const result = await purge({ database: testDatabase.database, keyring, jobSchema: testDatabase.jobSchema, logger: createLogger({ level: 'silent' }), asOf, dryRun: false, messageTextDays: 30, batchSize: 2 });
    expect(result.deleted).toEqual({ orders: 5, messages: 0, events: 5, jobs: 0, stripeEvents: 0 });
    expect(await testDatabase.database.query('select id from orders')).toEqual([{ id: 'ord_batch_5' }]);
  });
});

/**
 * The retention promise end to end (DESIGN.md §1): a customer whose only order went through the
 * whole flow (webhook, confirmation over the simulated network, reply, thank-you, jobs, the linked
 * device's keys for their WhatsApp id) more than 12 months ago leaves no trace in any table of any
 * schema, job queue included, once the purge ran; a customer with a younger order keeps theirs.
 */
describe.each(TEST_BACKENDS)('retention purge after the confirmation flow on %s', (backend) => {
  const purged = { phone: '+966551230777', name: 'Ruqayya Oldorder', street: '77 Vanished Street', number: '#7701' };
  const kept = { phone: '+966551230888', name: 'Huda Keptorder', street: '88 Remaining Street', number: '#8801' };
  const tracesOf = (customer: typeof purged) => [customer.phone.slice(4), customer.name, customer.street];
  let simulator: RunningSimulator;
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let numberId: string;
  let merchantPhone: string;
  let store: { id: string; webhookSecret: string };

  beforeAll(async () => {
    simulator = await startSimulator({ deliveredAfterMs: 20, readAfterMs: 40 });
    testRuntime = await startTestRuntime(backend, { environment: { AKKED_WHATSAPP_SIMULATOR_URL: simulator.url, AKKED_FREE_CREDITS: '10' } });
    merchant = await createMerchant(testRuntime);
    const app = appOf(testRuntime);
    const auth = { authorization: `Bearer ${merchant.apiKey}` };
    const number = await app.inject({ method: 'POST', url: '/api/v1/whatsapp-numbers', headers: auth, payload: { provider: 'simulator' } });
    expect(number.statusCode, number.body).toBe(201);
    numberId = number.json().id;
    merchantPhone = number.json().phone;
    await waitUntil(
      async () => (await app.inject({ method: 'GET', url: `/api/v1/whatsapp-numbers/${numberId}`, headers: auth })).json().status,
      (status) => status === 'connected',
      20_000,
      'the simulator number to link',
    );
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: auth,
      payload: { name: 'Purge Store', platform: 'shopify', whatsappNumberId: numberId, defaultCountry: 'SA', timezone: 'Asia/Riyadh', language: 'en', webhookSecret: 'shopify-purge-secret' },
    });
    expect(created.statusCode, created.body).toBe(201);
    store = created.json();
  }, 90_000);

  afterAll(async () => {
    await testRuntime?.stop();
    await simulator?.close();
  });

  const orderStatus = async (externalId: string): Promise<string | null> => {
    const [row] = await testRuntime.testDatabase.database.query<{ status: string }>('select status from orders where store_id = $1 and external_id = $2', [store.id, externalId]);

    return row?.status ?? null;
  };

  it('leaves nothing of a customer whose order was received 13 months ago, in any table, and keeps the younger customer', async () => {
    const app = appOf(testRuntime);
    const { database, jobSchema } = testRuntime.testDatabase;
    for (const [index, customer] of [purged, kept].entries()) {
      const externalId = `${backend === 'pglite' ? 77 : 78}0000000000000000${index}`;
      const body = shopifyCodOrder({ id: externalId, number: customer.number, phone: customer.phone.replace('+966', '0'), name: customer.name, locale: 'en', addressLine: customer.street });
      const delivery = await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body });
      expect(delivery.statusCode, delivery.body).toBe(200);
      await waitUntil(() => orderStatus(externalId), (status) => status === 'read', 20_000, 'the read receipt');
      await simulatorControl(simulator.url, 'reply', { from: customer.phone, to: merchantPhone, text: 'yes' });
      await waitUntil(() => orderStatus(externalId), (status) => status === 'confirmed', 20_000, 'the confirmation');
      await waitUntil(() => simulatorMessages(simulator.url, customer.phone), (messages) => messages.length >= 2, 20_000, 'the thank-you message');
    }
    // What a linked device keeps about each customer: a session, a device list and the LID mapping.
    const authState = await createDatabaseAuthState({ database, keyring: testRuntime.runtime.services.keyring, numberId });
    for (const [index, customer] of [purged, kept].entries()) {
      const digits = customer.phone.slice(1);
      const lid = `9876543210${index}`;
      await authState.state.keys.set({
        session: { [`${digits}.0`]: randomBytes(20) },
        'device-list': { [digits]: ['0'] },
        'lid-mapping': { [digits]: lid, [`${lid}_reverse`]: digits },
      });
    }
    // The scan sees the customers before the purge (so its silence afterwards means something).
    const before = await findInEveryTable(database, tracesOf(purged));
    expect(before.map((hit) => hit.table.split('.')[1])).toEqual(expect.arrayContaining(['orders', 'messages', 'whatsapp_auth_keys']));
    await waitUntil(
      async () => (await database.query<{ active: string }>(`select count(*) as active from ${jobSchema}.job where state in ('created', 'retry', 'active')`))[0]?.active,
      (active) => Number(active) <= 3,
      20_000,
      'the jobs of both orders to finish',
    );

    // Received 13 months ago: the order, its messages, events and jobs.
    const [order] = await database.query<{ id: string }>('select id from orders where store_id = $1 and number = $2', [store.id, purged.number]);
    const receivedAt = new Date(Date.now() - 395 * DAY);
    await database.query('update orders set created_at = $2 where id = $1', [order?.id, receivedAt]);
    await database.query('update messages set created_at = $2 where order_id = $1', [order?.id, receivedAt]);
    await database.query('update order_events set at = $2 where order_id = $1', [order?.id, receivedAt]);
    const backdatedJobs = await database.query(`update ${jobSchema}.job set created_on = $2 where data->>'orderId' = $1 returning 1`, [order?.id, receivedAt]);
    expect(backdatedJobs.length).toBeGreaterThanOrEqual(1);

    const result = await purge({ database, keyring: testRuntime.runtime.services.keyring, jobSchema, logger: createLogger({ level: 'silent' }), asOf: new Date(), dryRun: false, messageTextDays: 30 });
    expect(result.deleted).toMatchObject({ orders: 1, jobs: backdatedJobs.length });
    expect(result.deleted.messages).toBeGreaterThanOrEqual(3);

    expect(await findInEveryTable(database, tracesOf(purged))).toEqual([]);
    const keptHits = (await findInEveryTable(database, tracesOf(kept))).map((hit) => hit.table.split('.')[1]);
    expect(keptHits).toEqual(expect.arrayContaining(['orders', 'messages', 'whatsapp_auth_keys']));
  });
});

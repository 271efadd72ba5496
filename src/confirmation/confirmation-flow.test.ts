import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { deliverShopifyWebhook, shopifyCodOrder, simulatorControl, simulatorMessages, waitUntil } from '../../test/harness/flow.ts';
import { appOf, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { readOutbox, startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { grantCredits } from '../billing/credits.ts';
import type { Database } from '../db/database.ts';

const grantCreditsForTest = (database: Database, accountId: string) =>
  grantCredits(database, { accountId, kind: 'adjustment', credits: 20, reason: 'test: refill', reference: `refill-${Date.now()}` });
import { startSimulator, type RunningSimulator } from '../whatsapp/simulator/simulator-server.ts';
import { startFakeStoreApi, type FakeStoreApi } from '../../test/harness/fake-store-api.ts';

/**
 * The confirmation flow in one process, as a merchant and a customer live it: a simulator number,
 * a Shopify store writing back to a fake Shopify, signed webhooks, replies through the simulated
 * network.
 */
describe.each(TEST_BACKENDS)('confirmation flow on %s', (backend) => {
  let simulator: RunningSimulator;
  let shopify: FakeStoreApi;
  let graph: FakeStoreApi;
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let store: { id: string; webhookSecret: string };
  let merchantPhone: string;
  let orderCounter = 0;

  beforeAll(async () => {
    simulator = await startSimulator({ deliveredAfterMs: 30, readAfterMs: 80 });
    shopify = await startFakeStoreApi();
    shopify.answerWith((request) => {
      const query = (request.body as { query?: string } | undefined)?.query ?? '';
      if (query.includes('note') && !query.includes('mutation')) return { body: { data: { order: { id: 'gid://shopify/Order/1', note: null } } } };

      return { body: { data: { tagsAdd: { userErrors: [] }, orderUpdate: { userErrors: [] } } } };
    });
    graph = await startFakeStoreApi();
    graph.answerWith(() => ({ body: { messaging_product: 'whatsapp', contacts: [{ input: 'x', wa_id: 'x' }], messages: [{ id: `wamid.${Math.random().toString(36).slice(2)}` }] } }));
    testRuntime = await startTestRuntime(backend, {
      environment: { AKKED_WHATSAPP_SIMULATOR_URL: simulator.url, AKKED_ALLOW_PRIVATE_OUTBOUND: 'true', AKKED_FREE_CREDITS: '20', AKKED_CLOUD_API_BASE_URL: `${graph.origin}/v23.0` },
    });
    merchant = await createMerchant(testRuntime, { language: 'ar' });
    const app = appOf(testRuntime);
    const auth = { authorization: `Bearer ${merchant.apiKey}` };
    const number = await app.inject({ method: 'POST', url: '/api/v1/whatsapp-numbers', headers: auth, payload: { provider: 'simulator' } });
    expect(number.statusCode, number.body).toBe(201);
    const numberId = number.json().id as string;
    merchantPhone = number.json().phone as string;
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
      payload: { name: 'دار العود', platform: 'shopify', whatsappNumberId: numberId, defaultCountry: 'SA', timezone: 'Asia/Riyadh', language: 'ar', webhookSecret: 'shopify-app-secret-123' },
    });
    expect(created.statusCode, created.body).toBe(201);
    store = created.json();
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${store.id}`,
      headers: auth,
      payload: { writeBack: { shopDomain: shopify.host, accessToken: 'shpat_test_token' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await testRuntime?.stop();
    await shopify?.close();
    await graph?.close();
    await simulator?.close();
  });

  const api = () => ({ authorization: `Bearer ${merchant.apiKey}` });

  const newOrder = (overrides: { phone?: string; locale?: string } = {}) => {
    orderCounter++;
    const id = `${backend === 'pglite' ? 9_007_199_254_740_993n : 9_107_199_254_740_993n}${orderCounter}`;

    return { id, number: `#${2000 + orderCounter}`, phone: overrides.phone ?? `+9665512300${String(orderCounter).padStart(2, '0')}`, locale: overrides.locale ?? 'ar' };
  };

  /** A counter of the runtime's /metrics, summed over the series matching `labels`. */
  const counted = async (name: string, labels: Record<string, string> = {}) => {
    const metric = await testRuntime.runtime.services.metrics.registry.getSingleMetric(name)?.get();

    return (metric?.values ?? [])
      .filter((value) => Object.entries(labels).every(([label, expected]) => value.labels[label] === expected))
      .reduce((sum, value) => sum + value.value, 0);
  };

  const orderOf = async (externalId: string, storeId = store.id) => {
    const list = await appOf(testRuntime).inject({ method: 'GET', url: `/api/v1/orders?storeId=${storeId}&limit=200`, headers: api() });
    const summary = (list.json().data as { id: string; externalId: string }[]).find((order) => order.externalId === externalId);
    if (!summary) return null;

    return (await appOf(testRuntime).inject({ method: 'GET', url: `/api/v1/orders/${summary.id}`, headers: api() })).json();
  };

  it('confirms an order from a webhook and its duplicates, on an Arabic "١", and tags it in Shopify', async () => {
    const order = newOrder();
    const body = shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone.replace('+966', '0'), locale: 'ar' });
    const app = appOf(testRuntime);
    const deliveries = await Promise.all([1, 2, 3].map(() => deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body, webhookId: 'same-delivery' })));
    for (const delivery of deliveries) expect(delivery.statusCode, delivery.body).toBe(200);
    expect(deliveries.map((delivery) => delivery.json().outcome).sort()).toEqual(['accepted', 'duplicate', 'duplicate']);

    const asked = await waitUntil(() => simulatorMessages(simulator.url, order.phone), (messages) => messages.length >= 1, 20_000, 'the confirmation message');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.from).toBe(merchantPhone);
    // Arabic writes «رقم الطلب: 2001», without the "#".
    expect(asked[0]?.text).toContain(`رقم الطلب: ${order.number.replace(/^#/, '')}`);
    expect(asked[0]?.text).toMatch(/[\u0600-\u06FF]/);
    await waitUntil(async () => (await orderOf(order.id))?.status, (status) => status === 'read', 20_000, 'the read receipt');

    await simulatorControl(simulator.url, 'reply', { from: order.phone, to: merchantPhone, text: '١' });
    const confirmed = await waitUntil(() => orderOf(order.id), (detail) => detail?.status === 'confirmed', 20_000, 'the confirmation');
    const thanks = await waitUntil(() => simulatorMessages(simulator.url, order.phone), (messages) => messages.length >= 2, 20_000, 'the thank-you message');
    expect(thanks).toHaveLength(2);
    expect(confirmed.messages.map((message: { kind: string }) => message.kind)).toEqual(['confirmation', 'reply', 'confirmed']);
    expect(confirmed.events.map((event: { status: string }) => event.status)).toEqual(expect.arrayContaining(['received', 'queued', 'sent', 'confirmed']));
    await waitUntil(async () => shopify.requests.filter((request) => JSON.stringify(request.body).includes('akked-confirmed')).length, (count) => count >= 1, 20_000, 'the Shopify tagsAdd');
    const mutation = shopify.requests.find((request) => JSON.stringify(request.body).includes('tagsAdd'));
    expect(mutation?.headers['x-shopify-access-token']).toBe('shpat_test_token');
    expect(JSON.stringify(mutation?.body)).toContain(`gid://shopify/Order/${order.id}`);
    // Each step counted where it happened.
    expect(await counted('akked_messages_total', { kind: 'confirmation', outcome: 'sent', reason: 'none' })).toBeGreaterThanOrEqual(1);
    expect(await counted('akked_messages_total', { kind: 'confirmed', outcome: 'sent' })).toBeGreaterThanOrEqual(1);
    expect(await counted('akked_credits_consumed_total')).toBeGreaterThanOrEqual(1);
    expect(await counted('akked_webhooks_received_total', { platform: 'shopify', outcome: 'duplicate' })).toBeGreaterThanOrEqual(2);
    await waitUntil(() => counted('akked_write_backs_total', { platform: 'shopify', outcome: 'written' }), (count) => count >= 1, 10_000, 'the write-back counted');
  });

  it('cancels an order when the customer answers 2, and sends the cancellation message', async () => {
    const order = newOrder();
    const app = appOf(testRuntime);
    await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
    await waitUntil(() => simulatorMessages(simulator.url, order.phone), (messages) => messages.length >= 1, 20_000, 'the confirmation message');
    await waitUntil(async () => (await orderOf(order.id))?.status, (status) => ['sent', 'delivered', 'read'].includes(status), 20_000, 'the send');
    await simulatorControl(simulator.url, 'reply', { from: order.phone, to: merchantPhone, text: '2' });
    await waitUntil(async () => (await orderOf(order.id))?.status, (status) => status === 'cancelled', 20_000, 'the cancellation');
    await waitUntil(() => simulatorMessages(simulator.url, order.phone), (messages) => messages.length >= 2, 20_000, 'the cancellation message');
    await waitUntil(async () => shopify.requests.filter((request) => JSON.stringify(request.body).includes('akked-cancelled')).length, (count) => count >= 1, 20_000, 'the Shopify cancel tag');
  });

  it('confirms on a reply that carries a NUL and an unpaired surrogate, storing its text cleaned', async () => {
    const order = newOrder();
    const app = appOf(testRuntime);
    await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
    await waitUntil(async () => (await orderOf(order.id))?.status, (status) => ['sent', 'delivered', 'read'].includes(status), 20_000, 'the send');
    await simulatorControl(simulator.url, 'reply', { from: order.phone, to: merchantPhone, text: 'yes\u0000 \ud800' });
    await waitUntil(async () => (await orderOf(order.id))?.status, (status) => status === 'confirmed', 20_000, 'the confirmation');
    const [reply] = await testRuntime.testDatabase.database.query<{ text: string }>("select text from messages where customer_phone = $1 and direction = 'inbound'", [order.phone]);
    expect(reply?.text).toBe('yes \ufffd');
  });

  it('asks once more on an unclear reply and ignores chats that are not about an order', async () => {
    const order = newOrder();
    const app = appOf(testRuntime);
    await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
    await waitUntil(async () => (await orderOf(order.id))?.status, (status) => ['sent', 'delivered', 'read'].includes(status), 20_000, 'the send');
    await simulatorControl(simulator.url, 'reply', { from: order.phone, to: merchantPhone, text: 'can I change the address?' });
    await waitUntil(() => simulatorMessages(simulator.url, order.phone), (messages) => messages.length >= 2, 20_000, 'the clarifying message');
    await simulatorControl(simulator.url, 'reply', { from: order.phone, to: merchantPhone, text: 'and the colour?' });
    await simulatorControl(simulator.url, 'reply', { from: '+966559999999', to: merchantPhone, text: 'hi, are you open today?' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await simulatorMessages(simulator.url, order.phone)).toHaveLength(2);
    expect(await simulatorMessages(simulator.url, '+966559999999')).toHaveLength(0);
    const stored = await testRuntime.testDatabase.database.query("select 1 from messages where customer_phone = '+966559999999'");
    expect(stored).toEqual([]);
    expect((await orderOf(order.id))?.status).not.toBe('confirmed');
  });

  it('confirms a dialect answer wrapped in a term of endearment, and never confirms a stop request that quotes the order code', async () => {
    const app = appOf(testRuntime);
    const [endeared, stopping] = [newOrder(), newOrder()];
    for (const order of [endeared, stopping]) await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
    for (const order of [endeared, stopping]) await waitUntil(async () => (await orderOf(order.id))?.status, (status) => ['sent', 'delivered', 'read'].includes(status), 20_000, 'the send');
    const { code } = await orderOf(stopping.id);
    await simulatorControl(simulator.url, 'reply', { from: endeared.phone, to: merchantPhone, text: 'تمام يا حبيبي، ابعتوها' });
    await simulatorControl(simulator.url, 'reply', { from: stopping.phone, to: merchantPhone, text: `STOP ${code}` });
    await waitUntil(async () => (await orderOf(endeared.id))?.status, (status) => status === 'confirmed', 20_000, 'the confirmation');
    await waitUntil(() => simulatorMessages(simulator.url, stopping.phone), (messages) => messages.length >= 2, 20_000, 'the clarifying message');
    expect((await orderOf(stopping.id))?.status).not.toBe('confirmed');
  });

  it('marks a cold contact reach_out_restricted, refunds the credit, and confirms through the customer-initiated link', async () => {
    const order = newOrder();
    const app = appOf(testRuntime);
    await simulatorControl(simulator.url, 'fail', { phone: order.phone, mode: 'reach_out_restricted' });
    const before = (await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: merchant.cookie } })).json().account.creditBalance;
    await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
    const failed = await waitUntil(() => orderOf(order.id), (detail) => detail?.status === 'failed', 20_000, 'the 463 failure');
    expect(failed.failureReason).toBe('reach_out_restricted');
    expect(await counted('akked_messages_total', { kind: 'confirmation', outcome: 'failed', reason: 'reach_out_restricted' })).toBeGreaterThanOrEqual(1);
    expect(failed.customerInitiatedLink).toMatch(new RegExp(`^https://wa\\.me/${merchantPhone.slice(1)}\\?text=`));
    const after = (await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: merchant.cookie } })).json().account.creditBalance;
    expect(after).toBe(before);
    const prefilled = decodeURIComponent(new URL(failed.customerInitiatedLink).searchParams.get('text') ?? '');
    expect(prefilled).toContain(failed.code);
    await simulatorControl(simulator.url, 'reply', { from: order.phone, to: merchantPhone, text: prefilled });
    await waitUntil(async () => (await orderOf(order.id))?.status, (status) => status === 'confirmed', 20_000, 'the customer-initiated confirmation');
  });

  it('falls back to the Cloud API template on a 463 when the store has one, and takes the reply there', async () => {
    const app = appOf(testRuntime);
    const cloudNumber = await app.inject({
      method: 'POST',
      url: '/api/v1/whatsapp-numbers',
      headers: api(),
      payload: { provider: 'cloud', phone: '+966500000777', cloud: { phoneNumberId: '106540352242922', accessToken: 'EAAG-test-token', appSecret: 'cloud-app-secret', verifyToken: 'verify-me' } },
    });
    expect(cloudNumber.statusCode, cloudNumber.body).toBe(201);
    const storeWithFallback = await app.inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: api(),
      payload: { name: 'Fallback store', platform: 'shopify', whatsappNumberId: (await app.inject({ method: 'GET', url: `/api/v1/stores/${store.id}`, headers: api() })).json().whatsappNumberId, defaultCountry: 'SA', webhookSecret: 'fallback-secret-123' },
    });
    const fallbackStoreId = storeWithFallback.json().id as string;
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${fallbackStoreId}`,
      headers: api(),
      payload: { cloudFallback: { whatsappNumberId: cloudNumber.json().id, templateName: 'order_confirmation', languageCode: 'ar', parameters: ['customer_name', 'order_number'] } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const order = newOrder();
    await simulatorControl(simulator.url, 'fail', { phone: order.phone, mode: 'reach_out_restricted' });
    await deliverShopifyWebhook(app, { storeId: fallbackStoreId, secret: 'fallback-secret-123', body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone, name: 'Fatima Al-Zahra' }) });
    const templateRequest = await waitUntil(
      async () => graph.requests.find((request) => (request.body as { to?: string } | undefined)?.to === order.phone.slice(1)),
      (request) => request !== undefined,
      20_000,
      'the template at the Cloud API',
    );
    expect(templateRequest?.path).toBe('/v23.0/106540352242922/messages');
    expect(templateRequest?.headers.authorization).toBe('Bearer EAAG-test-token');
    expect(templateRequest?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: order.phone.slice(1),
      type: 'template',
      template: { name: 'order_confirmation', language: { code: 'ar' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Fatima Al-Zahra' }, { type: 'text', text: order.number.replace(/^#/, '') }] }] },
    });
    const sent = await waitUntil(() => orderOf(order.id, fallbackStoreId), (detail) => detail?.status === 'sent', 20_000, 'the fallback send');
    expect(sent.events.map((event: { cause: string }) => event.cause)).toContain('reach_out_restricted_cloud_fallback');
    const reply = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '966500000777', phone_number_id: '106540352242922' }, contacts: [{ wa_id: order.phone.slice(1), profile: { name: 'Fatima' } }], messages: [{ from: order.phone.slice(1), id: 'wamid.reply1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: '1' } }] } }] }],
    });
    const delivered = await app.inject({
      method: 'POST',
      url: `/hooks/whatsapp-cloud/${cloudNumber.json().id}`,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', 'cloud-app-secret').update(reply).digest('hex')}` },
      payload: reply,
    });
    expect(delivered.statusCode, delivered.body).toBe(200);
    await waitUntil(async () => (await orderOf(order.id, fallbackStoreId))?.status, (status) => status === 'confirmed', 20_000, 'the confirmation through the Cloud API');
    await waitUntil(async () => graph.requests.filter((request) => (request.body as { type?: string } | undefined)?.type === 'text').length, (count) => count >= 1, 20_000, 'the thank-you from the Cloud number');
  });

  it('sends a reminder when the customer does not answer, then ends as no_response', async () => {
    const order = newOrder();
    const app = appOf(testRuntime);
    await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
    const detail = await waitUntil(() => orderOf(order.id), (value) => ['sent', 'delivered', 'read'].includes(value?.status), 20_000, 'the send');
    const pullForward = () =>
      testRuntime.testDatabase.database.query(
        `update ${testRuntime.testDatabase.jobSchema}.job set start_after = now() where name = 'confirmation.follow-up' and data->>'orderId' = $1 and state = 'created'`,
        [detail.id],
      );
    // Two hours pass: the reminder is due.
    const messagesAfterPull = async () => {
      await pullForward();

      return (await simulatorMessages(simulator.url, order.phone)).length;
    };
    await waitUntil(messagesAfterPull, (count) => count >= 2, 20_000, 'the reminder');
    // Two more hours: the order ends without an answer.
    const statusAfterPull = async () => {
      await pullForward();

      return (await orderOf(order.id))?.status as string | undefined;
    };
    await waitUntil(statusAfterPull, (status) => status === 'no_response', 20_000, 'no_response');
    const final = await orderOf(order.id);
    expect(final.messages.map((message: { kind: string }) => message.kind)).toEqual(['confirmation', 'reminder']);
  });

  it('holds an order that arrives in quiet hours until they end', async () => {
    const app = appOf(testRuntime);
    const now = new Date();
    const riyadhHour = (now.getUTCHours() + 3) % 24;
    const start = `${String(riyadhHour).padStart(2, '0')}:00`;
    const end = `${String((riyadhHour + 2) % 24).padStart(2, '0')}:00`;
    await app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(), payload: { quietHours: { start, end } } });
    try {
      const order = newOrder();
      await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
      const held = await waitUntil(() => orderOf(order.id), (detail) => detail?.status === 'queued', 20_000, 'the queued order');
      const sendAt = new Date(held.sendAt);
      expect(sendAt.getTime()).toBeGreaterThan(Date.now() + 60 * 60_000);
      expect((sendAt.getUTCHours() + 3) % 24).toBe((riyadhHour + 2) % 24);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await simulatorMessages(simulator.url, order.phone)).toHaveLength(0);
    } finally {
      await app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(), payload: { quietHours: null } });
    }
  });

  it('fails orders with no_credits once the balance is spent, never overspends, and emails the merchant once', async () => {
    const { database } = testRuntime.testDatabase;
    const [account] = await database.query<{ credit_balance: number }>('select credit_balance from accounts where id = $1', [merchant.accountId]);
    const balance = Number(account?.credit_balance);
    await database.query("insert into credit_ledger (id, account_id, kind, credits, reason) values ('led_test_adjust', $1, 'adjustment', $2, 'test: leave one credit')", [merchant.accountId, 1 - balance]);
    await database.query('update accounts set credit_balance = 1 where id = $1', [merchant.accountId]);
    const app = appOf(testRuntime);
    const orders = [newOrder(), newOrder(), newOrder()];
    await Promise.all(orders.map((order) => deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) })));
    const details = await waitUntil(
      () => Promise.all(orders.map((order) => orderOf(order.id))),
      (values) => values.every((detail) => detail && detail.status !== 'queued' && detail.status !== 'received'),
      20_000,
      'the three orders to be decided',
    );
    const failed = details.filter((detail) => detail.failureReason === 'no_credits');
    expect(failed).toHaveLength(2);
    const [after] = await database.query<{ credit_balance: number }>('select credit_balance from accounts where id = $1', [merchant.accountId]);
    expect(Number(after?.credit_balance)).toBe(0);
    const alerts = await waitUntil(
      async () => (await readOutbox(testRuntime.dataDirectory)).filter((mail) => mail.to === merchant.email && mail.file.includes('credits_exhausted')),
      (mails) => mails.length >= 1,
      20_000,
      'the credits email',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await readOutbox(testRuntime.dataDirectory)).filter((mail) => mail.to === merchant.email && mail.file.includes('credits_exhausted'))).toHaveLength(1);
    expect(alerts[0]?.subject).toBeTruthy();
    await grantCreditsForTest(database, merchant.accountId);
  });

  it('takes orders from custom integrations (POST /api/v1/orders) once, and hides other accounts\' stores', async () => {
    const app = appOf(testRuntime);
    const order = {
      storeId: store.id,
      platform: 'generic',
      externalId: `api-${backend}-1`,
      number: 'API-1',
      createdAt: new Date().toISOString(),
      currency: 'SAR',
      total: '150.00',
      paymentMethod: 'Cash on delivery',
      isCod: true,
      locale: 'en',
      customer: { name: 'Omar', phone: '+966551239950', phoneRaw: '0551239950', phoneProblem: null },
      shippingAddress: { line1: 'Olaya St', line2: null, city: 'Riyadh', region: null, postalCode: null, countryCode: 'SA' },
      items: [{ name: 'Oud oil', variant: '12 ml', sku: 'OUD-12', quantity: 1, unitPrice: '150.00' }],
    };
    const first = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: api(), payload: order });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ status: 'queued', isNew: true });
    const again = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: api(), payload: order });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, isNew: false });
    const other = await createMerchant(testRuntime);
    const foreign = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${other.apiKey}` }, payload: order });
    expect(foreign.statusCode).toBe(404);
    const foreignRead = await app.inject({ method: 'GET', url: `/api/v1/orders/${first.json().id}`, headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(foreignRead.statusCode).toBe(404);
    const invalid = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: api(), payload: { ...order, total: 'a lot' } });
    expect(invalid.statusCode).toBe(400);
  });

  it('lets the merchant resend after a failure, and decide by hand (written back to the store)', async () => {
    const order = newOrder();
    const app = appOf(testRuntime);
    await simulatorControl(simulator.url, 'fail', { phone: order.phone, mode: 'not_on_whatsapp' });
    await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
    const failed = await waitUntil(() => orderOf(order.id), (detail) => detail?.status === 'failed', 20_000, 'the not_on_whatsapp failure');
    expect(failed.failureReason).toBe('not_on_whatsapp');
    await simulatorControl(simulator.url, 'clear', { phone: order.phone });
    const resend = await app.inject({ method: 'POST', url: `/api/v1/orders/${failed.id}/resend`, headers: api() });
    expect(resend.statusCode, resend.body).toBe(202);
    await waitUntil(() => simulatorMessages(simulator.url, order.phone), (messages) => messages.length >= 1, 20_000, 'the resent question');
    const decided = await app.inject({ method: 'POST', url: `/api/v1/orders/${failed.id}/decision`, headers: api(), payload: { status: 'cancelled' } });
    expect(decided.statusCode, decided.body).toBe(200);
    const detail = await orderOf(order.id);
    expect(detail.status).toBe('cancelled');
    expect(detail.events.map((event: { cause: string }) => event.cause)).toEqual(expect.arrayContaining(['not_on_whatsapp', 'manual_resend', 'manual']));
    const confirmedOrder = (await app.inject({ method: 'POST', url: `/api/v1/orders/${failed.id}/resend`, headers: api() }));
    expect(confirmedOrder.statusCode).toBe(409);
  });

  it('cancels automatically after autoCancelAfterMinutes without an answer', async () => {
    const app = appOf(testRuntime);
    await app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(), payload: { autoCancelAfterMinutes: 60 } });
    try {
      const order = newOrder();
      await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
      const detail = await waitUntil(() => orderOf(order.id), (value) => ['sent', 'delivered', 'read'].includes(value?.status), 20_000, 'the send');
      const statusAfterAnHour = async () => {
        await testRuntime.testDatabase.database.query(
          `update ${testRuntime.testDatabase.jobSchema}.job set start_after = now() where name = 'confirmation.follow-up' and data->>'orderId' = $1 and data->>'step' = 'auto_cancel' and state = 'created'`,
          [detail.id],
        );

        return (await orderOf(order.id))?.status as string | undefined;
      };
      await waitUntil(statusAfterAnHour, (status) => status === 'cancelled', 20_000, 'the automatic cancellation');
      expect((await orderOf(order.id)).events.map((event: { cause: string }) => event.cause)).toContain('auto_cancel');
    } finally {
      await app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(), payload: { autoCancelAfterMinutes: null } });
    }
  });

  it('reports analytics computed from the orders above, for this account only', async () => {
    const app = appOf(testRuntime);
    const analytics = (await app.inject({ method: 'GET', url: `/api/v1/analytics?storeId=${store.id}`, headers: api() })).json();
    expect(analytics.totals.confirmed).toBeGreaterThanOrEqual(2);
    expect(analytics.totals.cancelled).toBeGreaterThanOrEqual(1);
    expect(analytics.totals.all).toBe(Object.entries(analytics.totals).filter(([key]) => key !== 'all').reduce((sum, [, count]) => sum + (count as number), 0));
    expect(analytics.confirmationRate).toBeGreaterThan(0);
    expect(analytics.confirmationRate).toBeLessThanOrEqual(1);
    expect(analytics.medianTimeToReplySeconds).toBeGreaterThanOrEqual(0);
    expect(analytics.creditsUsed).toBeGreaterThan(0);
    expect(analytics.perDay.at(-1).date).toBe(new Date().toISOString().slice(0, 10));
    const other = await createMerchant(testRuntime);
    const theirs = (await app.inject({ method: 'GET', url: '/api/v1/analytics', headers: { authorization: `Bearer ${other.apiKey}` } })).json();
    expect(theirs.totals.all).toBe(0);
    expect(theirs.confirmationRate).toBeNull();
  });

  it('refuses a forged webhook and stores nothing', async () => {
    const order = newOrder();
    const response = await deliverShopifyWebhook(appOf(testRuntime), { storeId: store.id, secret: 'not-the-secret', body: shopifyCodOrder({ id: order.id, number: order.number, phone: order.phone }) });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('invalid_signature');
    expect(await orderOf(order.id)).toBeNull();
  });

  it('holds back first messages while WhatsApp restricts the whole account, routes those orders to the customer’s link, and writes first again when it ends', async () => {
    const app = appOf(testRuntime);
    const numberId = (await app.inject({ method: 'GET', url: `/api/v1/stores/${store.id}`, headers: api() })).json().whatsappNumberId as string;
    const restricted = await fetch(`${simulator.url}/control/fail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: merchantPhone, mode: 'account_restricted', durationMs: 4_000 }),
    });
    expect(restricted.status).toBe(200);
    const paused = await waitUntil(
      async () => (await app.inject({ method: 'GET', url: `/api/v1/whatsapp-numbers/${numberId}`, headers: api() })).json(),
      (number) => number.firstContactPausedUntil !== null,
      20_000,
      'the number to stop writing first',
    );
    expect(paused.firstContactPauseReason).toBe('reach_out_timelock');
    const held = newOrder();
    await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: held.id, number: held.number, phone: held.phone }) });
    const failed = await waitUntil(() => orderOf(held.id), (detail) => detail?.status === 'failed', 20_000, 'the held order');
    expect(failed.failureReason).toBe('reach_out_restricted');
    expect(failed.customerInitiatedLink).toMatch(/^https:\/\/wa\.me\//);
    expect(await simulatorMessages(simulator.url, held.phone)).toEqual([]);
    await waitUntil(
      async () => (await readOutbox(testRuntime.dataDirectory)).some((email) => email.subject === 'قيّد واتساب رقمك مؤقتًا') && Date.parse(paused.firstContactPausedUntil) < Date.now(),
      (isOver) => isOver,
      20_000,
      'the restriction to end',
    );
    const after = newOrder();
    await deliverShopifyWebhook(app, { storeId: store.id, secret: store.webhookSecret, body: shopifyCodOrder({ id: after.id, number: after.number, phone: after.phone }) });
    await waitUntil(() => simulatorMessages(simulator.url, after.phone), (messages) => messages.length === 1, 20_000, 'the first message after the restriction');
  });
});

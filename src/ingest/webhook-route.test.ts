import { createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { deliverShopifyWebhook, shopifyCodOrder } from '../../test/harness/flow.ts';
import { appOf, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { readOutbox, startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { saveCredential } from '../credentials/credential-store.ts';
import { WEBHOOK_STORE_TTL_MS } from '../stores/stores.ts';
import type { Platform } from './order.ts';

const FIXTURES = new URL('../../test/fixtures/payloads/', import.meta.url);
const readFixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

/** A real webhook body of each platform (generic: the normalized order of DESIGN.md §5.4). */
const FIXTURE_BODIES: Record<Platform, string> = {
  shopify: readFixture('shopify-docs-sample-orders-create.json'),
  woocommerce: readFixture('woocommerce-docs-retrieve-order.json'),
  salla: readFixture('salla-order-created.json'),
  zid: readFixture('zid-sdk-python-order_detail.json'),
  youcan: readFixture('youcan-api-doc-order-create-response.json'),
  easyorders: readFixture('easyorders-docs-order-created.json'),
  generic: JSON.stringify({
    platform: 'generic',
    externalId: 'ext-1',
    number: '#1001',
    createdAt: '2026-05-01T10:00:00.000Z',
    currency: 'SAR',
    total: '199.00',
    paymentMethod: 'Cash on Delivery (COD)',
    isCod: true,
    locale: 'ar',
    customer: { name: 'Full Name', phone: '+966551234567', phoneRaw: '0551234567', phoneProblem: null },
    shippingAddress: { line1: 'Street 1', line2: null, city: 'Riyadh', region: null, postalCode: null, countryCode: 'SA' },
    items: [{ name: 'Oud', variant: null, sku: null, quantity: 1, unitPrice: '199.00' }],
  }),
};

/** Topics each platform announces in a header, including ones Akked ignores. */
const TOPIC_HEADERS: Partial<Record<Platform, { header: string; topics: string[] }>> = {
  shopify: { header: 'x-shopify-topic', topics: ['orders/create', 'orders/updated', 'orders/cancelled', 'customers/redact', 'customers/data_request', 'shop/redact', 'app/uninstalled'] },
  woocommerce: { header: 'x-wc-webhook-topic', topics: ['order.created', 'order.updated', 'order.deleted', 'product.created'] },
  youcan: { header: 'x-youcan-topic', topics: ['order.create', 'order.update', 'order.cancel'] },
};

const hmac = (key: string | Buffer, body: Buffer | string, encoding: 'base64' | 'hex'): string => createHmac('sha256', key).update(body).digest(encoding);

/** The headers and query with which each platform signs (or, for Zid, authenticates) a delivery. */
const signatureOf = (platform: Platform, secret: string, body: Buffer): { headers: Record<string, string>; query: string } => {
  switch (platform) {
    case 'shopify':
      return { headers: { 'x-shopify-hmac-sha256': hmac(secret, body, 'base64') }, query: '' };
    case 'woocommerce':
      return { headers: { 'x-wc-webhook-signature': hmac(secret, body, 'base64') }, query: '' };
    case 'salla':
      return { headers: { 'x-salla-signature': hmac(secret, body, 'hex') }, query: '' };
    case 'zid':
      return { headers: {}, query: `?token=${encodeURIComponent(secret)}` };
    case 'youcan':
      return { headers: { 'x-youcan-signature': hmac(secret, body, 'hex') }, query: '' };
    case 'easyorders':
      return { headers: { secret }, query: '' };
    case 'generic': {
      const id = `msg_${randomBytes(6).toString('hex')}`;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

      return { headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${hmac(key, Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]), 'base64')}` }, query: '' };
    }
  }
};

type JsonPath = (string | number)[];

/** Every path into a parsed fixture (objects and arrays), exact numbers counting as leaves. */
const pathsOf = (value: unknown, prefix: JsonPath = []): JsonPath[] => {
  if (value === null || typeof value !== 'object' || isLosslessNumber(value)) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);

  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
};

const readAt = (root: unknown, at: JsonPath): unknown => at.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);

const replaceAt = (root: unknown, at: JsonPath, replacement: unknown): void => {
  let node = root as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at.at(-1) as string | number] = replacement;
};

/** Text PostgreSQL refuses or that breaks naive code: NUL, unpaired surrogates, overrides, astral characters. */
const ODD_UNICODE = ['\u0000', 'x\u0000y', '\ud800', 'a\udc00b', '\ud83d', '\udfff\ud800', '😀\ud800', '\u202e\u2066', '\ufeff', '\uffff', '\u0085\u2028'];

const oddText = fc
  .tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...ODD_UNICODE), fc.string({ maxLength: 20 }))
  .map(([before, odd, after]) => `${before}${odd}${after}`);

/** A value nested `depth` arrays deep. */
const nested = (depth: number): unknown => (depth === 0 ? 'deep' : [nested(depth - 1)]);

/** Values a platform might send, or an attacker might: wrong types, huge numbers, long text, deep nesting, odd unicode. */
const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  oddText,
  fc.constantFrom(...ODD_UNICODE),
  fc.constantFrom(null, '', 0, -1, 1e308, -1e308, 5e-324, '99999999999999999999999', '1e400', 'NaN', '-0', '٠٥٥١٢٣٤٥٦٧', '<script>alert(1)</script>', 'x'.repeat(5000), 'ب'.repeat(100_000), true, [], {}, nested(200), '0000-00-00T00:00:00Z', '275760-09-13T00:00:00Z'),
);

/** A body for the platform: random bytes, random JSON, or its real fixture with fields replaced. */
const bodyFor = (platform: Platform) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
    fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
    fc.array(fc.tuple(fc.nat(), oddValue), { minLength: 1, maxLength: 4 }).map((changes) => {
      const body = parse(FIXTURE_BODIES[platform]);
      for (const [index, replacement] of changes) {
        const paths = pathsOf(body);
        const at = paths[index % paths.length];
        if (at) replaceAt(body, at, replacement);
      }

      return Buffer.from(stringify(body) ?? 'null');
    }),
    // Its real fixture with odd unicode inside text fields (names, addresses, ids): still an order.
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...ODD_UNICODE)), { minLength: 1, maxLength: 6 }).map((changes) => {
      const body = parse(FIXTURE_BODIES[platform]);
      const textPaths = pathsOf(body).filter((at) => typeof readAt(body, at) === 'string');
      for (const [index, odd] of changes) {
        const at = textPaths[index % textPaths.length];
        if (at) replaceAt(body, at, `${String(readAt(body, at))}${odd}`);
      }

      return Buffer.from(stringify(body) ?? 'null');
    }),
  );

const PLATFORMS: Platform[] = ['shopify', 'woocommerce', 'salla', 'zid', 'youcan', 'easyorders', 'generic'];

/**
 * `POST /hooks/:platform/:storeId` through HTTP, on an api-only runtime (no worker, so queued
 * jobs stay in the queue where the test counts them).
 */
describe.each(TEST_BACKENDS)('store webhook route on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let numberId: string;
  const shopifySecret = 'shopify-app-secret-route-test';

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, { roles: { api: true, worker: false } });
    merchant = await createMerchant(testRuntime);
    const number = await appOf(testRuntime).inject({
      method: 'POST',
      url: '/api/v1/whatsapp-numbers',
      headers: api(),
      payload: { provider: 'cloud', phone: '+966500000001', cloud: { phoneNumberId: '1234567890', accessToken: 'EAAG-token', appSecret: 'app-secret', verifyToken: 'verify-token' } },
    });
    expect(number.statusCode, number.body).toBe(201);
    numberId = number.json().id;
  }, 90_000);

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const api = () => ({ authorization: `Bearer ${merchant.apiKey}` });

  const createStore = async (platform: Platform, options: { withNumber?: boolean } = {}): Promise<{ id: string; webhookSecret: string }> => {
    const created = await appOf(testRuntime).inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: api(),
      payload: {
        name: `${platform} store`,
        platform,
        defaultCountry: 'SA',
        timezone: 'Asia/Riyadh',
        ...(platform === 'shopify' ? { webhookSecret: shopifySecret } : {}),
        ...(options.withNumber ? { whatsappNumberId: numberId } : {}),
      },
    });
    expect(created.statusCode, created.body).toBe(201);

    return created.json();
  };

  const database = () => testRuntime.testDatabase.database;

  const countOrders = async (storeId: string, externalId?: string): Promise<number> => {
    const [row] = await database().query<{ count: string }>(
      `select count(*) as count from orders where store_id = $1 ${externalId ? 'and external_id = $2' : ''}`,
      externalId ? [storeId, externalId] : [storeId],
    );

    return Number(row?.count);
  };

  const expectErrorBody = (response: { statusCode: number; body: string; headers: Record<string, unknown> }, status: number, code?: string): void => {
    expect(response.statusCode, response.body).toBe(status);
    expect(String(response.headers['content-type'])).toContain('application/json');
    const body = JSON.parse(response.body) as { error: { code: string; message: string } };
    expect(typeof body.error.code).toBe('string');
    expect(typeof body.error.message).toBe('string');
    if (code) expect(body.error.code).toBe(code);
  };

  it('stores ten concurrent deliveries of one order once, with one confirmation job', async () => {
    const store = await createStore('shopify', { withNumber: true });
    const externalId = '9007199254740993123';
    const body = shopifyCodOrder({ id: externalId, number: '#3001', phone: '+966551230001' });
    const app = appOf(testRuntime);

    const deliveries = await Promise.all(
      Array.from({ length: 10 }, (_, index) => deliverShopifyWebhook(app, { storeId: store.id, secret: shopifySecret, body, webhookId: `delivery-${index}` })),
    );

    for (const delivery of deliveries) expect(delivery.statusCode, delivery.body).toBe(200);
    expect(deliveries.filter((delivery) => delivery.json().outcome === 'accepted')).toHaveLength(1);
    expect(deliveries.filter((delivery) => delivery.json().outcome === 'duplicate')).toHaveLength(9);
    const orders = await database().query<{ id: string; status: string }>('select id, status from orders where store_id = $1 and external_id = $2', [store.id, externalId]);
    expect(orders).toHaveLength(1);
    expect(orders[0]?.status).toBe('queued');
    const jobs = await database().query<{ id: string }>(
      `select id from ${testRuntime.testDatabase.jobSchema}.job where name = 'confirmation.send' and data->>'orderId' = $1`,
      [orders[0]?.id],
    );
    expect(jobs).toHaveLength(1);
  });

  it('stores an order whose customer typed a NUL character, without the character', async () => {
    const store = await createStore('shopify', { withNumber: true });
    const body = shopifyCodOrder({ id: '4400000000000000001', number: '#3002', phone: '+966551230002', name: 'Sa\u0000ra Nul' });
    expect(body).toContain('\\u0000');
    const delivery = await deliverShopifyWebhook(appOf(testRuntime), { storeId: store.id, secret: shopifySecret, body });
    expect(delivery.statusCode, delivery.body).toBe(200);
    const [order] = await database().query<{ customer_name: string }>('select customer_name from orders where store_id = $1 and external_id = $2', [store.id, '4400000000000000001']);
    expect(order?.customer_name).toBe('Sara Nul');
  });

  it('stores an order with an unpaired surrogate in a field, as U+FFFD, and answers its redelivery as a duplicate', async () => {
    const store = await createStore('shopify', { withNumber: true });
    const body = shopifyCodOrder({ id: '4400000000000000003', number: '#3003', phone: '+966551230003', name: 'Lone \ud800 Surrogate', addressLine: 'Street \udc00 9' });
    expect(body).toContain('\\ud800');
    for (const outcome of ['accepted', 'duplicate']) {
      const delivery = await deliverShopifyWebhook(appOf(testRuntime), { storeId: store.id, secret: shopifySecret, body });
      expect(delivery.statusCode, delivery.body).toBe(200);
      expect(delivery.json().outcome).toBe(outcome);
    }
    const [order] = await database().query<{ customer_name: string }>('select customer_name from orders where store_id = $1', [store.id]);
    expect(order?.customer_name).toBe('Lone \ufffd Surrogate');
  });

  it('cleans a NUL in an order id the same way on the first delivery, the redelivery, the update and the cancellation', async () => {
    const store = await createStore('shopify', { withNumber: true });
    const body = shopifyCodOrder({ id: '44000\u000000000000004', number: '#3004', phone: '+966551230004' });
    const deliver = (topic: string) => deliverShopifyWebhook(appOf(testRuntime), { storeId: store.id, secret: shopifySecret, body, topic });
    expect((await deliver('orders/create')).json()).toMatchObject({ outcome: 'accepted' });
    expect((await deliver('orders/create')).json()).toMatchObject({ outcome: 'duplicate' });
    expect((await deliver('orders/updated')).json()).toMatchObject({ outcome: 'duplicate' });
    const cancellation = await deliver('orders/cancelled');
    expect(cancellation.statusCode, cancellation.body).toBe(200);
    const orders = await database().query<{ external_id: string; status: string }>('select external_id, status from orders where store_id = $1', [store.id]);
    expect(orders).toEqual([{ external_id: '4400000000000004', status: 'skipped' }]);
  });

  describe('answers any body without a server error', () => {
    it.each(PLATFORMS)('%s', async (platform) => {
      const store = await createStore(platform);
      const app = appOf(testRuntime);
      const topics = TOPIC_HEADERS[platform];

      await fc.assert(
        fc.asyncProperty(bodyFor(platform), fc.boolean(), fc.constantFrom(...(topics?.topics ?? ['none'])), async (body, signed, topic) => {
          const signature = signed ? signatureOf(platform, store.webhookSecret, body) : { headers: {}, query: '' };
          const ordersBefore = await countOrders(store.id);
          const response = await app.inject({
            method: 'POST',
            url: `/hooks/${platform}/${store.id}${signature.query}`,
            headers: { 'content-type': 'application/json', ...(topics ? { [topics.header]: topic } : {}), ...signature.headers },
            payload: body,
          });
          expect(response.statusCode, response.body).toBeLessThan(500);
          // An answer other than 2xx stored nothing: the platform retries it (or gives up) as refused.
          if (response.statusCode >= 300) expect(await countOrders(store.id)).toBe(ordersBefore);
          if (response.statusCode >= 400) expectErrorBody(response, response.statusCode);
          // Refused by the adapter's rules if at all, never by PostgreSQL: text is cleaned before it is stored.
          expect(response.body).not.toContain('cannot be stored');
          if (signed) {
            expect([200, 400]).toContain(response.statusCode);
          } else {
            // Only WooCommerce's creation ping (`webhook_id=NN`) is accepted unsigned.
            const isPing = platform === 'woocommerce' && /^webhook_id=\d+$/.test(body.toString('utf8').trim());
            expect(response.statusCode).toBe(isPing ? 200 : 401);
          }
        }),
        { numRuns: 60 },
      );
    });
  });

  describe('stores cached by this process', () => {
    const deliver = (storeId: string, secret: string, id: string) =>
      deliverShopifyWebhook(appOf(testRuntime), { storeId, secret, body: shopifyCodOrder({ id, number: `#${id}`, phone: '+966551239001' }) });

    it('accepts at once a secret set by another process, and keeps refusing forged signatures', async () => {
      const store = await createStore('shopify', { withNumber: true });
      expect((await deliver(store.id, shopifySecret, '9101')).json().outcome).toBe('accepted');
      // Another api process rotates the secret: this one's cache is not told.
      const rotated = 'shopify-secret-rotated-elsewhere';
      await saveCredential(database(), testRuntime.runtime.services.keyring, { accountId: merchant.accountId, ownerId: store.id, purpose: 'webhook-secrets', value: [rotated] });

      const withNewSecret = await deliver(store.id, rotated, '9102');
      const forged = await deliver(store.id, 'not-the-secret-at-all', '9103');

      expect(withNewSecret.statusCode, withNewSecret.body).toBe(200);
      expect(withNewSecret.json().outcome).toBe('accepted');
      expectErrorBody(forged, 401, 'invalid_signature');
      expect(await countOrders(store.id, '9103')).toBe(0);
    });

    it('applies a store change made through this process to the next webhook', async () => {
      const store = await createStore('shopify', { withNumber: true });
      expect((await deliver(store.id, shopifySecret, '9201')).json().status).toBe('queued');
      const patched = await appOf(testRuntime).inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(), payload: { whatsappNumberId: null } });
      expect(patched.statusCode, patched.body).toBe(200);

      const after = await deliver(store.id, shopifySecret, '9202');

      expect(after.json()).toMatchObject({ outcome: 'accepted', status: 'failed' });
    });

    it('sees a change made by another process once the cache time has passed', async () => {
      const store = await createStore('shopify', { withNumber: true });
      expect((await deliver(store.id, shopifySecret, '9301')).json().status).toBe('queued');
      await database().query('update stores set whatsapp_number_id = null where id = $1', [store.id]);
      expect((await deliver(store.id, shopifySecret, '9302')).json().status).toBe('queued');
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + WEBHOOK_STORE_TTL_MS + 1_000 });
      try {
        expect((await deliver(store.id, shopifySecret, '9303')).json().status).toBe('failed');
      } finally {
        vi.useRealTimers();
      }
    });

    it('answers 404 and stores nothing for a store deleted by another process while cached', async () => {
      const store = await createStore('shopify', { withNumber: true });
      expect((await deliver(store.id, shopifySecret, '9401')).json().outcome).toBe('accepted');
      await database().query('delete from stores where id = $1', [store.id]);

      const response = await deliver(store.id, shopifySecret, '9402');

      expectErrorBody(response, 404, 'not_found');
      expect(await countOrders(store.id)).toBe(0);
    });
  });

  it('answers 404 for an unknown store and for a store of another platform', async () => {
    const store = await createStore('shopify');
    const body = Buffer.from(shopifyCodOrder({ id: '4001', number: '#4001', phone: '+966551230041' }));
    const app = appOf(testRuntime);

    const unknown = await app.inject({ method: 'POST', url: '/hooks/shopify/sto_doesnotexist', headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': hmac(shopifySecret, body, 'base64') }, payload: body });
    expectErrorBody(unknown, 404, 'not_found');
    const otherPlatform = await app.inject({ method: 'POST', url: `/hooks/woocommerce/${store.id}`, headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-signature': hmac(shopifySecret, body, 'base64') }, payload: body });
    expectErrorBody(otherPlatform, 404, 'not_found');
    expect(await countOrders(store.id)).toBe(0);
  });

  it('answers 400 with the JSON error, and logs no error, for a repeated query parameter (?token=a&token=b)', async () => {
    const store = await createStore('zid');
    const body = Buffer.from(FIXTURE_BODIES.zid);
    const errorsBefore = testRuntime.logLines.filter((line) => Number(line.level) >= 50).length;
    const token = encodeURIComponent(store.webhookSecret);
    for (const query of [`?token=${token}&token=${token}`, `?token=${token}&token=other`, '?token=a&token=b']) {
      const response = await appOf(testRuntime).inject({ method: 'POST', url: `/hooks/zid/${store.id}${query}`, headers: { 'content-type': 'application/json' }, payload: body });
      expectErrorBody(response, 400, 'bad_request');
    }
    expect(testRuntime.logLines.filter((line) => Number(line.level) >= 50)).toHaveLength(errorsBefore);
    expect(await countOrders(store.id)).toBe(0);
  });

  it('answers 413 for a body over 1 MiB and 400 for malformed JSON with a valid signature', async () => {
    const store = await createStore('shopify');
    const app = appOf(testRuntime);
    const huge = Buffer.from(JSON.stringify({ id: 1, padding: 'x'.repeat(1024 * 1024) }));
    const tooLarge = await app.inject({ method: 'POST', url: `/hooks/shopify/${store.id}`, headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': hmac(shopifySecret, huge, 'base64') }, payload: huge });
    expectErrorBody(tooLarge, 413, 'payload_too_large');

    const malformed = Buffer.from('{"id": 5001, "name": "#5001",');
    const response = await app.inject({ method: 'POST', url: `/hooks/shopify/${store.id}`, headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': hmac(shopifySecret, malformed, 'base64') }, payload: malformed });
    expectErrorBody(response, 400, 'malformed_json');
    expect(await countOrders(store.id)).toBe(0);
  });

  describe('Shopify privacy webhooks', () => {
    const compliance = JSON.parse(readFixture('shopify-compliance-webhooks.json')) as Record<string, Record<string, unknown>>;

    const deliverPrivacy = (storeId: string, topic: 'customers/redact' | 'customers/data_request' | 'shop/redact', body: Record<string, unknown>) =>
      deliverShopifyWebhook(appOf(testRuntime), { storeId, secret: shopifySecret, topic, body: JSON.stringify(body) });

    const ingest = async (storeId: string, order: { id: string; number: string; phone: string; name: string }) => {
      const response = await deliverShopifyWebhook(appOf(testRuntime), { storeId, secret: shopifySecret, body: shopifyCodOrder(order) });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().outcome).toBe('accepted');
    };

    it('customers/redact erases that customer and leaves an audit row without personal data', async () => {
      const store = await createStore('shopify', { withNumber: true });
      await ingest(store.id, { id: '6001', number: '#6001', phone: '+966551236001', name: 'Layla Haddad' });
      await ingest(store.id, { id: '6002', number: '#6002', phone: '+966551236002', name: 'Omar Nasser' });
      const auditBefore = await database().query<{ id: string }>('select id from erasure_audit where account_id = $1', [merchant.accountId]);
      const orderIds = await database().query<{ id: string; external_id: string }>('select id, external_id from orders where store_id = $1 order by external_id', [store.id]);
      const sendJobsOf = async (orderId: string | undefined) =>
        database().query(`select 1 from ${testRuntime.testDatabase.jobSchema}.job where name = 'confirmation.send' and data->>'orderId' = $1`, [orderId]);
      expect(await sendJobsOf(orderIds[0]?.id)).toHaveLength(1);

      const response = await deliverPrivacy(store.id, 'customers/redact', {
        ...compliance['customers/redact'],
        customer: { id: 191167, email: 'layla@example.com', phone: '+966551236001' },
        orders_to_redact: [6001],
      });

      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().outcome).toBe('privacy');
      expect(await countOrders(store.id, '6001')).toBe(0);
      expect(await countOrders(store.id, '6002')).toBe(1);
      const customerRows = await database().query("select 1 from orders where customer_phone = '+966551236001' union all select 1 from messages where customer_phone = '+966551236001'");
      expect(customerRows).toEqual([]);
      // The erased customer's queued confirmation goes too; the other customer's stays.
      expect(await sendJobsOf(orderIds[0]?.id)).toEqual([]);
      expect(await sendJobsOf(orderIds[1]?.id)).toHaveLength(1);
      const audit = await database().query<{ id: string; kind: string; counts: Record<string, number> }>(
        'select id, kind, counts from erasure_audit where account_id = $1 and not (id = any($2::text[]))',
        [merchant.accountId, auditBefore.map((row) => row.id)],
      );
      expect(audit).toHaveLength(1);
      expect(audit[0]?.kind).toBe('shopify_customer_redact');
      expect(audit[0]?.counts.orders).toBe(1);
      const auditText = JSON.stringify(audit);
      for (const personal of ['551236001', 'Layla', 'Haddad', 'layla@example.com']) expect(auditText).not.toContain(personal);
    });

    it('shop/redact erases every order of the store', async () => {
      const store = await createStore('shopify', { withNumber: true });
      const other = await createStore('shopify', { withNumber: true });
      await ingest(store.id, { id: '7001', number: '#7001', phone: '+966551237001', name: 'Sara Ali' });
      await ingest(store.id, { id: '7002', number: '#7002', phone: '+966551237002', name: 'Huda Saleh' });
      await ingest(other.id, { id: '7003', number: '#7003', phone: '+966551237003', name: 'Nour Adel' });

      const response = await deliverPrivacy(store.id, 'shop/redact', compliance['shop/redact'] as Record<string, unknown>);

      expect(response.statusCode, response.body).toBe(200);
      expect(await countOrders(store.id)).toBe(0);
      expect(await countOrders(other.id)).toBe(1);
      const jobs = await database().query(`select 1 from ${testRuntime.testDatabase.jobSchema}.job where data->>'storeId' = $1`, [store.id]);
      expect(jobs).toEqual([]);
      const [audit] = await database().query<{ kind: string; counts: Record<string, number> }>(
        "select kind, counts from erasure_audit where account_id = $1 and kind = 'shopify_shop_redact' order by at desc limit 1",
        [merchant.accountId],
      );
      expect(audit?.counts.orders).toBe(2);
    });

    it('customers/data_request emails the merchant the customer orders as a JSON attachment', async () => {
      const store = await createStore('shopify', { withNumber: true });
      await ingest(store.id, { id: '8001', number: '#8001', phone: '+966551238001', name: 'Rania Fares' });
      await ingest(store.id, { id: '8002', number: '#8002', phone: '+966551238002', name: 'Other Customer' });
      const emailsBefore = (await readOutbox(testRuntime.dataDirectory)).length;

      const response = await deliverPrivacy(store.id, 'customers/data_request', {
        ...compliance['customers/data_request'],
        customer: { id: 191167, email: 'rania@example.com', phone: '+966551238001' },
        orders_requested: [8001],
      });

      expect(response.statusCode, response.body).toBe(200);
      const emails = (await readOutbox(testRuntime.dataDirectory)).slice(emailsBefore);
      const request = emails.find((email) => email.to.includes(merchant.email));
      expect(request, JSON.stringify(emails.map((email) => email.subject))).toBeDefined();
      const raw = await readFile(path.join(testRuntime.dataDirectory, 'outbox', request?.file ?? ''), 'utf8');
      const attachment = raw.split(/^--.+$/m).find((part) => /Content-Type: application\/json/i.test(part)) ?? '';
      expect(attachment).toMatch(/filename=.?customer-data\.json/);
      const [headers = '', ...content] = attachment.split(/\r?\n\r?\n/);
      const encoded = content.join('\n\n').trim();
      const json = /base64/i.test(headers) ? Buffer.from(encoded.replace(/\s+/g, ''), 'base64').toString('utf8') : encoded;
      const orders = JSON.parse(json) as { number: string; customerPhone?: string }[];
      expect(orders.map((order) => order.number)).toEqual(['#8001']);
      expect(json).not.toContain('#8002');
    });
  });
});

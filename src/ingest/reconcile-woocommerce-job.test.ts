import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { waitUntil } from '../../test/harness/flow.ts';
import { appOf, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { AppError } from '../errors.ts';
import { startFakeStoreApi, type FakeStoreApi, type RecordedRequest } from '../../test/harness/fake-store-api.ts';
import { reconcileWooCommerceJob, reconcileWooCommerceStore, type ReconcilePayload } from './reconcile-woocommerce-job.ts';

const FIXTURE = new URL('../../test/fixtures/payloads/woocommerce-docs-retrieve-order.json', import.meta.url);
const ORDERS_PATH = '/wp-json/wc/v3/orders';
const CONSUMER_KEY = 'ck_reconcile_test_key';
const CONSUMER_SECRET = 'cs_reconcile_test_secret';

/** WooCommerce writes GMT times without a zone. */
const wooTime = (date: Date): string => date.toISOString().slice(0, 19);

/** A real WooCommerce REST order (the documented sample) as a COD order of a customer in Saudi Arabia. */
const wooOrder = (id: number, createdAt: Date, status = 'processing'): Record<string, unknown> => {
  const body = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  const phone = `05512${String(id).padStart(5, '0').slice(-5)}`;
  Object.assign(body, {
    id,
    number: String(id),
    status,
    currency: 'SAR',
    payment_method: 'cod',
    payment_method_title: 'Cash on delivery',
    date_created: wooTime(new Date(createdAt.getTime() + 3 * 3_600_000)),
    date_created_gmt: wooTime(createdAt),
  });
  for (const field of ['billing', 'shipping'] as const) {
    Object.assign(body[field] as Record<string, unknown>, { country: 'SA', city: 'Riyadh', phone });
  }

  return body;
};

/**
 * A WooCommerce REST API for several sites on one local server (`<origin>/<site>`): answers
 * `GET /wp-json/wc/v3/orders` like WooCommerce does (orders created after `after`, oldest first,
 * `per_page`/`page` with `X-WP-Total` and `X-WP-TotalPages`), only to the right Basic credentials.
 */
const serveWooCommerceSites = (fake: FakeStoreApi, sites: Map<string, Record<string, unknown>[]>): void => {
  const expectedAuthorization = `Basic ${Buffer.from(`${CONSUMER_KEY}:${CONSUMER_SECRET}`).toString('base64')}`;
  fake.answerWith((request: RecordedRequest) => {
    const site = [...sites.keys()].find((name) => request.path === `/${name}${ORDERS_PATH}`);
    if (request.method !== 'GET' || site === undefined) return { status: 404, body: { code: 'rest_no_route', message: 'No route was found' } };
    if (request.headers.authorization !== expectedAuthorization) return { status: 401, body: { code: 'woocommerce_rest_cannot_view' } };
    const after = Date.parse(`${request.query.after ?? '1970-01-01T00:00:00'}Z`);
    const matching = (sites.get(site) ?? [])
      .filter((order) => Date.parse(`${String(order.date_created_gmt)}Z`) > after)
      .sort((first, second) => String(first.date_created_gmt).localeCompare(String(second.date_created_gmt)) || Number(first.id) - Number(second.id));
    const perPage = Number(request.query.per_page ?? '10');
    const page = Number(request.query.page ?? '1');

    return {
      headers: { 'x-wp-total': String(matching.length), 'x-wp-totalpages': String(Math.ceil(matching.length / perPage)) },
      body: matching.slice((page - 1) * perPage, page * perPage),
    };
  });
};

/** A loopback port where nothing listens: connections are refused. */
const closedPort = async (): Promise<number> => {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));

  return port;
};

describe.each(TEST_BACKENDS)('WooCommerce reconciliation on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let fake: FakeStoreApi;
  const sites = new Map<string, Record<string, unknown>[]>();

  beforeAll(async () => {
    fake = await startFakeStoreApi();
    serveWooCommerceSites(fake, sites);
    testRuntime = await startTestRuntime(backend, { environment: { AKKED_ALLOW_PRIVATE_OUTBOUND: 'true' } });
    merchant = await createMerchant(testRuntime);
  }, 90_000);

  afterAll(async () => {
    await testRuntime?.stop();
    await fake?.close();
  });

  const api = () => ({ authorization: `Bearer ${merchant.apiKey}` });

  /** A WooCommerce store of the merchant whose write-back credentials point at `storeUrl`. */
  const createWooStore = async (name: string, storeUrl: string): Promise<{ id: string; webhookSecret: string }> => {
    const app = appOf(testRuntime);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: api(),
      payload: { name, platform: 'woocommerce', defaultCountry: 'SA', timezone: 'Asia/Riyadh', language: 'ar' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const store = created.json<{ id: string; webhookSecret: string }>();
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${store.id}`,
      headers: api(),
      payload: { writeBack: { storeUrl, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET } },
    });
    expect(patched.statusCode, patched.body).toBe(200);

    return store;
  };

  const runJob = (payload: ReconcilePayload) =>
    reconcileWooCommerceJob.handle(payload, { services: testRuntime.runtime.services, jobId: 'test', retryCount: 0, isLastAttempt: false });

  const ordersOf = (storeId: string) =>
    testRuntime.testDatabase.database.query<{ id: string; external_id: string; status: string }>(
      'select id, external_id, status from orders where store_id = $1 order by external_id',
      [storeId],
    );

  const reconciledOrderIds = async (storeId: string): Promise<string[]> =>
    (
      await testRuntime.testDatabase.database.query<{ external_id: string }>(
        `select distinct o.external_id from order_events e join orders o on o.id = e.order_id
         where o.store_id = $1 and e.cause = 'reconciliation' order by o.external_id`,
        [storeId],
      )
    ).map((row) => row.external_id);

  const listRequestsOf = (site: string) => fake.requests.filter((request) => request.path === `/${site}${ORDERS_PATH}`);

  it('ingests the orders whose webhook never arrived, once, and skips drafts and cancelled orders', async () => {
    const site = 'shop-missed';
    const store = await createWooStore('متجر العود', `${fake.origin}/${site}`);
    const now = Date.now();
    const orders = [wooOrder(501, new Date(now - 60_000)), wooOrder(502, new Date(now - 40_000)), wooOrder(503, new Date(now - 20_000))];
    sites.set(site, [...orders, wooOrder(504, new Date(now - 10_000), 'checkout-draft'), wooOrder(505, new Date(now - 5_000), 'cancelled')]);

    // Order 502 was delivered by webhook; 501 and 503 were lost.
    const body = JSON.stringify(orders[1]);
    const delivered = await appOf(testRuntime).inject({
      method: 'POST',
      url: `/hooks/woocommerce/${store.id}`,
      headers: {
        'content-type': 'application/json',
        'x-wc-webhook-topic': 'order.created',
        'x-wc-webhook-signature': createHmac('sha256', store.webhookSecret).update(body).digest('base64'),
        'x-wc-webhook-delivery-id': '9001',
      },
      payload: body,
    });
    expect(delivered.statusCode, delivered.body).toBe(200);
    expect(delivered.json().outcome).toBe('accepted');

    await runJob({ storeId: store.id, accountId: merchant.accountId });

    expect((await ordersOf(store.id)).map((order) => order.external_id)).toEqual(['501', '502', '503']);
    expect(await reconciledOrderIds(store.id)).toEqual(['501', '503']);
    const [firstList] = listRequestsOf(site);
    expect(firstList?.headers.authorization).toBe(`Basic ${Buffer.from(`${CONSUMER_KEY}:${CONSUMER_SECRET}`).toString('base64')}`);
    expect(firstList?.query).toMatchObject({ dates_are_gmt: 'true', orderby: 'date', order: 'asc', page: '1' });
    // The first run starts at the store's creation (less the clock overlap), not at the dawn of time.
    const after = Date.parse(`${firstList?.query.after}Z`);
    expect(after).toBeGreaterThan(now - 60 * 60_000);
    expect(after).toBeLessThan(now);
  });

  it('creates nothing when run again, and lists from where the last run got to', async () => {
    const site = 'shop-again';
    const store = await createWooStore('Dar Al Oud', `${fake.origin}/${site}`);
    const now = Date.now();
    sites.set(site, [wooOrder(601, new Date(now - 30_000)), wooOrder(602, new Date(now - 15_000))]);

    const first = await reconcileWooCommerceStore(testRuntime.runtime.services, store.id, merchant.accountId);
    expect(first).toMatchObject({ ingested: 2, known: 0 });
    const ordersAfterFirst = await ordersOf(store.id);
    expect(ordersAfterFirst).toHaveLength(2);
    const readCursor = async () =>
      (await testRuntime.testDatabase.database.query<{ reconciled_until: Date }>('select reconciled_until from stores where id = $1', [store.id]))[0]?.reconciled_until.getTime();
    const cursorAfterFirst = await readCursor();
    expect(cursorAfterFirst).toBe(first?.reconciledUntil.getTime());

    const second = await reconcileWooCommerceStore(testRuntime.runtime.services, store.id, merchant.accountId);
    expect(second).toMatchObject({ ingested: 0, known: 2 });
    expect(await ordersOf(store.id)).toEqual(ordersAfterFirst);
    // The second run lists from the cursor the first one left (less the 10-minute clock overlap)
    // and moves it forward.
    const [, secondList] = listRequestsOf(site);
    expect(secondList?.query.after).toBe(wooTime(new Date((cursorAfterFirst ?? 0) - 10 * 60_000)));
    expect(await readCursor()).toBeGreaterThanOrEqual(cursorAfterFirst ?? 0);
  });

  it('finds a cancellation whose webhook was lost: a known order still waiting is skipped, a decided one stays', async () => {
    const site = 'shop-cancelled';
    const store = await createWooStore('Souk Cancel', `${fake.origin}/${site}`);
    const now = Date.now();
    sites.set(site, [wooOrder(701, new Date(now - 30_000)), wooOrder(702, new Date(now - 20_000))]);
    expect(await reconcileWooCommerceStore(testRuntime.runtime.services, store.id, merchant.accountId)).toMatchObject({ ingested: 2 });
    const database = testRuntime.testDatabase.database;
    await database.query("update orders set status = 'queued', failure_reason = null where store_id = $1 and external_id = '701'", [store.id]);
    await database.query("update orders set status = 'confirmed', failure_reason = null where store_id = $1 and external_id = '702'", [store.id]);
    // Both cancelled on the store; 703 was never seen by Akked and was refunded at once.
    sites.set(site, [wooOrder(701, new Date(now - 30_000), 'cancelled'), wooOrder(702, new Date(now - 20_000), 'cancelled'), wooOrder(703, new Date(now - 10_000), 'refunded')]);

    const result = await reconcileWooCommerceStore(testRuntime.runtime.services, store.id, merchant.accountId);
    expect(result).toMatchObject({ cancelled: 1, ingested: 0, skipped: 2 });
    const rows = await database.query<{ external_id: string; status: string; failure_reason: string | null }>(
      'select external_id, status, failure_reason from orders where store_id = $1 order by external_id',
      [store.id],
    );
    expect(rows).toEqual([
      { external_id: '701', status: 'skipped', failure_reason: 'cancelled_on_platform' },
      { external_id: '702', status: 'confirmed', failure_reason: null },
    ]);
    const [event] = await database.query<{ cause: string }>(
      "select e.cause from order_events e join orders o on o.id = e.order_id where o.store_id = $1 and o.external_id = '701' and e.status = 'skipped'",
      [store.id],
    );
    expect(event?.cause).toBe('cancelled_on_platform');
    expect(await reconcileWooCommerceStore(testRuntime.runtime.services, store.id, merchant.accountId)).toMatchObject({ cancelled: 0 });
  });

  it('follows the pages of a store with more orders than one page holds', async () => {
    const site = 'shop-busy';
    const store = await createWooStore('Busy shop', `${fake.origin}/${site}`);
    const now = Date.now();
    sites.set(
      site,
      Array.from({ length: 57 }, (_, index) => wooOrder(7000 + index, new Date(now - (57 - index) * 1_000))),
    );

    await runJob({ storeId: store.id, accountId: merchant.accountId });

    expect(listRequestsOf(site).map((request) => request.query.page)).toEqual(['1', '2']);
    const orders = await ordersOf(store.id);
    expect(orders).toHaveLength(57);
    expect(new Set(orders.map((order) => order.external_id)).size).toBe(57);
    expect(await reconciledOrderIds(store.id)).toHaveLength(57);
  });

  it('reads at most 10 pages of at most 2 MiB per run from a store, whatever it claims or sends', async () => {
    const now = Date.now();
    // A store claiming 12 pages: 10 are read now, the rest on the next run.
    const many = 'shop-many-pages';
    const manyStore = await createWooStore('Many pages', `${fake.origin}/${many}`);
    sites.set(many, Array.from({ length: 600 }, (_, index) => wooOrder(20_000 + index, new Date(now - (600 - index) * 1_000), 'checkout-draft')));
    const result = await reconcileWooCommerceStore(testRuntime.runtime.services, manyStore.id, merchant.accountId);
    expect(result?.pages).toBe(10);
    expect(listRequestsOf(many)).toHaveLength(10);

    // A store whose page is larger than 2 MiB: refused after one request, nothing stored, not retried.
    const huge = 'shop-huge-pages';
    const hugeStore = await createWooStore('Huge pages', `${fake.origin}/${huge}`);
    sites.set(huge, Array.from({ length: 50 }, (_, index) => ({ ...wooOrder(30_000 + index, new Date(now - (50 - index) * 1_000)), padding: 'x'.repeat(50_000) })));
    const failure = await reconcileWooCommerceStore(testRuntime.runtime.services, hugeStore.id, merchant.accountId).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'upstream_failed', retryable: false, details: { reason: 'response_too_large' } });
    expect(listRequestsOf(huge)).toHaveLength(1);
    expect(await ordersOf(hugeStore.id)).toEqual([]);
  });

  it('retries an unreachable store without holding up the other stores', async () => {
    const unreachable = await createWooStore('Offline shop', `http://127.0.0.1:${await closedPort()}/offline`);
    const site = 'shop-online';
    const reachable = await createWooStore('Online shop', `${fake.origin}/${site}`);
    sites.set(site, [wooOrder(801, new Date(Date.now() - 5_000))]);

    // The failure is retryable, so the queue tries the store again later.
    const failure = await reconcileWooCommerceStore(testRuntime.runtime.services, unreachable.id, merchant.accountId).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'upstream_unavailable', retryable: true });

    // The scheduled run fans out one job per store; the workers run them.
    await runJob({});
    const jobSchema = testRuntime.testDatabase.jobSchema;
    const retried = await waitUntil(
      () =>
        testRuntime.testDatabase.database.query<{ state: string; output: { code?: string } | null }>(
          `select state, output from ${jobSchema}.job where name = 'ingest.reconcile-woocommerce' and data->>'storeId' = $1`,
          [unreachable.id],
        ),
      (rows) => rows.some((row) => row.state === 'retry'),
      20_000,
      'the unreachable store to be retried',
    );
    expect(retried.find((row) => row.state === 'retry')?.output?.code).toBe('upstream_unavailable');
    await waitUntil(() => ordersOf(reachable.id), (orders) => orders.length === 1, 20_000, 'the reachable store to be reconciled');
    expect(await reconciledOrderIds(reachable.id)).toEqual(['801']);
    expect(await ordersOf(unreachable.id)).toEqual([]);
    const [cursor] = await testRuntime.testDatabase.database.query<{ reconciled_until: Date | null }>('select reconciled_until from stores where id = $1', [unreachable.id]);
    expect(cursor?.reconciled_until).toBeNull();
  });

  it('leaves stores without write-back credentials and stores of other platforms alone', async () => {
    const app = appOf(testRuntime);
    const shopify = await app.inject({ method: 'POST', url: '/api/v1/stores', headers: api(), payload: { name: 'Shopify shop', platform: 'shopify', webhookSecret: 'shopify-secret-1234' } });
    const bare = await app.inject({ method: 'POST', url: '/api/v1/stores', headers: api(), payload: { name: 'No keys', platform: 'woocommerce' } });
    expect(shopify.statusCode).toBe(201);
    expect(bare.statusCode).toBe(201);

    expect(await reconcileWooCommerceStore(testRuntime.runtime.services, shopify.json().id, merchant.accountId)).toBeNull();
    expect(await reconcileWooCommerceStore(testRuntime.runtime.services, bare.json().id, merchant.accountId)).toBeNull();
    expect(await reconcileWooCommerceStore(testRuntime.runtime.services, 'sto_doesnotexist', merchant.accountId)).toBeNull();
    await runJob({});
    await new Promise((resolve) => setTimeout(resolve, 500));
    const enqueued = await testRuntime.testDatabase.database.query<{ store_id: string }>(
      `select data->>'storeId' as store_id from ${testRuntime.testDatabase.jobSchema}.job where name = 'ingest.reconcile-woocommerce' and data->>'storeId' is not null`,
    );
    const storeIds = new Set(enqueued.map((row) => row.store_id));
    expect(storeIds.has(shopify.json().id)).toBe(false);
    expect(storeIds.has(bare.json().id)).toBe(false);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTP_ERROR_CASES, expectNoSecretIn, rejectionOf, startFakeStoreApi, type FakeStoreApi } from '../../../test/harness/fake-store-api.ts';
import { createGuardedFetch } from '../outbound-guard.ts';
import type { WriteBackRequest, WriteBackResult } from '../write-back-adapter.ts';
import { WooCommerceCredentialsSchema, listRecentOrders, wooCommerceWriteBackAdapter } from './woocommerce.ts';

const CONSUMER_KEY = 'ck_2f9a7c0e41d8b6a3';
const CONSUMER_SECRET = 'cs_9b1e5d7a3c8f2e60-secret';
const BASIC = `Basic ${Buffer.from(`${CONSUMER_KEY}:${CONSUMER_SECRET}`).toString('base64')}`;
const NOTE = 'Akked: the customer confirmed order #1234 on WhatsApp.';

describe('WooCommerce write-back', () => {
  let store: FakeStoreApi;

  const request = (overrides: Partial<WriteBackRequest<unknown>> = {}): WriteBackRequest<unknown> => ({
    credentials: { storeUrl: store.origin, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET },
    externalOrderId: '1234',
    orderNumber: '1234',
    result: 'confirmed',
    note: NOTE,
    fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 2000 }),
    allowPrivate: true,
    ...overrides,
  });

  beforeEach(async () => {
    store = await startFakeStoreApi();
  });

  afterEach(async () => {
    await store.close();
  });

  it.each<[WriteBackResult, string]>([
    ['confirmed', 'processing'],
    ['cancelled', 'cancelled'],
  ])('sets a %s order to %s, then adds a private note', async (result, status) => {
    const outcome = await wooCommerceWriteBackAdapter.write(request({ result }));

    expect(outcome).toBe('written');
    expect(store.requests).toHaveLength(2);
    const [update, note] = store.requests;
    expect(update).toMatchObject({ method: 'PUT', path: '/wp-json/wc/v3/orders/1234', query: {}, body: { status } });
    expect(update?.headers.authorization).toBe(BASIC);
    expect(update?.headers['content-type']).toBe('application/json');
    expect(note).toMatchObject({ method: 'POST', path: '/wp-json/wc/v3/orders/1234/notes', query: {}, body: { note: NOTE, customer_note: false } });
    expect(note?.headers.authorization).toBe(BASIC);
  });

  it('keeps the path of a store installed in a subfolder', async () => {
    await wooCommerceWriteBackAdapter.write(
      request({ credentials: { storeUrl: `${store.origin}/shop/`, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET } }),
    );
    expect(store.requests.map((recorded) => recorded.path)).toEqual(['/shop/wp-json/wc/v3/orders/1234', '/shop/wp-json/wc/v3/orders/1234/notes']);
  });

  it('sends no note request when the note is empty', async () => {
    await wooCommerceWriteBackAdapter.write(request({ note: '' }));
    expect(store.requests.map((recorded) => recorded.method)).toEqual(['PUT']);
  });

  it.each(HTTP_ERROR_CASES)('maps HTTP $status to $code ($reason)', async ({ status, code, retryable, reason }) => {
    store.answerWith(() => ({ status, body: { code: 'woocommerce_rest_cannot_edit', message: 'Sorry, you are not allowed to edit this resource.' } }));
    const error = await rejectionOf(wooCommerceWriteBackAdapter.write(request()));

    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details).toMatchObject({ reason, platform: 'woocommerce', status });
    expectNoSecretIn(error, CONSUMER_KEY, CONSUMER_SECRET, BASIC);
    expect(store.requests).toHaveLength(1);
  });

  it("reads WooCommerce's 400 invalid-id answer as order_not_found", async () => {
    store.answerWith(() => ({ status: 400, body: { code: 'woocommerce_rest_shop_order_invalid_id', message: 'Invalid ID.', data: { status: 400 } } }));
    const error = await rejectionOf(wooCommerceWriteBackAdapter.write(request()));

    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({ reason: 'order_not_found', status: 400 });
  });

  it('reads any other 400 as a rejection', async () => {
    store.answerWith(() => ({ status: 400, body: { code: 'rest_invalid_param', message: 'Invalid parameter(s): status' } }));
    const error = await rejectionOf(wooCommerceWriteBackAdapter.write(request()));
    expect(error.details).toMatchObject({ reason: 'rejected', status: 400 });
  });

  it('reports a failed note after a successful status change', async () => {
    store.answerWith((recorded) => (recorded.path.endsWith('/notes') ? { status: 500, body: {} } : { status: 200, body: { id: 1234 } }));
    const error = await rejectionOf(wooCommerceWriteBackAdapter.write(request()));

    expect(error.retryable).toBe(true);
    expect(store.requests).toHaveLength(2);
  });

  it('reports a timeout as retryable', async () => {
    store.answerWith(() => ({ hang: true }));
    const error = await rejectionOf(wooCommerceWriteBackAdapter.write(request({ fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 100 }) })));

    expect(error.code).toBe('upstream_unavailable');
    expect(error.details).toMatchObject({ reason: 'timeout' });
  });

  it('refuses a store on a private address without the development setting, sending nothing', async () => {
    const error = await rejectionOf(
      wooCommerceWriteBackAdapter.write(
        request({
          credentials: { storeUrl: `https://${store.host}`, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET },
          fetch: createGuardedFetch({ allowPrivate: false, timeoutMs: 2000 }),
          allowPrivate: false,
        }),
      ),
    );

    expect(error.details).toEqual({ reason: 'private_address' });
    expect(store.requests).toHaveLength(0);
  });

  it('refuses an order id that is not a number', async () => {
    const error = await rejectionOf(wooCommerceWriteBackAdapter.write(request({ externalOrderId: '12/../../users' })));
    expect(error.details).toMatchObject({ reason: 'invalid_order_id' });
    expect(store.requests).toHaveLength(0);
  });

  it('accepts only a bare site address as store URL', () => {
    const valid = (storeUrl: string) => WooCommerceCredentialsSchema.safeParse({ storeUrl, consumerKey: 'ck', consumerSecret: 'cs' }).success;
    expect(valid('https://shop.example.com')).toBe(true);
    expect(valid('https://example.com/shop/')).toBe(true);
    expect(valid('ftp://shop.example.com')).toBe(false);
    expect(valid('https://user:pass@shop.example.com')).toBe(false);
    expect(valid('https://shop.example.com/?consumer_key=ck')).toBe(false);
    expect(valid('shop.example.com')).toBe(false);
    expect(WooCommerceCredentialsSchema.parse({ storeUrl: 'https://example.com/shop/', consumerKey: 'ck', consumerSecret: 'cs' }).storeUrl).toBe(
      'https://example.com/shop',
    );
  });
});

describe('WooCommerce listRecentOrders', () => {
  let store: FakeStoreApi;
  const since = new Date('2026-11-20T10:00:00.000Z');
  const credentials = () => ({ storeUrl: store.origin, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
  const guardedFetch = createGuardedFetch({ allowPrivate: true, timeoutMs: 2000 });

  beforeEach(async () => {
    store = await startFakeStoreApi();
  });

  afterEach(async () => {
    await store.close();
  });

  it('pages through orders created since a date, oldest first, keeping big ids exact', async () => {
    store.answerWith((recorded) => {
      const page = Number(recorded.query.page);
      const body =
        page === 1
          ? '[{"id":9007199254740993,"number":"1001","total":"28.44","line_items":[{"price":28.44}]},{"id":1002,"number":"1002"}]'
          : '[{"id":1003,"number":"1003"}]';
      return { status: 200, headers: { 'x-wp-total': '3', 'x-wp-totalpages': '2' }, body };
    });

    const first = await listRecentOrders({ credentials: credentials(), since, page: 1, fetch: guardedFetch });
    const second = await listRecentOrders({ credentials: credentials(), since, page: 2, fetch: guardedFetch });

    expect(first).toEqual({
      orders: [
        { id: '9007199254740993', number: '1001', total: '28.44', line_items: [{ price: 28.44 }] },
        { id: 1002, number: '1002' },
      ],
      page: 1,
      totalPages: 2,
      hasNextPage: true,
    });
    expect(second).toEqual({ orders: [{ id: 1003, number: '1003' }], page: 2, totalPages: 2, hasNextPage: false });
    expect(store.requests).toHaveLength(2);
    expect(store.requests[0]).toMatchObject({
      method: 'GET',
      path: '/wp-json/wc/v3/orders',
      query: { after: '2026-11-20T10:00:00', dates_are_gmt: 'true', per_page: '50', page: '1', orderby: 'date', order: 'asc' },
    });
    expect(store.requests[0]?.headers.authorization).toBe(BASIC);
    expect(store.requests[1]?.query.page).toBe('2');
  });

  it('guesses the next page from a full page when the store sends no page count', async () => {
    const orders = Array.from({ length: 50 }, (_, index) => ({ id: index + 1 }));
    store.answerWith((recorded) => ({ status: 200, body: recorded.query.page === '1' ? orders : orders.slice(0, 3) }));

    expect((await listRecentOrders({ credentials: credentials(), since, page: 1, fetch: guardedFetch })).hasNextPage).toBe(true);
    const last = await listRecentOrders({ credentials: credentials(), since, page: 2, fetch: guardedFetch });
    expect(last).toMatchObject({ totalPages: null, hasNextPage: false });
    expect(last.orders).toHaveLength(3);
  });

  it('reports an answer that is not an order list as invalid_response', async () => {
    store.answerWith(() => ({ status: 200, body: '<!doctype html><title>Shop</title>' }));
    const error = await rejectionOf(listRecentOrders({ credentials: credentials(), since, page: 1, fetch: guardedFetch }));
    expect(error.details).toMatchObject({ reason: 'invalid_response' });

    store.answerWith(() => ({ status: 200, body: { code: 'rest_no_route' } }));
    const notArray = await rejectionOf(listRecentOrders({ credentials: credentials(), since, page: 1, fetch: guardedFetch }));
    expect(notArray.details).toMatchObject({ reason: 'invalid_response' });
  });

  it('maps refused credentials to an authorization failure', async () => {
    store.answerWith(() => ({ status: 401, body: { code: 'woocommerce_rest_cannot_view' } }));
    const error = await rejectionOf(listRecentOrders({ credentials: credentials(), since, page: 1, fetch: guardedFetch }));

    expect(error.details).toMatchObject({ reason: 'auth', status: 401 });
    expectNoSecretIn(error, CONSUMER_SECRET);
  });

  it('refuses a page below 1', async () => {
    const error = await rejectionOf(listRecentOrders({ credentials: credentials(), since, page: 0, fetch: guardedFetch }));
    expect(error.code).toBe('bad_request');
    expect(store.requests).toHaveLength(0);
  });
});

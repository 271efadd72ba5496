import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTP_ERROR_CASES, expectNoSecretIn, rejectionOf, startFakeStoreApi, type FakeStoreApi } from '../../../test/harness/fake-store-api.ts';
import { createGuardedFetch } from '../outbound-guard.ts';
import type { WriteBackAdapter, WriteBackRequest } from '../write-back-adapter.ts';
import { YOUCAN_API_BASE_URL, createYouCanWriteBackAdapter } from './youcan.ts';

const ACCESS_TOKEN = 'youcan-oauth-access-token-secret';
const ORDER_ID = '72aa7882-3898-49a8-87a2-506af3dd7320';

describe('YouCan write-back', () => {
  let youcan: FakeStoreApi;
  let adapter: WriteBackAdapter;

  const request = (overrides: Partial<WriteBackRequest<unknown>> = {}): WriteBackRequest<unknown> => ({
    credentials: { accessToken: ACCESS_TOKEN },
    externalOrderId: ORDER_ID,
    orderNumber: '021',
    result: 'cancelled',
    note: 'Akked: the customer cancelled on WhatsApp.',
    fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 2000 }),
    allowPrivate: true,
    ...overrides,
  });

  beforeEach(async () => {
    youcan = await startFakeStoreApi();
    youcan.answerWith(() => ({ status: 200, body: { message: 'The order closed successfully.', http_code: 200, code: 'UPDATED', type: 'success', data: null } }));
    adapter = createYouCanWriteBackAdapter({ apiBaseUrl: youcan.origin });
  });

  afterEach(async () => {
    await youcan.close();
  });

  it('cancels an order by closing it with cancel_order, which restocks it', async () => {
    expect(await adapter.write(request())).toBe('written');

    expect(youcan.requests).toHaveLength(1);
    const [close] = youcan.requests;
    expect(close).toMatchObject({ method: 'PUT', path: `/orders/${ORDER_ID}/close`, query: {} });
    expect(close?.body).toEqual({ cancel_order: true });
    expect(close?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(close?.headers['content-type']).toBe('application/json');
  });

  it('sends nothing for a confirmation, which YouCan cannot record', async () => {
    expect(adapter.supportedResults).toEqual(['cancelled']);
    expect(await adapter.write(request({ result: 'confirmed' }))).toBe('not_supported');
    expect(youcan.requests).toHaveLength(0);
  });

  it('treats an order that is already closed as done, so a retry succeeds', async () => {
    youcan.answerWith(() => ({ status: 422, body: { status: 422, code: 'ORDER-ALREADY-CLOSED', detail: 'Order #021A is already closed.', meta: [] } }));
    expect(await adapter.write(request())).toBe('written');
  });

  it("calls YouCan's own API by default", () => {
    expect(YOUCAN_API_BASE_URL).toBe('https://api.youcan.shop');
  });

  it.each(HTTP_ERROR_CASES)('maps HTTP $status to $code ($reason)', async ({ status, code, retryable, reason }) => {
    youcan.answerWith(() => ({ status, body: { status, code: 'ORDER-NOT-CLOSED', detail: 'Order #021A not closed.', meta: [] } }));
    const error = await rejectionOf(adapter.write(request()));

    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details).toMatchObject({ reason, platform: 'youcan', status });
    expectNoSecretIn(error, ACCESS_TOKEN);
  });

  it('reports a timeout as retryable', async () => {
    youcan.answerWith(() => ({ hang: true }));
    const error = await rejectionOf(adapter.write(request({ fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 100 }) })));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.details).toMatchObject({ reason: 'timeout' });
  });

  it('refuses an order id that is not a YouCan uuid', async () => {
    const error = await rejectionOf(adapter.write(request({ externalOrderId: '../stores/me' })));
    expect(error.details).toMatchObject({ reason: 'invalid_order_id' });
    expect(youcan.requests).toHaveLength(0);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTP_ERROR_CASES, expectNoSecretIn, rejectionOf, startFakeStoreApi, type FakeStoreApi } from '../../../test/harness/fake-store-api.ts';
import { createGuardedFetch } from '../outbound-guard.ts';
import type { WriteBackAdapter, WriteBackRequest, WriteBackResult } from '../write-back-adapter.ts';
import { EASYORDERS_API_BASE_URL, createEasyOrdersWriteBackAdapter } from './easyorders.ts';

const API_KEY = 'easyorders-api-key-secret';
const ORDER_ID = '2692e31f-27f6-472d-b4cd-c0c1c168511c';

describe('EasyOrders write-back', () => {
  let easyOrders: FakeStoreApi;
  let adapter: WriteBackAdapter;

  const request = (overrides: Partial<WriteBackRequest<unknown>> = {}): WriteBackRequest<unknown> => ({
    credentials: { apiKey: API_KEY },
    externalOrderId: ORDER_ID,
    orderNumber: '1045',
    result: 'confirmed',
    note: 'Akked: confirmed on WhatsApp.',
    fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 2000 }),
    allowPrivate: true,
    ...overrides,
  });

  beforeEach(async () => {
    easyOrders = await startFakeStoreApi();
    adapter = createEasyOrdersWriteBackAdapter({ apiBaseUrl: `${easyOrders.origin}/api/v1/external-apps` });
  });

  afterEach(async () => {
    await easyOrders.close();
  });

  it.each<[WriteBackResult, string]>([
    ['confirmed', 'confirmed'],
    ['cancelled', 'canceled'],
  ])('sets a %s order to %s with the Api-Key header', async (result, status) => {
    expect(await adapter.write(request({ result }))).toBe('written');

    expect(easyOrders.requests).toHaveLength(1);
    const [update] = easyOrders.requests;
    expect(update).toMatchObject({ method: 'PATCH', path: `/api/v1/external-apps/orders/${ORDER_ID}/status`, query: {} });
    expect(update?.body).toEqual({ status });
    expect(update?.headers['api-key']).toBe(API_KEY);
    expect(update?.headers.authorization).toBeUndefined();
  });

  it("calls EasyOrders' own API by default", () => {
    expect(EASYORDERS_API_BASE_URL).toBe('https://api.easy-orders.net/api/v1/external-apps');
  });

  it.each(HTTP_ERROR_CASES)('maps HTTP $status to $code ($reason)', async ({ status, code, retryable, reason }) => {
    easyOrders.answerWith(() => ({ status, body: { message: 'nope' } }));
    const error = await rejectionOf(adapter.write(request()));

    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details).toMatchObject({ reason, platform: 'easyorders', status });
    expectNoSecretIn(error, API_KEY);
  });

  it('reports a timeout as retryable', async () => {
    easyOrders.answerWith(() => ({ hang: true }));
    const error = await rejectionOf(adapter.write(request({ fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 100 }) })));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.details).toMatchObject({ reason: 'timeout' });
  });
});

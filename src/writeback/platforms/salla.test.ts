import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTP_ERROR_CASES, expectNoSecretIn, rejectionOf, startFakeStoreApi, type FakeStoreApi } from '../../../test/harness/fake-store-api.ts';
import { createGuardedFetch } from '../outbound-guard.ts';
import type { WriteBackAdapter, WriteBackRequest, WriteBackResult } from '../write-back-adapter.ts';
import { SALLA_API_BASE_URL, createSallaWriteBackAdapter, sallaWriteBackAdapter } from './salla.ts';

const ACCESS_TOKEN = 'ory_at_salla-merchant-token-secret';
const NOTE = 'Akked: the customer confirmed order 73417721 on WhatsApp.';

describe('Salla write-back', () => {
  let salla: FakeStoreApi;
  let adapter: WriteBackAdapter;

  const request = (overrides: Partial<WriteBackRequest<unknown>> = {}): WriteBackRequest<unknown> => ({
    credentials: { accessToken: ACCESS_TOKEN },
    externalOrderId: '1829400931',
    orderNumber: '73417721',
    result: 'confirmed',
    note: NOTE,
    fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 2000 }),
    allowPrivate: true,
    ...overrides,
  });

  beforeEach(async () => {
    salla = await startFakeStoreApi();
    salla.answerWith(() => ({ status: 201, body: { status: 201, success: true, data: { message: 'The entity has been updated successfully', code: 201 } } }));
    adapter = createSallaWriteBackAdapter({ apiBaseUrl: `${salla.origin}/admin/v2` });
  });

  afterEach(async () => {
    await salla.close();
  });

  it.each<[WriteBackResult, string]>([
    ['confirmed', 'in_progress'],
    ['cancelled', 'canceled'],
  ])('sets a %s order to the %s status with a note', async (result, slug) => {
    expect(await adapter.write(request({ result }))).toBe('written');

    expect(salla.requests).toHaveLength(1);
    const [update] = salla.requests;
    expect(update).toMatchObject({ method: 'POST', path: '/admin/v2/orders/1829400931/status', query: {}, body: { slug, note: NOTE } });
    expect(update?.body).toEqual({ slug, note: NOTE });
    expect(update?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(update?.headers['content-type']).toBe('application/json');
    expect(update?.headers.accept).toBe('application/json');
  });

  it("calls Salla's own API by default", () => {
    expect(SALLA_API_BASE_URL).toBe('https://api.salla.dev/admin/v2');
    expect(sallaWriteBackAdapter.platform).toBe('salla');
  });

  it.each(HTTP_ERROR_CASES)('maps HTTP $status to $code ($reason)', async ({ status, code, retryable, reason }) => {
    salla.answerWith(() => ({ status, body: { status, success: false, error: { code: 'error', message: 'nope' } } }));
    const error = await rejectionOf(adapter.write(request()));

    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details).toMatchObject({ reason, platform: 'salla', status });
    expectNoSecretIn(error, ACCESS_TOKEN);
  });

  it('reports a timeout as retryable', async () => {
    salla.answerWith(() => ({ hang: true }));
    const error = await rejectionOf(adapter.write(request({ fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 100 }) })));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.details).toMatchObject({ reason: 'timeout' });
  });

  it('refuses missing credentials before calling Salla', async () => {
    const error = await rejectionOf(adapter.write(request({ credentials: { accessToken: '  ' } })));
    expect(error.details).toMatchObject({ reason: 'invalid_credentials', fields: ['accessToken'] });
    expect(salla.requests).toHaveLength(0);
  });

  it('refuses a loopback API address without the development setting', async () => {
    const error = await rejectionOf(adapter.write(request({ fetch: createGuardedFetch({ allowPrivate: false, timeoutMs: 2000 }), allowPrivate: false })));
    expect(error.code).toBe('bad_request');
    expect(salla.requests).toHaveLength(0);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTP_ERROR_CASES, expectNoSecretIn, rejectionOf, startFakeStoreApi, type FakeStoreApi } from '../../../test/harness/fake-store-api.ts';
import { createGuardedFetch } from '../outbound-guard.ts';
import type { WriteBackAdapter, WriteBackRequest, WriteBackResult } from '../write-back-adapter.ts';
import { ZID_API_BASE_URL, createZidWriteBackAdapter } from './zid.ts';

const ACCESS_TOKEN = 'zid-partner-token-secret';
const MANAGER_TOKEN = 'zid-store-manager-token-secret';
const NOTE = 'Akked: the customer confirmed on WhatsApp.';

describe('Zid write-back', () => {
  let zid: FakeStoreApi;
  let adapter: WriteBackAdapter;

  const request = (overrides: Partial<WriteBackRequest<unknown>> = {}): WriteBackRequest<unknown> => ({
    credentials: { accessToken: ACCESS_TOKEN, managerToken: MANAGER_TOKEN },
    externalOrderId: '8456231',
    orderNumber: 'zrDH30DWiX',
    result: 'confirmed',
    note: NOTE,
    fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 2000 }),
    allowPrivate: true,
    ...overrides,
  });

  beforeEach(async () => {
    zid = await startFakeStoreApi();
    zid.answerWith(() => ({ status: 200, body: { status: 'object', order: { id: 8456231 } } }));
    adapter = createZidWriteBackAdapter({ apiBaseUrl: `${zid.origin}/v1` });
  });

  afterEach(async () => {
    await zid.close();
  });

  it.each<[WriteBackResult, string]>([
    ['confirmed', 'preparing'],
    ['cancelled', 'cancelled'],
  ])('changes a %s order to %s, then adds a comment, with both tokens', async (result, orderStatus) => {
    expect(await adapter.write(request({ result }))).toBe('written');

    expect(zid.requests).toHaveLength(2);
    const [change, comment] = zid.requests;
    expect(change).toMatchObject({ method: 'POST', path: '/v1/managers/store/orders/8456231/change-order-status', query: {} });
    expect(change?.body).toEqual({ order_status: orderStatus });
    expect(comment).toMatchObject({ method: 'POST', path: '/v1/managers/store/orders/8456231/add-order-comment', query: {} });
    expect(comment?.body).toEqual({ comment: NOTE });
    for (const recorded of [change, comment]) {
      expect(recorded?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(recorded?.headers['x-manager-token']).toBe(MANAGER_TOKEN);
      expect(recorded?.headers['content-type']).toBe('application/json');
    }
  });

  it("cuts the comment to Zid's 100 characters", async () => {
    const note = 'تم تأكيد الطلب من العميل عبر واتساب. '.repeat(5);
    await adapter.write(request({ note }));
    const comment = (zid.requests[1]?.body as { comment: string }).comment;
    expect([...comment]).toHaveLength(100);
    expect(note.startsWith(comment)).toBe(true);
  });

  it("calls Zid's own API by default", () => {
    expect(ZID_API_BASE_URL).toBe('https://api.zid.sa/v1');
  });

  it.each(HTTP_ERROR_CASES)('maps HTTP $status to $code ($reason)', async ({ status, code, retryable, reason }) => {
    zid.answerWith(() => ({ status, body: { status: 'error', message: { type: 'error', code: null, name: 'nope', description: 'nope' } } }));
    const error = await rejectionOf(adapter.write(request()));

    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details).toMatchObject({ reason, platform: 'zid', status });
    expectNoSecretIn(error, ACCESS_TOKEN, MANAGER_TOKEN);
    expect(zid.requests).toHaveLength(1);
  });

  it('reports a timeout as retryable', async () => {
    zid.answerWith(() => ({ hang: true }));
    const error = await rejectionOf(adapter.write(request({ fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 100 }) })));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.details).toMatchObject({ reason: 'timeout' });
  });

  it('needs both tokens', async () => {
    const error = await rejectionOf(adapter.write(request({ credentials: { accessToken: ACCESS_TOKEN } })));
    expect(error.details).toMatchObject({ reason: 'invalid_credentials', fields: ['managerToken'] });
    expectNoSecretIn(error, ACCESS_TOKEN);
    expect(zid.requests).toHaveLength(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { appOf, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';

describe.each(TEST_BACKENDS)('per-account quotas on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let other: Merchant;

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, {
      roles: { api: true, worker: false },
      environment: { AKKED_MAX_STORES: '3', AKKED_MAX_NUMBERS: '1', AKKED_MAX_API_KEYS: '2' },
    });
    merchant = await createMerchant(testRuntime);
    other = await createMerchant(testRuntime);
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const post = (who: Merchant, url: string, payload: object) =>
    appOf(testRuntime).inject({ method: 'POST', url, headers: { authorization: `Bearer ${who.apiKey}` }, payload });
  const remove = (who: Merchant, url: string) => appOf(testRuntime).inject({ method: 'DELETE', url, headers: { authorization: `Bearer ${who.apiKey}` } });

  it('refuses a store past AKKED_MAX_STORES with 409 quota_exceeded, even when the additions race, and not for another account', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, (_unused, index) => post(merchant, '/api/v1/stores', { name: `Shop ${index}`, platform: 'woocommerce' })));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 201, 201, 409, 409]);
    const refused = answers.find((answer) => answer.statusCode === 409);
    expect(refused?.json()).toEqual({
      error: { code: 'quota_exceeded', message: 'this account already has 3 stores, the most it may hold (3); remove one first', details: { quota: 'stores', limit: 3 } },
    });
    expect((await post(other, '/api/v1/stores', { name: 'Theirs', platform: 'woocommerce' })).statusCode).toBe(201);
    const kept = answers.find((answer) => answer.statusCode === 201)?.json<{ id: string }>().id;
    expect((await remove(merchant, `/api/v1/stores/${kept}`)).statusCode).toBe(200);
    expect((await post(merchant, '/api/v1/stores', { name: 'Again', platform: 'woocommerce' })).statusCode).toBe(201);
  });

  it('refuses a WhatsApp number past AKKED_MAX_NUMBERS (each linked number opens a linking session)', async () => {
    expect((await post(merchant, '/api/v1/whatsapp-numbers', { provider: 'linked' })).statusCode).toBe(201);
    const refused = await post(merchant, '/api/v1/whatsapp-numbers', { provider: 'linked' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'quota_exceeded', details: { quota: 'whatsapp_numbers', limit: 1 } });
    expect((await post(other, '/api/v1/whatsapp-numbers', { provider: 'linked' })).statusCode).toBe(201);
  });

  it('refuses an API key past AKKED_MAX_API_KEYS live keys; a revoked key frees its place', async () => {
    // The merchant's first key was made at sign-up.
    const second = await post(merchant, '/api/v1/api-keys', { name: 'second' });
    expect(second.statusCode).toBe(201);
    const refused = await post(merchant, '/api/v1/api-keys', { name: 'third' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'quota_exceeded', details: { quota: 'api_keys', limit: 2 } });
    expect((await remove(merchant, `/api/v1/api-keys/${second.json<{ id: string }>().id}`)).statusCode).toBe(204);
    expect((await post(merchant, '/api/v1/api-keys', { name: 'third' })).statusCode).toBe(201);
  });
});

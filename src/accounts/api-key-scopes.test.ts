import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { appOf, browserHeaders, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { requiredScope } from './api-key-scopes.ts';

describe('the scope a route needs from an API key', () => {
  it.each([
    ['/api/v1/orders', 'GET', 'orders:read'],
    ['/api/v1/orders/:id', 'GET', 'orders:read'],
    ['/api/v1/orders/stream', 'GET', 'orders:read'],
    ['/api/v1/orders', 'POST', 'orders:write'],
    ['/api/v1/orders/:id/decision', 'POST', 'orders:write'],
    ['/api/v1/analytics', 'GET', 'orders:read'],
    ['/api/v1/export', 'GET', 'orders:read'],
    ['/api/v1/stores/:id', 'PATCH', 'stores'],
    ['/api/v1/whatsapp-numbers/:id/pairing-code', 'POST', 'numbers'],
    ['/api/v1/api-keys', 'POST', 'admin'],
    ['/api/v1/api-keys', 'GET', 'admin'],
    ['/api/v1/customers/:phone', 'DELETE', 'admin'],
    ['/api/v1/billing/checkout', 'POST', 'admin'],
    ['/api/v1/ordersx', 'GET', 'admin'],
    ['/api/v1/a-route-added-later', 'GET', 'admin'],
  ])('%s %s needs %s', (path, method, scope) => {
    expect(requiredScope(path, method)).toBe(scope);
  });
});

describe.each(TEST_BACKENDS)('API key scopes on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let other: Merchant;

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, { roles: { api: true, worker: false } });
    merchant = await createMerchant(testRuntime);
    other = await createMerchant(testRuntime);
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const createKey = async (scopes?: string[]) => {
    const created = await appOf(testRuntime).inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: browserHeaders(testRuntime, merchant),
      payload: { name: 'integration', ...(scopes ? { scopes } : {}) },
    });
    expect(created.statusCode, created.body).toBe(201);

    return created.json<{ id: string; key: string; scopes: string[] }>();
  };
  const call = (key: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    appOf(testRuntime).inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });

  it('lets a key do what its scopes allow, and answers 403 forbidden naming the missing scope otherwise', async () => {
    const reader = await createKey(['orders:read']);
    expect(reader.scopes).toEqual(['orders:read']);
    expect((await call(reader.key, 'GET', '/api/v1/orders')).statusCode).toBe(200);
    expect((await call(reader.key, 'GET', '/api/v1/analytics')).statusCode).toBe(200);
    for (const [method, url, scope] of [
      ['POST', '/api/v1/orders/ord_x/decision', 'orders:write'],
      ['GET', '/api/v1/stores', 'stores'],
      ['GET', '/api/v1/whatsapp-numbers', 'numbers'],
      ['GET', '/api/v1/api-keys', 'admin'],
    ] as const) {
      const refused = await call(reader.key, method, url, method === 'POST' ? { status: 'confirmed' } : undefined);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json()).toEqual({ error: { code: 'forbidden', message: `this API key lacks the scope "${scope}"`, details: { requiredScope: scope } } });
    }
  });

  it('gives a new key every scope but admin by default, so it cannot create keys (a leaked key no longer outlives its revocation)', async () => {
    const plain = await createKey();
    expect(plain.scopes).toEqual(['orders:read', 'orders:write', 'stores', 'numbers']);
    const refused = await call(plain.key, 'POST', '/api/v1/api-keys', { name: 'spare', scopes: ['admin'] });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details).toEqual({ requiredScope: 'admin' });
    expect((await call(plain.key, 'DELETE', `/api/v1/api-keys/${plain.id}`)).statusCode).toBe(403);
    expect((await call(plain.key, 'GET', '/api/v1/stores')).statusCode).toBe(200);
  });

  it('lets an admin key manage keys', async () => {
    const admin = await createKey(['admin']);
    const made = await call(admin.key, 'POST', '/api/v1/api-keys', { name: 'made by a key', scopes: ['stores'] });
    expect(made.statusCode).toBe(201);
    expect(made.json().scopes).toEqual(['stores']);
    expect((await call(admin.key, 'DELETE', `/api/v1/api-keys/${made.json<{ id: string }>().id}`)).statusCode).toBe(204);
  });

  it('gives keys made before scopes existed everything but admin (migration 0017)', async () => {
    const { database } = testRuntime.testDatabase;
    await database.query("insert into api_keys (id, account_id, name, key_hash, key_prefix) values ('key_before_scopes', $1, 'old', 'hash-of-an-old-key', 'ak_old')", [merchant.accountId]);
    const [row] = await database.query<{ scopes: string[] }>("select scopes from api_keys where id = 'key_before_scopes'");
    expect(row?.scopes).toEqual(['orders:read', 'orders:write', 'stores', 'numbers']);
  });

  it('refuses an unknown or empty list of scopes with 400', async () => {
    for (const scopes of [['superuser'], []]) {
      const answer = await appOf(testRuntime).inject({ method: 'POST', url: '/api/v1/api-keys', headers: browserHeaders(testRuntime, merchant), payload: { name: 'x', scopes } });
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error.code).toBe('bad_request');
    }
  });

  it("answers 404 for another account's store to a key with the stores scope, exactly as for one that does not exist", async () => {
    const storesKey = await createKey(['stores']);
    const theirs = await call(other.apiKey, 'POST', '/api/v1/stores', { name: 'Theirs', platform: 'woocommerce' });
    const foreign = await call(storesKey.key, 'GET', `/api/v1/stores/${theirs.json<{ id: string }>().id}`);
    const missing = await call(storesKey.key, 'GET', '/api/v1/stores/sto_doesnotexist');
    expect([foreign.statusCode, missing.statusCode]).toEqual([404, 404]);
    expect(foreign.json()).toEqual(missing.json());
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../cli/runtime.ts';
import { createLogger } from '../logger.ts';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { appOf, browserHeaders, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';

type Answer = { statusCode: number; headers: Record<string, unknown>; json: () => { error: { code: string; message: string } } };

const expectRateLimited = (answer: Answer) => {
  expect(answer.statusCode).toBe(429);
  expect(answer.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/try again in \d+ s/), details: { retryAfterSeconds: expect.any(Number) } } });
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
};

describe.each(TEST_BACKENDS)('rate limits on %s', (backend) => {
  let testRuntime: TestRuntime;
  let secondApi: Runtime | null = null;
  const merchants: Record<'keyUser' | 'other' | 'sessionUser' | 'storeOwner' | 'deleter', Merchant> = {} as never;

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, {
      roles: { api: true, worker: false },
      environment: {
        AKKED_TRUSTED_PROXY_HOPS: '1',
        AKKED_API_RATE_LIMIT: '8',
        AKKED_PUBLIC_RATE_LIMIT: '20',
        AKKED_SIGN_IN_RATE_LIMIT: '10',
        AKKED_WEBHOOK_RATE_LIMIT: '4',
      },
    });
    for (const name of ['keyUser', 'other', 'sessionUser', 'storeOwner', 'deleter'] as const) merchants[name] = await createMerchant(testRuntime);
  });

  afterAll(async () => {
    await secondApi?.stop();
    await testRuntime?.stop();
  });

  const get = (headers: Record<string, string>) => appOf(testRuntime).inject({ method: 'GET', url: '/api/v1/stores', headers });

  it('answers 429 with Retry-After and the JSON error once an API key passes its limit; another account’s key is not affected', async () => {
    const bearer = { authorization: `Bearer ${merchants.keyUser.apiKey}` };
    for (let index = 0; index < 8; index++) expect((await get(bearer)).statusCode).toBe(200);
    expectRateLimited(await get(bearer));
    expect((await get({ authorization: `Bearer ${merchants.other.apiKey}` })).statusCode).toBe(200);
  });

  it('limits a signed-in session the same way', async () => {
    const cookie = { cookie: merchants.sessionUser.cookie };
    // Creating the merchant's API key was the session's first request of this minute.
    for (let index = 0; index < 7; index++) expect((await get(cookie)).statusCode).toBe(200);
    expectRateLimited(await get(cookie));
  });

  it('counts failed authentications per client address', async () => {
    const forged = (address: string) => get({ authorization: 'Bearer ak_notakeyatall00000000000000000000', 'x-forwarded-for': address });
    for (let index = 0; index < 20; index++) expect((await forged('203.0.113.50')).statusCode).toBe(401);
    expectRateLimited(await forged('203.0.113.50'));
    expect((await forged('203.0.113.51')).statusCode).toBe(401);
  });

  it('limits webhook deliveries per store, before reading the body; another store is not affected', async () => {
    const app = appOf(testRuntime);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: { authorization: `Bearer ${merchants.storeOwner.apiKey}` },
      payload: { name: 'Dar', platform: 'woocommerce' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const deliver = (storeId: string) =>
      app.inject({ method: 'POST', url: `/hooks/woocommerce/${storeId}`, headers: { 'content-type': 'application/json', 'x-wc-webhook-signature': 'forged' }, payload: '{}' });
    const storeId = created.json<{ id: string }>().id;
    for (let index = 0; index < 4; index++) expect((await deliver(storeId)).statusCode).toBe(401);
    expectRateLimited(await deliver(storeId));
    expect((await deliver('sto_doesnotexist')).statusCode).toBe(404);
  });

  it('limits Stripe deliveries per sending address', async () => {
    const app = appOf(testRuntime);
    const deliver = (address: string) =>
      app.inject({ method: 'POST', url: '/hooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=forged', 'x-forwarded-for': address }, payload: '{}' });
    for (let index = 0; index < 4; index++) expect((await deliver('203.0.113.70')).statusCode).not.toBe(429);
    expectRateLimited(await deliver('203.0.113.70'));
    expect((await deliver('203.0.113.71')).statusCode).not.toBe(429);
  });

  it('limits sign-ups per client address', async () => {
    const app = appOf(testRuntime);
    const signUp = (index: number) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/sign-up/email',
        headers: { origin: testRuntime.config.publicUrl, 'x-forwarded-for': '203.0.113.60' },
        payload: { email: `many.${index}.${Date.now()}@example.com`, password: 'a long enough password', name: 'Many' },
      });
    for (let index = 0; index < 10; index++) expect((await signUp(index)).statusCode).toBe(200);
    expectRateLimited(await signUp(10));
  });

  it('limits pairing-code requests per number', async () => {
    const app = appOf(testRuntime);
    const request = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/whatsapp-numbers/num_doesnotexist/pairing-code',
        headers: { authorization: `Bearer ${merchants.deleter.apiKey}`, 'x-forwarded-for': '203.0.113.61' },
        payload: { phone: '+966500000013' },
      });
    for (let index = 0; index < 5; index++) expect((await request()).statusCode).toBe(404);
    expectRateLimited(await request());
  });

  it('limits password checks of account deletion per user (was 15 wrong tries, no 429)', async () => {
    const app = appOf(testRuntime);
    const attempt = () =>
      app.inject({ method: 'DELETE', url: '/api/v1/account', headers: browserHeaders(testRuntime, merchants.deleter), payload: { password: 'not the password' } });
    for (let index = 0; index < 5; index++) expect((await attempt()).json().error.code).toBe('wrong_password');
    expectRateLimited(await attempt());
    expect((await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: merchants.deleter.cookie } })).statusCode).toBe(200);
  });

  it('holds across api processes: sign-ups from one address alternate between two apps on one database', async () => {
    secondApi = await startRuntime({
      config: testRuntime.config,
      roles: { api: true, worker: false },
      logger: createLogger({ level: 'silent' }),
      database: testRuntime.testDatabase.database,
      jobSchema: testRuntime.testDatabase.jobSchema,
      listen: false,
    });
    const apps = [appOf(testRuntime), secondApi.app];
    const answers: Answer[] = [];
    for (let index = 0; index < 12; index++) {
      const answer = await apps[index % 2]?.inject({
        method: 'POST',
        url: '/api/auth/sign-up/email',
        headers: { origin: testRuntime.config.publicUrl, 'x-forwarded-for': '203.0.113.62' },
        payload: { email: `two.${index}.${Date.now()}@example.com`, password: 'a long enough password', name: 'Two' },
      });
      if (answer) answers.push(answer);
    }
    expect(answers.map((answer) => answer.statusCode)).toEqual([...Array<number>(10).fill(200), 429, 429]);
    for (const answer of answers.slice(10)) expectRateLimited(answer);
  });
});

import { createHmac } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from './harness/database.ts';
import { appOf, browserHeaders, createMerchant, type Merchant } from './harness/http.ts';
import { startTestRuntime, type TestRuntime } from './harness/runtime.ts';

/**
 * The worst inputs found by the outside review and their kin, sent while the event loop's delay is
 * measured: each must answer 4xx with the JSON error (never 5xx) and none may hold the loop for
 * more than 50 ms (the adversarial template once held it for 5 s).
 */
type Hostile = { name: string; send: () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }> };

const MIB = 1024 * 1024;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe.each(TEST_BACKENDS)('hostile input on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let store: { id: string; webhookSecret: string };
  let youcan: { id: string };

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, { roles: { api: true, worker: false } });
    merchant = await createMerchant(testRuntime);
    const app = appOf(testRuntime);
    const create = async (platform: string) => {
      const created = await app.inject({ method: 'POST', url: '/api/v1/stores', headers: { authorization: `Bearer ${merchant.apiKey}` }, payload: { name: platform, platform } });
      expect(created.statusCode, created.body).toBe(201);
      return created.json<{ id: string; webhookSecret: string }>();
    };
    store = await create('generic');
    youcan = await create('youcan');
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const signedGeneric = (body: string) => {
    const id = `msg_${Math.random().toString(36).slice(2)}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(store.webhookSecret.replace(/^whsec_/, ''), 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');

    return appOf(testRuntime).inject({
      method: 'POST',
      url: `/hooks/generic/${store.id}`,
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
      payload: body,
    });
  };

  const hostileInputs = (): Hostile[] => {
    const app = appOf(testRuntime);
    const bearer = { authorization: `Bearer ${merchant.apiKey}` };
    const template = (text: string) => () =>
      app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: bearer, payload: { templates: { ar: { confirm: text }, en: { confirm: text }, fr: { confirm: text } } } });
    const json = (method: 'POST' | 'PATCH', url: string, body: string, headers: Record<string, string> = {}) => () =>
      app.inject({ method, url, headers: { ...bearer, 'content-type': 'application/json', ...headers }, payload: body });

    return [
      { name: 'template: {{ and a thousand spaces', send: template(`{{${' '.repeat(998)}`) },
      { name: 'template: {{ repeated', send: template('{{'.repeat(500)) },
      { name: 'template: a body-sized placeholder', send: template(`{{ a${' '.repeat(MIB - 200)}`) },
      { name: 'body over 1 MiB', send: json('POST', '/api/v1/orders', `{"x":"${'a'.repeat(MIB + 10)}"}`) },
      { name: 'deep array body to the API', send: json('POST', '/api/v1/orders', deepArray(MIB / 2 - 10)) },
      { name: 'deep object body to the API', send: json('POST', '/api/v1/orders', deepObject(MIB / 6)) },
      { name: 'malformed JSON', send: json('POST', '/api/v1/orders', '{"storeId": "') },
      { name: 'a 1 MiB string where an id goes', send: json('POST', '/api/v1/orders', JSON.stringify({ storeId: 'x'.repeat(MIB - 100) })) },
      { name: 'signed webhook: deep array', send: () => signedGeneric(deepArray(MIB / 2 - 10)) },
      { name: 'signed webhook: deep object', send: () => signedGeneric(deepObject(MIB / 6)) },
      { name: 'signed webhook: NUL and lone surrogates', send: () => signedGeneric('{"externalId":"\\u0000\\ud800","customer":{"name":"\\udfff"}}') },
      { name: 'signed webhook: numbers past 2^53 and huge exponents', send: () => signedGeneric(`{"total":1e999999,"externalId":${'9'.repeat(5000)}}`) },
      {
        name: 'YouCan webhook, 1 MiB, bad signature',
        send: () =>
          app.inject({
            method: 'POST',
            url: `/hooks/youcan/${youcan.id}`,
            headers: { 'content-type': 'application/json', 'x-youcan-signature': 'ab'.repeat(32) },
            payload: `{"items":[${'{"name":"\\u00e9\\u0627 \\/ x","q":1},'.repeat(MIB / 40)}{}]}`,
          }),
      },
      { name: 'repeated query parameter on a webhook', send: () => app.inject({ method: 'POST', url: `/hooks/zid/${store.id}?token=a&token=b`, headers: { 'content-type': 'application/json' }, payload: '{}' }) },
      {
        name: 'sign-up with a 1 MiB name',
        send: () =>
          app.inject({
            method: 'POST',
            url: '/api/auth/sign-up/email',
            headers: { origin: testRuntime.config.publicUrl, 'content-type': 'application/json' },
            payload: JSON.stringify({ email: `long.${Date.now()}@example.com`, password: 'a long enough password', name: `URGENT ${'x'.repeat(MIB - 200)}` }),
          }),
      },
      { name: 'profile name of 1 MiB', send: () => app.inject({ method: 'PATCH', url: '/api/v1/session/user', headers: browserHeaders(testRuntime, merchant), payload: { name: 'y'.repeat(MIB - 100) } }) },
      { name: 'a search of 100,000 characters', send: () => app.inject({ method: 'GET', url: `/api/v1/orders?q=${'%25'.repeat(30_000)}`, headers: bearer }) },
      { name: 'an id of 100,000 characters', send: () => app.inject({ method: 'GET', url: `/api/v1/orders/${'o'.repeat(100_000)}`, headers: bearer }) },
      { name: 'invalid UTF-8 in a JSON body', send: () => app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...bearer, 'content-type': 'application/json' }, payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }) },
      { name: 'a made-up API key of 1 MiB', send: () => app.inject({ method: 'GET', url: '/api/v1/orders', headers: { authorization: `Bearer ak_${'k'.repeat(MIB)}` } }) },
    ];
  };

  it('answers each with a 4xx JSON error and never holds the event loop over 50 ms', async () => {
    const results: { name: string; status: number; code: string | undefined; worstDelayMs: number }[] = [];
    for (const hostile of hostileInputs()) {
      // Three tries, keeping the calmest: a stall of ours shows in every try, while a machine
      // shared with other work also delays timers now and then on its own.
      const worst: number[] = [];
      let answer: Awaited<ReturnType<Hostile['send']>> | null = null;
      for (let attempt = 0; attempt < 3; attempt++) {
        const delay = monitorEventLoopDelay({ resolution: 5 });
        delay.enable();
        answer = await hostile.send();
        // A timer due during a stall fires only after it: let it, so the stall is recorded.
        await new Promise((resolve) => setTimeout(resolve, 20));
        delay.disable();
        worst.push(delay.max / 1e6);
      }
      let code: string | undefined;
      try {
        code = (JSON.parse(answer?.body ?? '') as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      results.push({ name: hostile.name, status: answer?.statusCode ?? 0, code, worstDelayMs: Math.round(Math.min(...worst) * 10) / 10 });
    }
    console.info(results.map((result) => `${result.status} ${result.code ?? ''} ${result.worstDelayMs} ms  ${result.name}`).join('\n'));
    for (const result of results) {
      expect(result.status, result.name).toBeGreaterThanOrEqual(400);
      expect(result.status, result.name).toBeLessThan(500);
      expect(result.code, result.name).toEqual(expect.any(String));
      expect(result.worstDelayMs, result.name).toBeLessThanOrEqual(50);
    }
  });
});

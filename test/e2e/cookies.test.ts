import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifyCodOrder } from '../harness/flow.ts';
import { findLink, readOutbox, startTestRuntime, type TestRuntime } from '../harness/runtime.ts';

/**
 * DESIGN.md §5.3 Privacy: "exactly two cookies may exist anywhere in the product": the session
 * cookie `akked.session_token` and, only if used, `akked.csrf`; HttpOnly and SameSite=Lax. This
 * walks the product over real HTTP as a browser, an API client and a stranger would (sign-up,
 * verification, sign-in, every other auth endpoint, every operation the OpenAPI document lists,
 * webhooks, operations endpoints, the dashboard and a deep link, sign-out, account deletion) and
 * collects every Set-Cookie header it is ever sent.
 */
const ALLOWED_COOKIES = ['akked.session_token', 'akked.csrf'];

type SeenCookie = { request: string; status: number; setCookie: string };

type OpenApiDocument = { paths: Record<string, Record<string, unknown>> };

describe('cookies', () => {
  let testRuntime: TestRuntime;
  let baseUrl: string;
  let origin: string;
  const seen: SeenCookie[] = [];
  const requested: string[] = [];

  /** One request over HTTP; its Set-Cookie headers are recorded. Streams (SSE) are cut after the headers. */
  const send = async (method: string, path: string, options: { headers?: Record<string, string>; body?: string; label?: string } = {}) => {
    const label = `${options.label ?? 'anonymous'} ${method} ${path}`;
    requested.push(label);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
      signal: AbortSignal.timeout(15_000),
    });
    for (const setCookie of response.headers.getSetCookie()) seen.push({ request: label, status: response.status, setCookie });
    const text = (response.headers.get('content-type') ?? '').includes('text/event-stream') ? (await response.body?.cancel(), '') : await response.text();

    return { status: response.status, text, headers: response.headers };
  };

  const json = <T>(text: string): T => JSON.parse(text) as T;

  const signUpAndVerify = async (email: string, password: string): Promise<void> => {
    const signUp = await send('POST', '/api/auth/sign-up/email', { headers: { origin }, body: JSON.stringify({ email, password, name: 'Cookie Tester', language: 'fr' }) });
    expect(signUp.status, signUp.text).toBe(200);
    const mail = (await readOutbox(testRuntime.dataDirectory)).find((candidate) => candidate.to === email);
    const link = new URL(findLink(mail as NonNullable<typeof mail>, `${testRuntime.config.publicUrl}/api/auth/verify-email`));
    const verify = await send('GET', `${link.pathname}${link.search}`);
    expect([200, 302]).toContain(verify.status);
  };

  const signIn = async (email: string, password: string, rememberMe: boolean): Promise<{ cookie: string; csrfToken: string }> => {
    const response = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ email, password, rememberMe }),
    });
    requested.push(`anonymous POST /api/auth/sign-in/email (rememberMe ${rememberMe})`);
    const setCookies = response.headers.getSetCookie();
    for (const setCookie of setCookies) seen.push({ request: 'sign-in', status: response.status, setCookie });
    expect(response.status, await response.text()).toBe(200);
    const cookie = setCookies.find((value) => value.startsWith('akked.session_token='))?.split(';')[0] ?? '';
    const session = await send('GET', '/api/v1/session', { headers: { cookie }, label: 'session' });
    expect(session.status).toBe(200);

    return { cookie, csrfToken: json<{ csrfToken: string }>(session.text).csrfToken };
  };

  beforeAll(async () => {
    // The api role alone: no worker, so nothing ever dials WhatsApp.
    testRuntime = await startTestRuntime('pglite', { roles: { api: true, worker: false }, listen: true });
    baseUrl = (testRuntime.runtime.url ?? '').replace('localhost', '127.0.0.1');
    origin = testRuntime.config.publicUrl;
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  it('sets no cookie but akked.session_token (and akked.csrf), always HttpOnly and SameSite=Lax, on any route', async () => {
    // A stranger: the dashboard, a deep link, its assets, operations endpoints, the API description.
    for (const path of ['/', '/orders/ord_123?lang=ar', '/sign-in', '/settings', '/assets/nothing.js', '/favicon.ico', '/healthz', '/readyz', '/metrics', '/api/v1/openapi.json']) {
      await send('GET', path);
    }

    const email = `cookies.${Date.now()}@example.com`;
    const password = 'a long enough password';
    await signUpAndVerify(email, password);
    await signIn(email, password, false);
    const browser = await signIn(email, password, true);
    const cookieHeaders = { cookie: browser.cookie, origin, 'x-csrf-token': browser.csrfToken };
    const apiKeyOf = async (name: string) => {
      const created = await send('POST', '/api/v1/api-keys', { headers: cookieHeaders, body: JSON.stringify({ name, scopes: ['admin'] }), label: 'session' });
      expect(created.status, created.text).toBe(201);

      return json<{ id: string; key: string }>(created.text);
    };
    const apiKey = (await apiKeyOf('cookie test')).key;
    const spareKey = await apiKeyOf('to be deleted');
    const apiHeaders = { authorization: `Bearer ${apiKey}` };

    // Real objects, so routes with ids answer from their success paths too.
    const store = await send('POST', '/api/v1/stores', {
      headers: apiHeaders,
      body: JSON.stringify({ name: 'Cookie Store', platform: 'shopify', defaultCountry: 'SA', timezone: 'Asia/Riyadh', language: 'ar', webhookSecret: 'shopify-cookie-secret' }),
      label: 'api-key',
    });
    expect(store.status, store.text).toBe(201);
    const storeId = json<{ id: string }>(store.text).id;
    const shopifyBody = shopifyCodOrder({ id: '990000000000000001', number: '#C1', phone: '0551230999' });
    const webhook = await send('POST', `/hooks/shopify/${storeId}`, {
      headers: {
        'x-shopify-topic': 'orders/create',
        'x-shopify-hmac-sha256': createHmac('sha256', 'shopify-cookie-secret').update(shopifyBody).digest('base64'),
        'x-shopify-webhook-id': 'cookie-webhook-1',
        'x-shopify-shop-domain': 'cookie-store.myshopify.com',
      },
      body: shopifyBody,
      label: 'platform',
    });
    expect(webhook.status, webhook.text).toBe(200);
    const orders = json<{ data: { id: string }[] }>((await send('GET', `/api/v1/orders?storeId=${storeId}`, { headers: apiHeaders, label: 'api-key' })).text);
    const orderId = orders.data[0]?.id ?? 'ord_missing';

    // Every operation the OpenAPI document lists, as a stranger, an API client and a browser session.
    const document = json<OpenApiDocument>((await send('GET', '/api/v1/openapi.json')).text);
    const parameterValue = (path: string, name: string): string => {
      if (name === 'storeId' || (name === 'id' && path.startsWith('/api/v1/stores/'))) return storeId;
      if (name === 'id' && path.startsWith('/api/v1/orders/')) return orderId;
      if (name === 'id' && path.startsWith('/api/v1/api-keys/')) return spareKey.id;
      if (name === 'platform') return 'shopify';
      if (name === 'phone') return encodeURIComponent('+966551230998');

      return `${name}_doesnotexist`;
    };
    const documented = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })))
      .filter((operation) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(operation.method));
    const families = new Set(documented.map((operation) => operation.path.split('/').slice(0, 4).join('/')));
    const operations = documented
      // Account deletion is the last step below.
      .filter((operation) => !(operation.method === 'DELETE' && operation.path === '/api/v1/account'))
      // Deletions last, so the other routes meet the objects they name.
      .sort((first, second) => Number(first.method === 'DELETE') - Number(second.method === 'DELETE'));
    expect([...families]).toEqual(
      expect.arrayContaining([
        '/api/v1/session', '/api/v1/api-keys', '/api/v1/stores', '/api/v1/whatsapp-numbers', '/api/v1/orders', '/api/v1/customers', '/api/v1/export',
        '/api/v1/analytics', '/api/v1/account', '/hooks/{platform}/{storeId}', '/hooks/whatsapp-cloud/{numberId}', '/healthz', '/readyz',
      ].map((family) => family.split('/').slice(0, 4).join('/'))),
    );
    for (const operation of operations) {
      const path = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => parameterValue(operation.path, name));
      const body = ['POST', 'PUT', 'PATCH'].includes(operation.method) ? '{}' : undefined;
      for (const [label, headers] of [['anonymous', {}], ['api-key', apiHeaders], ['session', cookieHeaders]] as const) {
        await send(operation.method, path, { headers: { ...headers, ...(path.startsWith('/hooks/') ? {} : { origin }) }, ...(body === undefined ? {} : { body }), label });
      }
    }
    await send('GET', '/api/v1/export?format=csv', { headers: { cookie: browser.cookie }, label: 'session' });
    await send('GET', '/api/v1/nothing-here', { headers: { cookie: browser.cookie }, label: 'session' });

    // The other auth endpoints a browser reaches: session reads, profile, verification, password reset.
    const authCalls: [string, string, string | undefined][] = [
      ['GET', '/api/auth/get-session', undefined],
      ['GET', '/api/auth/list-sessions', undefined],
      ['GET', '/api/auth/ok', undefined],
      ['POST', '/api/auth/update-user', JSON.stringify({ name: 'Cookie Tester Renamed' })],
      ['POST', '/api/auth/send-verification-email', JSON.stringify({ email })],
      ['POST', '/api/auth/change-password', JSON.stringify({ currentPassword: 'not the password', newPassword: 'another long password' })],
      ['POST', '/api/auth/request-password-reset', JSON.stringify({ email, redirectTo: `${origin}/reset-password` })],
    ];
    for (const [method, path, body] of authCalls) {
      await send(method, path, { headers: { cookie: browser.cookie, origin }, ...(body === undefined ? {} : { body }), label: 'session' });
    }
    const resetMail = (await readOutbox(testRuntime.dataDirectory)).find((mail) => mail.to === email && mail.text.includes('reset-password'));
    const resetLink = new URL(findLink(resetMail as NonNullable<typeof resetMail>, `${origin}/api/auth/reset-password/`));
    await send('GET', `${resetLink.pathname}${resetLink.search}`);
    const reset = await send('POST', '/api/auth/reset-password', { headers: { origin }, body: JSON.stringify({ token: resetLink.pathname.split('/').pop(), newPassword: 'a brand new password' }) });
    expect(reset.status, reset.text).toBe(200);

    // Sign out, sign in again, and delete the account (a wrong password first).
    const again = await signIn(email, 'a brand new password', true);
    await send('POST', '/api/auth/sign-out', { headers: { cookie: again.cookie, origin }, label: 'session' });
    const last = await signIn(email, 'a brand new password', true);
    const lastHeaders = { cookie: last.cookie, origin, 'x-csrf-token': last.csrfToken };
    expect((await send('DELETE', '/api/v1/account', { headers: lastHeaders, body: JSON.stringify({ password: 'wrong password' }), label: 'session' })).status).toBe(401);
    const deleted = await send('DELETE', '/api/v1/account', { headers: lastHeaders, body: JSON.stringify({ password: 'a brand new password' }), label: 'session' });
    expect(deleted.status, deleted.text).toBe(200);
    await send('GET', '/api/v1/session', { headers: { cookie: last.cookie }, label: 'deleted session' });

    // The walk really saw cookies (sign-in sets the session one), and really covered the routes.
    expect(seen.some((cookie) => cookie.setCookie.startsWith('akked.session_token='))).toBe(true);
    expect(requested.length).toBeGreaterThan(100);
    for (const cookie of seen) {
      const [nameValue, ...attributes] = cookie.setCookie.split(';').map((part) => part.trim());
      const name = nameValue?.split('=', 1)[0] ?? '';
      const context = `${cookie.request} (${cookie.status}): ${cookie.setCookie}`;
      expect(ALLOWED_COOKIES, context).toContain(name);
      expect(attributes.map((attribute) => attribute.toLowerCase()), context).toEqual(expect.arrayContaining(['httponly', 'samesite=lax']));
    }
  });
});

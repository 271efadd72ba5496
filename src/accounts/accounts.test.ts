import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { appOf, browserHeaders, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { findLink, readOutbox, startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { findInEveryTable } from '../../test/harness/table-scan.ts';

describe.each(TEST_BACKENDS)('accounts on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let other: Merchant;

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, { environment: { AKKED_FREE_CREDITS: '50' } });
    merchant = await createMerchant(testRuntime, { name: 'Amina' });
    other = await createMerchant(testRuntime, { name: 'Other Store' });
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  it('signs up, verifies the email from the outbox link, signs in and reads the session', async () => {
    const app = appOf(testRuntime);
    const session = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: merchant.cookie } });
    expect(session.statusCode).toBe(200);
    const body = session.json();
    expect(body.user).toMatchObject({ name: 'Amina', email: merchant.email, emailVerified: true, language: 'en' });
    expect(body.account).toMatchObject({ id: merchant.accountId, plan: 'free', creditBalance: 50 });
    expect(body.account.id).toMatch(/^acc_/);
    expect(body.csrfToken).toEqual(expect.any(String));
    expect(merchant.accountId).not.toBe(other.accountId);
  });

  it('sets only the session cookie, HttpOnly and SameSite=Lax', async () => {
    const app = appOf(testRuntime);
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: testRuntime.config.publicUrl },
      payload: { email: merchant.email, password: merchant.password, rememberMe: false },
    });
    expect(signIn.statusCode).toBe(200);
    const cookies = [signIn.headers['set-cookie']].flat();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^akked\.session_token=/);
    expect(cookies[0]).toMatch(/HttpOnly/i);
    expect(cookies[0]).toMatch(/SameSite=Lax/i);
    expect(cookies[0]).not.toMatch(/Secure/);
  });

  it('refuses sign-in before the email is verified', async () => {
    const app = appOf(testRuntime);
    const origin = testRuntime.config.publicUrl;
    const email = `unverified.${Date.now()}@example.com`;
    await app.inject({ method: 'POST', url: '/api/auth/sign-up/email', headers: { origin }, payload: { email, password: 'a long enough password', name: 'Nadia' } });
    const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', headers: { origin }, payload: { email, password: 'a long enough password' } });
    expect(signIn.statusCode).toBe(403);
    expect(signIn.json().error.code).toBe('email_not_verified');
  });

  it('answers a wrong password with 401 in the JSON error shape', async () => {
    const app = appOf(testRuntime);
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: testRuntime.config.publicUrl },
      payload: { email: merchant.email, password: 'not the password' },
    });
    expect(signIn.statusCode).toBe(401);
    expect(signIn.json()).toEqual({ error: { code: 'invalid_email_or_password', message: expect.any(String) } });
  });

  it('sends the verification email in Arabic to a user who chose Arabic', async () => {
    const app = appOf(testRuntime);
    const email = `arabic.${Date.now()}@example.com`;
    await app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin: testRuntime.config.publicUrl },
      payload: { email, password: 'a long enough password', name: 'سارة <script>', language: 'ar' },
    });
    const mail = (await readOutbox(testRuntime.dataDirectory)).find((candidate) => candidate.to === email);
    expect(mail?.text.split('\n')[0]).toBe('مرحبًا،');
    expect(mail?.html).toContain('dir="rtl"');
    // Whoever signs up chooses both the name and the address: the name stays out of the email.
    expect(`${mail?.text}${mail?.html}`).not.toContain('سارة');
    expect(mail?.html).not.toContain('<script>');
  });

  it("refuses a sign-up name over 100 characters, sends no email, and never mails a stranger's text", async () => {
    const app = appOf(testRuntime);
    const email = `long.name.${Date.now()}@example.com`;
    const name = `URGENT: your account is locked, sign in at evil.example/login ${'x'.repeat(3_000)}`;
    const signUp = await app.inject({ method: 'POST', url: '/api/auth/sign-up/email', headers: { origin: testRuntime.config.publicUrl }, payload: { email, password: 'a long enough password', name } });
    expect(signUp.statusCode, signUp.body).toBe(400);
    expect(signUp.json()).toEqual({ error: { code: 'bad_request', message: 'name: a name has at most 100 characters' } });
    expect((await readOutbox(testRuntime.dataDirectory)).filter((mail) => mail.to === email)).toEqual([]);

    const short = `short.name.${Date.now()}@example.com`;
    const accepted = await app.inject({ method: 'POST', url: '/api/auth/sign-up/email', headers: { origin: testRuntime.config.publicUrl }, payload: { email: short, password: 'a long enough password', name: 'URGENT evil.example/login' } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const mail = (await readOutbox(testRuntime.dataDirectory)).find((candidate) => candidate.to === short);
    expect(`${mail?.subject}${mail?.text}${mail?.html}`).not.toMatch(/URGENT|evil\.example/);
  });

  it('stores names on one line without control or direction-changing characters, on sign-up and on every update path', async () => {
    const app = appOf(testRuntime);
    const origin = testRuntime.config.publicUrl;
    const email = `clean.name.${Date.now()}@example.com`;
    await app.inject({ method: 'POST', url: '/api/auth/sign-up/email', headers: { origin }, payload: { email, password: 'a long enough password', name: '  Amina\n\tHaddad\u202E\u0000 ' } });
    const { database } = testRuntime.testDatabase;
    const [stored] = await database.query<{ name: string }>('select name from users where email = $1', [email]);
    expect(stored?.name).toBe('Amina Haddad');

    const user = await createMerchant(testRuntime);
    const tooLong = await app.inject({ method: 'PATCH', url: '/api/v1/session/user', headers: browserHeaders(testRuntime, user), payload: { name: 'y'.repeat(101) } });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.code).toBe('bad_request');
    const cleaned = await app.inject({ method: 'PATCH', url: '/api/v1/session/user', headers: browserHeaders(testRuntime, user), payload: { name: 'Layla\r\nHaddad' } });
    expect(cleaned.json().name).toBe('Layla Haddad');
    // better-auth's own update-user endpoint goes through the same rule.
    const viaAuth = await app.inject({ method: 'POST', url: '/api/auth/update-user', headers: { cookie: user.cookie, origin }, payload: { name: 'z'.repeat(3_000) } });
    expect(viaAuth.statusCode).toBe(400);
    const [after] = await database.query<{ name: string }>('select name from users where id = $1', [user.userId]);
    expect(after?.name).toBe('Layla Haddad');
  });

  it('verifies the email from the link without signing its clicker in (no login CSRF)', async () => {
    const app = appOf(testRuntime);
    const origin = testRuntime.config.publicUrl;
    const email = `attacker.${Date.now()}@example.com`;
    await app.inject({ method: 'POST', url: '/api/auth/sign-up/email', headers: { origin }, payload: { email, password: 'a long enough password', name: 'Attacker' } });
    const mail = (await readOutbox(testRuntime.dataDirectory)).find((candidate) => candidate.to === email);
    const link = new URL(findLink(mail as NonNullable<typeof mail>, `${origin}/api/auth/verify-email`));
    // The victim opens the attacker's link: the address is verified, and the victim is signed in to nothing.
    const verify = await app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
    expect([200, 302]).toContain(verify.statusCode);
    expect(verify.headers['set-cookie']).toBeUndefined();
    const { database } = testRuntime.testDatabase;
    const [user] = await database.query<{ email_verified: boolean }>('select email_verified from users where email = $1', [email]);
    expect(user?.email_verified).toBe(true);
  });

  it('resets a forgotten password through the emailed link', async () => {
    const app = appOf(testRuntime);
    const origin = testRuntime.config.publicUrl;
    const user = await createMerchant(testRuntime);
    const request = await app.inject({
      method: 'POST',
      url: '/api/auth/request-password-reset',
      headers: { origin },
      payload: { email: user.email, redirectTo: `${origin}/reset-password` },
    });
    expect(request.statusCode, request.body).toBe(200);
    const mail = (await readOutbox(testRuntime.dataDirectory)).find((candidate) => candidate.to === user.email && candidate.text.includes('reset-password'));
    const link = new URL(findLink(mail as NonNullable<typeof mail>, `${origin}/api/auth/reset-password/`));
    const token = link.pathname.split('/').pop();
    const reset = await app.inject({ method: 'POST', url: '/api/auth/reset-password', headers: { origin }, payload: { token, newPassword: 'a brand new password' } });
    expect(reset.statusCode, reset.body).toBe(200);
    const oldSession = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: user.cookie } });
    expect(oldSession.statusCode).toBe(401);
    const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', headers: { origin }, payload: { email: user.email, password: 'a brand new password' } });
    expect(signIn.statusCode).toBe(200);
  });

  it('signs out and the session stops working at once', async () => {
    const app = appOf(testRuntime);
    const user = await createMerchant(testRuntime);
    const signOut = await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie: user.cookie, origin: testRuntime.config.publicUrl } });
    expect(signOut.statusCode).toBe(200);
    const session = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: user.cookie } });
    expect(session.statusCode).toBe(401);
  });

  it('saves the language on the user', async () => {
    const app = appOf(testRuntime);
    const update = await app.inject({ method: 'PATCH', url: '/api/v1/session/user', headers: browserHeaders(testRuntime, merchant), payload: { language: 'fr' } });
    expect(update.statusCode).toBe(200);
    expect(update.json().language).toBe('fr');
    const invalid = await app.inject({ method: 'PATCH', url: '/api/v1/session/user', headers: browserHeaders(testRuntime, merchant), payload: { language: 'de' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.code).toBe('bad_request');
  });

  describe('API keys', () => {
    it('creates a key shown once, lists it without the key, and authenticates with it', async () => {
      const app = appOf(testRuntime);
      const created = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: browserHeaders(testRuntime, merchant), payload: { name: 'shop integration' } });
      expect(created.statusCode).toBe(201);
      const { id, key } = created.json();
      expect(key).toMatch(/^ak_[0-9A-Za-z]{32}$/);
      expect(id).toMatch(/^key_/);
      expect(created.json().scopes).toEqual(['orders:read', 'orders:write', 'stores', 'numbers']);
      const list = await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { cookie: merchant.cookie } });
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(key);
      expect(list.json().data.map((item: { id: string }) => item.id)).toContain(id);
      expect((await app.inject({ method: 'GET', url: '/api/v1/orders', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
      const stored = await testRuntime.testDatabase.database.query('select key_hash from api_keys where id = $1', [id]);
      expect(JSON.stringify(stored)).not.toContain(key);
    });

    it('needs no CSRF token with an API key, and answers 401 once the key is revoked', async () => {
      const app = appOf(testRuntime);
      const created = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { authorization: `Bearer ${merchant.apiKey}` }, payload: { name: 'short-lived', scopes: ['admin'] } });
      expect(created.statusCode).toBe(201);
      const { id, key } = created.json();
      const revoke = await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: { authorization: `Bearer ${key}` } });
      expect(revoke.statusCode).toBe(204);
      const after = await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { authorization: `Bearer ${key}` } });
      expect(after.statusCode).toBe(401);
      expect(after.json().error.code).toBe('unauthorized');
    });

    it('answers 403 to a cookie request that changes state without the CSRF token', async () => {
      const app = appOf(testRuntime);
      const response = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie: merchant.cookie, origin: testRuntime.config.publicUrl }, payload: { name: 'x' } });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('csrf_token_invalid');
      const wrongToken = await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { ...browserHeaders(testRuntime, merchant), 'x-csrf-token': other.csrfToken },
        payload: { name: 'x' },
      });
      expect(wrongToken.statusCode).toBe(403);
    });

    it("answers 404 for another account's key, exactly as for a key that does not exist", async () => {
      const app = appOf(testRuntime);
      const list = await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { authorization: `Bearer ${other.apiKey}` } });
      const otherKeyId = list.json().data[0].id;
      const foreign = await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${otherKeyId}`, headers: { authorization: `Bearer ${merchant.apiKey}` } });
      const missing = await app.inject({ method: 'DELETE', url: '/api/v1/api-keys/key_doesnotexist', headers: { authorization: `Bearer ${merchant.apiKey}` } });
      expect(foreign.statusCode).toBe(404);
      expect(missing.statusCode).toBe(404);
      expect(foreign.json()).toEqual(missing.json());
      const ours = await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { authorization: `Bearer ${merchant.apiKey}` } });
      expect(ours.json().data.map((item: { id: string }) => item.id)).not.toContain(otherKeyId);
    });

    it('answers 401 without credentials and for a made-up key', async () => {
      const app = appOf(testRuntime);
      expect((await app.inject({ method: 'GET', url: '/api/v1/api-keys' })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { authorization: 'Bearer ak_madeup' } })).statusCode).toBe(401);
    });
  });

  it('starts each new account with the free credits in the ledger', async () => {
    const rows = await testRuntime.testDatabase.database.query<{ kind: string; credits: number }>(
      'select kind, credits from credit_ledger where account_id = $1',
      [merchant.accountId],
    );
    expect(rows).toEqual([{ kind: 'free_allowance', credits: 50 }]);
  });

  it('deletes an account with its password, from a session only, leaving nothing behind but a confirmation email', async () => {
    const app = appOf(testRuntime);
    const doomed = await createMerchant(testRuntime, { name: 'Doomed Store Owner', language: 'fr' });
    const api = { authorization: `Bearer ${doomed.apiKey}` };
    const store = (await app.inject({ method: 'POST', url: '/api/v1/stores', headers: api, payload: { name: 'Doomed', platform: 'generic', defaultCountry: 'SA' } })).json();
    const order = await app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: api,
      payload: {
        storeId: store.id, platform: 'generic', externalId: 'doomed-1', number: '#D1', createdAt: new Date().toISOString(), currency: 'SAR', total: '10.00',
        paymentMethod: 'COD', isCod: true, locale: 'ar', customer: { name: 'Zainab Doomed', phone: '+966551239977', phoneRaw: null, phoneProblem: null },
        shippingAddress: null, items: [],
      },
    });
    expect(order.statusCode, order.body).toBe(201);
    const withKey = await app.inject({ method: 'DELETE', url: '/api/v1/account', headers: api, payload: { password: doomed.password } });
    expect(withKey.statusCode).toBe(403);
    const wrong = await app.inject({ method: 'DELETE', url: '/api/v1/account', headers: browserHeaders(testRuntime, doomed), payload: { password: 'not my password' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: { code: 'wrong_password', message: 'wrong password' } });
    const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/account', headers: browserHeaders(testRuntime, doomed), payload: { password: doomed.password } });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json().deleted).toMatchObject({ users: 1, stores: 1, orders: 1 });
    expect((await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: doomed.cookie } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: api })).statusCode).toBe(401);
    // The account's outbox folder was removed with its emails; the confirmation, written after, is all it holds.
    expect(await readdir(path.join(testRuntime.dataDirectory, 'outbox', doomed.accountId))).toHaveLength(1);
    const mails = (await readOutbox(testRuntime.dataDirectory)).filter((mail) => mail.file.startsWith(`${doomed.accountId}${path.sep}`));
    expect(mails.map((mail) => [mail.to, mail.subject])).toEqual([[doomed.email, 'Votre compte Akked a été supprimé']]);
    expect(mails[0]?.text).toContain(`Le compte Akked de ${doomed.email} a été supprimé`);
    for (const leftover of ['Doomed', 'Zainab', '551239977', store.id, doomed.accountId, 'http']) expect(`${mails[0]?.text}${mails[0]?.html}`).not.toContain(leftover);
    const { database } = testRuntime.testDatabase;
    expect(await findInEveryTable(database, [doomed.email, 'Zainab Doomed', '551239977'])).toEqual([]);
  });

});

describe('sign-in rate limit', () => {
  let testRuntime: TestRuntime;

  beforeAll(async () => {
    testRuntime = await startTestRuntime('pglite', { environment: { AKKED_SIGN_IN_RATE_LIMIT: '3', AKKED_TRUSTED_PROXY_HEADER: 'x-forwarded-for' } });
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  it('answers 429 after too many sign-in attempts from one address, whatever the client writes to the left of it, and not for another address', async () => {
    const app = appOf(testRuntime);
    const attempt = (address: string, clientWritten = '') =>
      app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        headers: { origin: testRuntime.config.publicUrl, 'x-forwarded-for': `${clientWritten}${address}` },
        payload: { email: 'nobody@example.com', password: 'wrong password here' },
      });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof attempt>> | null = null;
    for (let index = 0; index < 5; index++) {
      // The reviewer's probe: a new leftmost address on every try (the proxy appends the real one).
      const answer = await attempt('203.0.113.7', `198.51.100.${index + 1}, `);
      statuses.push(answer.statusCode);
      limited = answer;
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    // Like every Akked error: JSON {error:{code,message}}, also where better-auth answers in plain text.
    expect(limited?.headers['content-type']).toContain('application/json');
    expect(limited?.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String), details: { retryAfterSeconds: expect.any(Number) } } });
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt('203.0.113.8')).statusCode).toBe(401);
  });
});

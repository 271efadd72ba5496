import { expect } from 'vitest';
import type { AppInstance } from '../../src/http/app.ts';
import { findLink, readOutbox, type TestRuntime } from './runtime.ts';

export type Merchant = {
  email: string;
  password: string;
  cookie: string;
  csrfToken: string;
  accountId: string;
  userId: string;
  apiKey: string;
};

let merchantCounter = 0;

export const appOf = (testRuntime: TestRuntime): AppInstance => {
  const app = testRuntime.runtime.app;
  if (!app) throw new Error('the test runtime has no api role');

  return app;
};

/** Headers of a same-origin browser request carrying the session cookie. */
export const browserHeaders = (testRuntime: TestRuntime, merchant: Pick<Merchant, 'cookie' | 'csrfToken'>) => ({
  cookie: merchant.cookie,
  origin: testRuntime.config.publicUrl,
  'x-csrf-token': merchant.csrfToken,
});

export const sessionCookieFrom = (setCookie: string | string[] | undefined): string => {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const session = cookies.find((cookie) => cookie.startsWith('akked.session_token='));
  if (!session) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`);

  return session.split(';')[0] as string;
};

/**
 * Walks the real sign-up: sign-up → verification link from the outbox → sign-in → session →
 * API key, exactly as a merchant would through HTTP.
 */
export const createMerchant = async (testRuntime: TestRuntime, overrides: { name?: string; language?: string } = {}): Promise<Merchant> => {
  const app = appOf(testRuntime);
  const email = `merchant${++merchantCounter}.${Date.now()}@example.com`;
  const password = 'a long enough password';
  const origin = testRuntime.config.publicUrl;
  const signUp = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin },
    payload: { email, password, name: overrides.name ?? 'Test Merchant', ...(overrides.language ? { language: overrides.language } : {}) },
  });
  expect(signUp.statusCode, signUp.body).toBe(200);
  const verification = (await readOutbox(testRuntime.dataDirectory)).find((mail) => mail.to === email);
  if (!verification) throw new Error('no verification email in the outbox');
  const link = new URL(findLink(verification, `${origin}/api/auth/verify-email`));
  const verify = await app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
  expect([200, 302]).toContain(verify.statusCode);
  const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', headers: { origin }, payload: { email, password } });
  expect(signIn.statusCode, signIn.body).toBe(200);
  const cookie = sessionCookieFrom(signIn.headers['set-cookie']);
  const session = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
  expect(session.statusCode, session.body).toBe(200);
  const sessionBody = session.json<{ user: { id: string }; account: { id: string }; csrfToken: string }>();
  const key = await app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: { cookie, origin, 'x-csrf-token': sessionBody.csrfToken },
    payload: { name: 'tests', scopes: ['admin'] },
  });
  expect(key.statusCode, key.body).toBe(201);

  return {
    email,
    password,
    cookie,
    csrfToken: sessionBody.csrfToken,
    accountId: sessionBody.account.id,
    userId: sessionBody.user.id,
    apiKey: key.json<{ key: string }>().key,
  };
};

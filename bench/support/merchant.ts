import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { findLink, readOutbox } from '../../test/harness/runtime.ts';
import type { BenchRuntime } from './bench-runtime.ts';

/**
 * A merchant made the way a real one is, over real HTTP: sign-up → verification link from the
 * outbox → sign-in → session → API key.
 */
export type BenchMerchant = { email: string; accountId: string; apiKey: string };

const expectStatus = async (response: Response, wanted: number[], what: string): Promise<void> => {
  if (!wanted.includes(response.status)) throw new Error(`${what}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
};

const SessionSchema = z.object({ account: z.object({ id: z.string() }), csrfToken: z.string() });
const ApiKeySchema = z.object({ key: z.string() });
const StoreSchema = z.object({ id: z.string(), webhookSecret: z.string().nullable() });

export const signUpMerchant = async (bench: BenchRuntime, name = 'Bench Merchant'): Promise<BenchMerchant> => {
  const origin = bench.config.publicUrl;
  const email = `bench.${randomBytes(4).toString('hex')}@example.com`;
  const password = 'a long enough bench password';
  const json = { 'content-type': 'application/json', origin };
  const signUp = await fetch(`${bench.url}/api/auth/sign-up/email`, { method: 'POST', headers: json, body: JSON.stringify({ email, password, name }) });
  await expectStatus(signUp, [200], 'sign-up');
  const verification = (await readOutbox(bench.dataDirectory)).find((mail) => mail.to === email);
  if (!verification) throw new Error('no verification email in the outbox');
  const link = new URL(findLink(verification, `${origin}/api/auth/verify-email`));
  const verify = await fetch(`${bench.url}${link.pathname}${link.search}`, { redirect: 'manual' });
  await expectStatus(verify, [200, 302], 'email verification');
  const signIn = await fetch(`${bench.url}/api/auth/sign-in/email`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
  await expectStatus(signIn, [200], 'sign-in');
  const cookie = signIn.headers
    .getSetCookie()
    .find((value) => value.startsWith('akked.session_token='))
    ?.split(';')[0];
  if (!cookie) throw new Error('sign-in set no session cookie');
  const sessionResponse = await fetch(`${bench.url}/api/v1/session`, { headers: { cookie } });
  await expectStatus(sessionResponse, [200], 'session');
  const session = SessionSchema.parse(await sessionResponse.json());
  const keyResponse = await fetch(`${bench.url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { ...json, cookie, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({ name: 'benchmark', scopes: ['admin'] }),
  });
  await expectStatus(keyResponse, [201], 'API key');

  return { email, accountId: session.account.id, apiKey: ApiKeySchema.parse(await keyResponse.json()).key };
};

/** Connects a Shopify store through the API; answers its id and signing secret. */
export const createShopifyStore = async (
  bench: BenchRuntime,
  merchant: BenchMerchant,
  options: { name: string; whatsappNumberId?: string | null },
): Promise<{ id: string; webhookSecret: string }> => {
  const response = await fetch(`${bench.url}/api/v1/stores`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${merchant.apiKey}` },
    body: JSON.stringify({
      name: options.name,
      platform: 'shopify',
      whatsappNumberId: options.whatsappNumberId ?? null,
      defaultCountry: 'SA',
      timezone: 'Asia/Riyadh',
      language: 'ar',
      webhookSecret: `shopify-bench-secret-${randomBytes(8).toString('hex')}`,
    }),
  });
  await expectStatus(response, [201], 'store creation');
  const store = StoreSchema.parse(await response.json());
  if (!store.webhookSecret) throw new Error('the store has no webhook secret');

  return { id: store.id, webhookSecret: store.webhookSecret };
};

const NumberSchema = z.object({ id: z.string() });

/**
 * Adds a Cloud API number through the API, so the merchant's orders are queued for confirmation.
 * The credentials are made up: nothing calls Meta unless a worker sends (benchmarks that need
 * sends use the simulator).
 */
export const createCloudNumber = async (bench: BenchRuntime, merchant: BenchMerchant): Promise<string> => {
  const response = await fetch(`${bench.url}/api/v1/whatsapp-numbers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${merchant.apiKey}` },
    body: JSON.stringify({
      provider: 'cloud',
      phone: '+966500000001',
      cloud: { phoneNumberId: '100000000000001', accessToken: 'bench-token', appSecret: 'bench-app-secret', verifyToken: 'bench-verify-token' },
    }),
  });
  await expectStatus(response, [201], 'WhatsApp number');

  return NumberSchema.parse(await response.json()).id;
};

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripe, type FakeStripe } from '../../../test/harness/fake-stripe.ts';
import { appOf, browserHeaders, createMerchant, type Merchant } from '../../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../../test/harness/runtime.ts';
import { STRIPE_API_VERSION } from '../../billing/stripe-client.ts';

const STRIPE_ENVIRONMENT = {
  STRIPE_SECRET_KEY: 'sk_test_akked_routes',
  STRIPE_WEBHOOK_SECRET: 'whsec_routes',
  STRIPE_PRICE_STARTER: 'price_starter_routes',
  STRIPE_PRICE_GROWTH: 'price_growth_routes',
  STRIPE_PRICE_TOPUP: 'price_topup_routes',
};

describe('billing API with Stripe configured', () => {
  let fake: FakeStripe;
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let other: Merchant;

  beforeAll(async () => {
    fake = await startFakeStripe();
    testRuntime = await startTestRuntime('pglite', { roles: { api: true, worker: false }, environment: { ...STRIPE_ENVIRONMENT, STRIPE_API_BASE_URL: fake.origin } });
    merchant = await createMerchant(testRuntime, { name: 'Billing Merchant' });
    other = await createMerchant(testRuntime);
  });

  afterAll(async () => {
    await testRuntime?.stop();
    await fake?.close();
  });

  const withKey = (who: Merchant) => ({ authorization: `Bearer ${who.apiKey}` });

  it('shows the plan, balance, plans, ledger and invoices of the account only', async () => {
    const app = appOf(testRuntime);
    const { database } = testRuntime.testDatabase;
    await database.query(
      `insert into invoices (id, account_id, amount_paid, amount_due, currency, status, hosted_invoice_url, created_at)
       values ('in_routes_1', $1, 1900, 1900, 'usd', 'paid', 'https://invoice.stripe.com/i/in_routes_1', '2026-11-01T00:00:00Z'),
              ('in_routes_kwd', $1, 12500, 12500, 'kwd', 'paid', null, '2026-11-02T00:00:00Z')`,
      [merchant.accountId],
    );
    const response = await app.inject({ method: 'GET', url: '/api/v1/billing', headers: withKey(merchant) });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['balance', 'configured', 'invoices', 'ledger', 'plan', 'plans']);
    expect(body).toMatchObject({ configured: true, plan: 'free', balance: 50 });
    expect(body.plans).toEqual([
      { id: 'free', name: 'Free', monthlyCredits: 0, price: '0.00', currency: 'USD', stripePriceId: null },
      { id: 'starter', name: 'Starter', monthlyCredits: 1000, price: '19.00', currency: 'USD', stripePriceId: 'price_starter_routes' },
      { id: 'growth', name: 'Growth', monthlyCredits: 5000, price: '79.00', currency: 'USD', stripePriceId: 'price_growth_routes' },
      { id: 'scale', name: 'Scale', monthlyCredits: 20000, price: '249.00', currency: 'USD', stripePriceId: null },
    ]);
    expect(body.ledger).toEqual([{ id: expect.stringMatching(/^led_/), kind: 'free_allowance', credits: 50, reason: 'Free credits at sign-up', createdAt: expect.any(String) }]);
    expect(body.invoices).toEqual([
      { id: 'in_routes_kwd', amountPaid: '12.500', currency: 'KWD', status: 'paid', url: null, createdAt: '2026-11-02T00:00:00.000Z' },
      { id: 'in_routes_1', amountPaid: '19.00', currency: 'USD', status: 'paid', url: 'https://invoice.stripe.com/i/in_routes_1', createdAt: '2026-11-01T00:00:00.000Z' },
    ]);
    // Another account sees its own billing, never these invoices.
    const foreign = (await app.inject({ method: 'GET', url: '/api/v1/billing', headers: withKey(other) })).json();
    expect(foreign.invoices).toEqual([]);
    expect(foreign.ledger.map((entry: { kind: string }) => entry.kind)).toEqual(['free_allowance']);
    expect((await app.inject({ method: 'GET', url: '/api/v1/billing' })).statusCode).toBe(401);
  });

  it('opens a subscription checkout with the plan price, the account in its metadata, and a customer created once', async () => {
    const app = appOf(testRuntime);
    const before = fake.requests.length;
    const first = await app.inject({ method: 'POST', url: '/api/v1/billing/checkout', headers: browserHeaders(testRuntime, merchant), payload: { planId: 'starter' } });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_fake\d+$/);
    const second = await app.inject({ method: 'POST', url: '/api/v1/billing/checkout', headers: withKey(merchant), payload: { planId: 'growth' } });
    expect(second.statusCode, second.body).toBe(200);

    const made = fake.requests.slice(before);
    expect(made.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /v1/customers', 'POST /v1/checkout/sessions', 'POST /v1/checkout/sessions']);
    const [customerRequest, firstCheckout, secondCheckout] = made as [(typeof made)[0], (typeof made)[0], (typeof made)[0]];
    expect(customerRequest.idempotencyKey).toBe(`customer-${merchant.accountId}`);
    expect(customerRequest.form).toEqual({ name: 'Billing Merchant', email: merchant.email, 'metadata[accountId]': merchant.accountId });
    expect(customerRequest.headers.authorization).toBe('Bearer sk_test_akked_routes');
    expect(customerRequest.headers['stripe-version']).toBe(STRIPE_API_VERSION);
    const [customer] = await testRuntime.testDatabase.database.query<{ stripe_customer_id: string }>('select stripe_customer_id from accounts where id = $1', [merchant.accountId]);
    expect(customer?.stripe_customer_id).toMatch(/^cus_fake\d+$/);
    expect(firstCheckout.form).toEqual({
      mode: 'subscription',
      customer: customer?.stripe_customer_id,
      client_reference_id: merchant.accountId,
      'line_items[0][price]': 'price_starter_routes',
      'line_items[0][quantity]': '1',
      'metadata[accountId]': merchant.accountId,
      'metadata[planId]': 'starter',
      'subscription_data[metadata][accountId]': merchant.accountId,
      'subscription_data[metadata][planId]': 'starter',
      success_url: `${testRuntime.config.publicUrl}/billing?checkout=success`,
      cancel_url: `${testRuntime.config.publicUrl}/billing?checkout=cancelled`,
    });
    expect(firstCheckout.idempotencyKey).toMatch(new RegExp(`^checkout-${merchant.accountId}-starter-req_`));
    expect(secondCheckout.form['line_items[0][price]']).toBe('price_growth_routes');
    expect(secondCheckout.idempotencyKey).toMatch(new RegExp(`^checkout-${merchant.accountId}-growth-req_`));
    expect(secondCheckout.idempotencyKey).not.toBe(firstCheckout.idempotencyKey);
  });

  it('refuses plans that cannot be bought, a second subscription, and a cookie request without the CSRF token', async () => {
    const app = appOf(testRuntime);
    const before = fake.requests.length;
    for (const planId of ['free', 'scale', 'platinum']) {
      const refused = await app.inject({ method: 'POST', url: '/api/v1/billing/checkout', headers: withKey(other), payload: { planId } });
      expect(refused.statusCode, planId).toBe(400);
      expect(refused.json().error.code).toBe('bad_request');
    }
    const noCsrf = await app.inject({ method: 'POST', url: '/api/v1/billing/checkout', headers: { cookie: other.cookie, origin: testRuntime.config.publicUrl }, payload: { planId: 'starter' } });
    expect(noCsrf.statusCode).toBe(403);
    await testRuntime.testDatabase.database.query("update accounts set stripe_subscription_id = 'sub_existing' where id = $1", [other.accountId]);
    const second = await app.inject({ method: 'POST', url: '/api/v1/billing/checkout', headers: withKey(other), payload: { planId: 'starter' } });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('invalid_state');
    await testRuntime.testDatabase.database.query('update accounts set stripe_subscription_id = null where id = $1', [other.accountId]);
    expect(fake.requests.length).toBe(before);
  });

  it('opens a top-up checkout for between 100 and 100,000 credits at the one-credit price', async () => {
    const app = appOf(testRuntime);
    for (const credits of [99, 100_001, 2.5]) {
      const refused = await app.inject({ method: 'POST', url: '/api/v1/billing/top-up', headers: withKey(merchant), payload: { credits } });
      expect(refused.statusCode, String(credits)).toBe(400);
    }
    const before = fake.requests.length;
    const topUp = await app.inject({ method: 'POST', url: '/api/v1/billing/top-up', headers: browserHeaders(testRuntime, merchant), payload: { credits: 2500 } });
    expect(topUp.statusCode, topUp.body).toBe(200);
    expect(topUp.json().url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    const [request] = fake.requests.slice(before);
    expect(request?.path).toBe('/v1/checkout/sessions');
    expect(request?.form).toMatchObject({
      mode: 'payment',
      client_reference_id: merchant.accountId,
      'line_items[0][price]': 'price_topup_routes',
      'line_items[0][quantity]': '2500',
      'metadata[accountId]': merchant.accountId,
      'metadata[credits]': '2500',
      'payment_intent_data[metadata][credits]': '2500',
    });
    expect(request?.form.customer).toMatch(/^cus_fake/);
    expect(request?.idempotencyKey).toMatch(new RegExp(`^top-up-${merchant.accountId}-2500-req_`));
  });

  it('opens the customer portal, creating the customer first when there is none', async () => {
    const app = appOf(testRuntime);
    const before = fake.requests.length;
    const portal = await app.inject({ method: 'POST', url: '/api/v1/billing/portal', headers: withKey(other) });
    expect(portal.statusCode, portal.body).toBe(200);
    expect(portal.json().url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\//);
    const made = fake.requests.slice(before);
    expect(made.map((request) => `${request.method} ${request.path} ${request.idempotencyKey?.replace(/req_.*/, 'req_')}`)).toEqual([
      `POST /v1/customers customer-${other.accountId}`,
      `POST /v1/billing_portal/sessions portal-${other.accountId}-req_`,
    ]);
    expect(made[1]?.form).toEqual({ customer: expect.stringMatching(/^cus_fake/), return_url: `${testRuntime.config.publicUrl}/billing` });
  });

  it('answers 503 upstream_unavailable when Stripe is down, and creates no second customer afterwards', async () => {
    const app = appOf(testRuntime);
    const third = await createMerchant(testRuntime);
    fake.failNext('/v1/customers', 500, 3);
    const down = await app.inject({ method: 'POST', url: '/api/v1/billing/portal', headers: withKey(third) });
    expect(down.statusCode).toBe(503);
    expect(down.json().error.code).toBe('upstream_unavailable');
    const attempts = fake.requestsTo('POST', '/v1/customers').filter((request) => request.idempotencyKey === `customer-${third.accountId}`);
    // The SDK's retries reuse our key, so Stripe can never create two customers for one account.
    expect(attempts).toHaveLength(3);
    const up = await app.inject({ method: 'POST', url: '/api/v1/billing/portal', headers: withKey(third) });
    expect(up.statusCode).toBe(200);
  });
});

describe('account deletion with a Stripe subscription', () => {
  let fake: FakeStripe;
  let testRuntime: TestRuntime;

  beforeAll(async () => {
    fake = await startFakeStripe();
    testRuntime = await startTestRuntime('pglite', { roles: { api: true, worker: false }, environment: { ...STRIPE_ENVIRONMENT, STRIPE_API_BASE_URL: fake.origin } });
  });

  afterAll(async () => {
    await testRuntime?.stop();
    await fake?.close();
  });

  const deleteAccount = (merchant: Merchant) =>
    appOf(testRuntime).inject({ method: 'DELETE', url: '/api/v1/account', headers: browserHeaders(testRuntime, merchant), payload: { password: merchant.password } });

  const accountExists = async (accountId: string) => (await testRuntime.testDatabase.database.query('select 1 from accounts where id = $1', [accountId])).length === 1;

  it('cancels the subscription before deleting, and stops (503, nothing deleted) while Stripe is unreachable', async () => {
    const merchant = await createMerchant(testRuntime);
    const subscription = `sub_doomed_${merchant.accountId}`;
    await testRuntime.testDatabase.database.query("update accounts set stripe_customer_id = 'cus_doomed', stripe_subscription_id = $2, plan = 'starter' where id = $1", [merchant.accountId, subscription]);
    fake.subscriptions.set(subscription, { id: subscription, object: 'subscription', status: 'active', customer: 'cus_doomed' });
    fake.failNext(`/v1/subscriptions/${subscription}`, 500, 3);
    const refused = await deleteAccount(merchant);
    expect(refused.statusCode).toBe(503);
    expect(await accountExists(merchant.accountId)).toBe(true);

    const deleted = await deleteAccount(merchant);
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(await accountExists(merchant.accountId)).toBe(false);
    const cancels = fake.requestsTo('DELETE', `/v1/subscriptions/${subscription}`);
    expect(cancels).toHaveLength(4);
    for (const cancel of cancels) expect(cancel.idempotencyKey).toBe(`cancel-${subscription}`);
    expect(fake.subscriptions.get(subscription)?.status).toBe('canceled');
  });

  it('deletes an account without a subscription without calling Stripe, and one whose subscription Stripe no longer knows', async () => {
    const plain = await createMerchant(testRuntime);
    const before = fake.requests.length;
    expect((await deleteAccount(plain)).statusCode).toBe(200);
    expect(fake.requests.length).toBe(before);
    const gone = await createMerchant(testRuntime);
    await testRuntime.testDatabase.database.query("update accounts set stripe_subscription_id = 'sub_unknown_to_stripe' where id = $1", [gone.accountId]);
    expect((await deleteAccount(gone)).statusCode).toBe(200);
    expect(fake.requestsTo('DELETE', '/v1/subscriptions/sub_unknown_to_stripe')).toHaveLength(1);
    expect(await accountExists(gone.accountId)).toBe(false);
  });
});

describe('billing API without Stripe', () => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;

  beforeAll(async () => {
    testRuntime = await startTestRuntime('pglite', { roles: { api: true, worker: false } });
    merchant = await createMerchant(testRuntime);
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  it('shows configured: false and answers 503 billing_not_configured to checkout, top-up, portal and the webhook', async () => {
    const app = appOf(testRuntime);
    const headers = { authorization: `Bearer ${merchant.apiKey}` };
    const overview = await app.inject({ method: 'GET', url: '/api/v1/billing', headers });
    expect(overview.statusCode).toBe(200);
    expect(overview.json()).toMatchObject({ configured: false, plan: 'free', balance: 50 });
    for (const [url, payload] of [
      ['/api/v1/billing/checkout', { planId: 'starter' }],
      ['/api/v1/billing/top-up', { credits: 500 }],
      ['/api/v1/billing/portal', undefined],
    ] as const) {
      const response = await app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
      expect(response.statusCode, url).toBe(503);
      expect(response.json().error.code).toBe('billing_not_configured');
    }
    const hook = await app.inject({ method: 'POST', url: '/hooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' }, payload: '{}' });
    expect(hook.statusCode).toBe(503);
    expect(hook.json().error.code).toBe('billing_not_configured');
    const openApi = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    for (const route of ['/api/v1/billing', '/api/v1/billing/checkout', '/api/v1/billing/top-up', '/api/v1/billing/portal', '/hooks/stripe']) expect(openApi.paths).toHaveProperty([route]);
  });
});

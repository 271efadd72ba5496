import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import {
  checkoutSessionObject,
  invoiceObject,
  signStripeEvent,
  startFakeStripe,
  stripeEvent,
  subscriptionObject,
  type FakeStripe,
  type StripeEventBody,
} from '../../test/harness/fake-stripe.ts';
import { appOf } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { parseConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { STRIPE_API_VERSION } from './stripe-client.ts';
import { receiveStripeWebhook } from './stripe-webhook.ts';

const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const PRICES = { starter: 'price_starter_test', growth: 'price_growth_test', scale: 'price_scale_test' };

describe.each(TEST_BACKENDS)('Stripe webhooks on %s', (backend) => {
  let fake: FakeStripe;
  let testRuntime: TestRuntime;
  let counter = 0;

  beforeAll(async () => {
    fake = await startFakeStripe();
    testRuntime = await startTestRuntime(backend, {
      roles: { api: true, worker: false },
      environment: {
        STRIPE_SECRET_KEY: 'sk_test_akked',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_BASE_URL: fake.origin,
        STRIPE_PRICE_STARTER: PRICES.starter,
        STRIPE_PRICE_GROWTH: PRICES.growth,
        STRIPE_PRICE_SCALE: PRICES.scale,
        STRIPE_PRICE_TOPUP: 'price_topup_test',
      },
    });
  });

  afterAll(async () => {
    await testRuntime?.stop();
    await fake?.close();
  });

  const database = () => testRuntime.testDatabase.database;

  /** A fresh account with its own Stripe ids, so every test stands alone. */
  const newAccount = async (credits = 0) => {
    const suffix = `${Date.now().toString(36)}${++counter}`;
    const accountId = `acc_webhook${suffix}`;
    await database().query('insert into accounts (id, name, credit_balance) values ($1, $2, $3)', [accountId, 'Webhook test', credits]);

    return { accountId, customer: `cus_test${suffix}`, subscription: `sub_test${suffix}`, suffix };
  };

  const deliver = (event: StripeEventBody | string, options: { secret?: string; timestamp?: number } = {}) => {
    const { body, signature } = signStripeEvent(event, options.secret ?? WEBHOOK_SECRET, options.timestamp === undefined ? {} : { timestamp: options.timestamp });

    return appOf(testRuntime).inject({ method: 'POST', url: '/hooks/stripe', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature }, payload: body });
  };

  const accountRow = async (accountId: string) => {
    const [row] = await database().query<{ plan: string; credit_balance: number; stripe_customer_id: string | null; stripe_subscription_id: string | null }>(
      'select plan, credit_balance, stripe_customer_id, stripe_subscription_id from accounts where id = $1',
      [accountId],
    );

    return { ...row, credit_balance: Number(row?.credit_balance) };
  };

  const ledger = (accountId: string) =>
    database().query<{ kind: string; credits: number; reference: string | null }>('select kind, credits, reference from credit_ledger where account_id = $1 order by created_at, id', [accountId]);

  const queuedEmails = async (accountId: string) =>
    (
      await database().query<{ data: { kind: string; invoiceId?: string } }>(
        `select data from ${testRuntime.testDatabase.jobSchema}.job where name = 'billing.email' and data->>'accountId' = $1 order by created_on`,
        [accountId],
      )
    ).map((row) => row.data);

  const eventRecorded = async (eventId: string) => (await database().query('select 1 from stripe_events where id = $1', [eventId])).length === 1;

  it('links the customer and subscription at checkout, then grants the plan once per paid invoice with one receipt', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    const completed = await deliver(
      stripeEvent('checkout.session.completed', checkoutSessionObject({ id: `cs_${suffix}`, accountId, customer, mode: 'subscription', subscription, metadata: { planId: 'starter' } })),
    );
    expect(completed.statusCode, completed.body).toBe(200);
    expect(completed.json()).toEqual({ received: true, outcome: 'applied' });
    expect(await accountRow(accountId)).toMatchObject({ stripe_customer_id: customer, stripe_subscription_id: subscription, plan: 'free', credit_balance: 0 });

    const invoice = invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.starter, amountPaid: 1900, billingReason: 'subscription_create', subscriptionMetadata: { accountId } });
    const paid = await deliver(stripeEvent('invoice.paid', invoice));
    expect(paid.json()).toEqual({ received: true, outcome: 'applied' });
    expect(await accountRow(accountId)).toMatchObject({ plan: 'starter', credit_balance: 1000 });
    expect(await ledger(accountId)).toEqual([{ kind: 'monthly_grant', credits: 1000, reference: `in_${suffix}` }]);
    expect(await queuedEmails(accountId)).toEqual([{ accountId, kind: 'receipt', invoiceId: `in_${suffix}` }]);
    const [stored] = await database().query('select amount_paid, currency, status, hosted_invoice_url, period_start from invoices where id = $1', [`in_${suffix}`]);
    expect(stored).toMatchObject({ currency: 'usd', status: 'paid', hosted_invoice_url: `https://invoice.stripe.com/i/acct_test/in_${suffix}` });
    expect(Number(stored?.amount_paid)).toBe(1900);
  });

  it('answers a replayed event 200 and changes nothing', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    const event = stripeEvent('invoice.paid', invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.growth, amountPaid: 7900, billingReason: 'subscription_create', subscriptionMetadata: { accountId } }));
    expect((await deliver(event)).json()).toEqual({ received: true, outcome: 'applied' });
    const replay = await deliver(event);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(await accountRow(accountId)).toMatchObject({ plan: 'growth', credit_balance: 5000 });
    expect(await ledger(accountId)).toHaveLength(1);
    expect(await queuedEmails(accountId)).toHaveLength(1);
  });

  it('grants once and sends one receipt when the same invoice comes in two events', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    await database().query('update accounts set stripe_customer_id = $2, stripe_subscription_id = $3 where id = $1', [accountId, customer, subscription]);
    const invoice = invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.scale, amountPaid: 24900 });
    expect((await deliver(stripeEvent('invoice.paid', invoice))).json().outcome).toBe('applied');
    expect((await deliver(stripeEvent('invoice.paid', invoice))).json().outcome).toBe('applied');
    expect(await accountRow(accountId)).toMatchObject({ plan: 'scale', credit_balance: 20_000 });
    expect(await ledger(accountId)).toHaveLength(1);
    expect(await queuedEmails(accountId)).toHaveLength(1);
  });

  it('applies ten concurrent deliveries of one event once', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    const event = stripeEvent('invoice.paid', invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.starter, amountPaid: 1900, billingReason: 'subscription_create', subscriptionMetadata: { accountId } }));
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(event)));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array.from({ length: 10 }, () => 200));
    const outcomes = answers.map((answer) => answer.json<{ outcome: string }>().outcome).sort();
    expect(outcomes).toEqual(['applied', ...Array.from({ length: 9 }, () => 'duplicate')]);
    expect(await accountRow(accountId)).toMatchObject({ credit_balance: 1000 });
    expect(await ledger(accountId)).toHaveLength(1);
    expect(await queuedEmails(accountId)).toHaveLength(1);
  });

  it('finds the account of an invoice paid before its checkout completed, from the subscription metadata on the invoice', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    const invoice = invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.starter, amountPaid: 1900, billingReason: 'subscription_create', subscriptionMetadata: { accountId } });
    expect((await deliver(stripeEvent('invoice.paid', invoice))).json().outcome).toBe('applied');
    expect(await accountRow(accountId)).toMatchObject({ plan: 'starter', credit_balance: 1000, stripe_customer_id: customer, stripe_subscription_id: subscription });
    const late = await deliver(stripeEvent('checkout.session.completed', checkoutSessionObject({ id: `cs_${suffix}`, accountId, customer, mode: 'subscription', subscription })));
    expect(late.json().outcome).toBe('applied');
    expect(await accountRow(accountId)).toMatchObject({ plan: 'starter', credit_balance: 1000, stripe_subscription_id: subscription });
  });

  it('fetches the subscription through Stripe when an early invoice carries no account id', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    fake.subscriptions.set(subscription, subscriptionObject({ id: subscription, customer, accountId, priceId: PRICES.growth, status: 'active' }));
    const invoice = invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.growth, amountPaid: 7900, billingReason: 'subscription_create', subscriptionMetadata: null });
    expect((await deliver(stripeEvent('invoice.paid', invoice))).json().outcome).toBe('applied');
    const lookups = fake.requestsTo('GET', `/v1/subscriptions/${subscription}`);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]?.headers['stripe-version']).toBe(STRIPE_API_VERSION);
    expect(await accountRow(accountId)).toMatchObject({ plan: 'growth', credit_balance: 5000 });
  });

  it('answers 5xx when Stripe cannot be reached, records nothing, and applies the redelivery', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    fake.subscriptions.set(subscription, subscriptionObject({ id: subscription, customer, accountId, priceId: PRICES.starter, status: 'active' }));
    // The SDK retries twice: three failures in a row are an outage.
    fake.failNext(`/v1/subscriptions/${subscription}`, 500, 3);
    const event = stripeEvent('invoice.paid', invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.starter, amountPaid: 1900, billingReason: 'subscription_create', subscriptionMetadata: null }));
    const failed = await deliver(event);
    expect(failed.statusCode).toBe(503);
    expect(failed.json().error.code).toBe('upstream_unavailable');
    expect(await eventRecorded(event.id)).toBe(false);
    expect(await accountRow(accountId)).toMatchObject({ credit_balance: 0 });
    const retried = await deliver(event);
    expect(retried.json().outcome).toBe('applied');
    expect(await accountRow(accountId)).toMatchObject({ credit_balance: 1000, plan: 'starter' });
  });

  it('refuses a wrong signature with 400 and changes nothing', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    const event = stripeEvent('invoice.paid', invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.starter, amountPaid: 1900, billingReason: 'subscription_create', subscriptionMetadata: { accountId } }));
    const forged = await deliver(event, { secret: 'whsec_not_the_secret' });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.code).toBe('bad_request');
    const { body, signature } = signStripeEvent(event, WEBHOOK_SECRET);
    const tampered = await appOf(testRuntime).inject({
      method: 'POST',
      url: '/hooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      payload: body.replace('"amount_paid":1900', '"amount_paid":1'),
    });
    expect(tampered.statusCode).toBe(400);
    const unsigned = await appOf(testRuntime).inject({ method: 'POST', url: '/hooks/stripe', headers: { 'content-type': 'application/json' }, payload: body });
    expect(unsigned.statusCode).toBe(400);
    expect(await eventRecorded(event.id)).toBe(false);
    expect(await accountRow(accountId)).toMatchObject({ credit_balance: 0, plan: 'free', stripe_customer_id: null });
  });

  it('refuses a signature older than five minutes', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    const event = stripeEvent('invoice.paid', invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.starter, amountPaid: 1900, billingReason: 'subscription_create', subscriptionMetadata: { accountId } }));
    const stale = await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.statusCode).toBe(400);
    expect(stale.json().error.message).toContain('tolerance');
    expect(await eventRecorded(event.id)).toBe(false);
    const fresh = await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 240 });
    expect(fresh.json().outcome).toBe('applied');
  });

  it('credits a paid top-up once, and an asynchronous one only when its payment succeeds', async () => {
    const { accountId, customer, suffix } = await newAccount(3);
    const card = checkoutSessionObject({ id: `cs_card_${suffix}`, accountId, customer, mode: 'payment', metadata: { credits: '500' } });
    expect((await deliver(stripeEvent('checkout.session.completed', card))).json().outcome).toBe('applied');
    expect((await deliver(stripeEvent('checkout.session.completed', card))).json().outcome).toBe('applied');
    expect(await accountRow(accountId)).toMatchObject({ credit_balance: 503, stripe_customer_id: customer });
    const transfer = checkoutSessionObject({ id: `cs_bank_${suffix}`, accountId, customer, mode: 'payment', paymentStatus: 'unpaid', metadata: { credits: '250' } });
    await deliver(stripeEvent('checkout.session.completed', transfer));
    expect(await accountRow(accountId)).toMatchObject({ credit_balance: 503 });
    await deliver(stripeEvent('checkout.session.async_payment_succeeded', { ...transfer, payment_status: 'paid' }));
    expect(await accountRow(accountId)).toMatchObject({ credit_balance: 753 });
    expect(await ledger(accountId)).toEqual([
      { kind: 'top_up', credits: 500, reference: `cs_card_${suffix}` },
      { kind: 'top_up', credits: 250, reference: `cs_bank_${suffix}` },
    ]);
  });

  it('follows subscription updates: new price, past_due and cancel_at_period_end keep the plan, unpaid returns to free', async () => {
    const { accountId, customer, subscription } = await newAccount();
    await database().query("update accounts set stripe_customer_id = $2, stripe_subscription_id = $3, plan = 'starter' where id = $1", [accountId, customer, subscription]);
    const update = (status: string, priceId: string, cancelAtPeriodEnd = false) =>
      deliver(stripeEvent('customer.subscription.updated', subscriptionObject({ id: subscription, customer, accountId, priceId, status, cancelAtPeriodEnd })));
    await update('active', PRICES.growth);
    expect((await accountRow(accountId)).plan).toBe('growth');
    await update('past_due', PRICES.growth);
    expect((await accountRow(accountId)).plan).toBe('growth');
    await update('active', PRICES.growth, true);
    expect((await accountRow(accountId)).plan).toBe('growth');
    await update('unpaid', PRICES.growth);
    expect(await accountRow(accountId)).toMatchObject({ plan: 'free', stripe_subscription_id: subscription });
    await update('active', PRICES.growth);
    expect((await accountRow(accountId)).plan).toBe('growth');
    // An update of another (older) subscription of the account changes nothing.
    await deliver(stripeEvent('customer.subscription.updated', subscriptionObject({ id: 'sub_older', customer, accountId, priceId: PRICES.scale, status: 'canceled' })));
    expect((await accountRow(accountId)).plan).toBe('growth');
    expect(await queuedEmails(accountId)).toEqual([]);
  });

  it('forgets a subscription whose first payment expired, so a new checkout can start one', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    await deliver(stripeEvent('checkout.session.completed', checkoutSessionObject({ id: `cs_${suffix}`, accountId, customer, mode: 'subscription', subscription, paymentStatus: 'unpaid' })));
    expect(await accountRow(accountId)).toMatchObject({ stripe_subscription_id: subscription, plan: 'free' });
    await deliver(stripeEvent('customer.subscription.updated', subscriptionObject({ id: subscription, customer, accountId, priceId: PRICES.starter, status: 'incomplete' })));
    expect(await accountRow(accountId)).toMatchObject({ stripe_subscription_id: subscription, plan: 'free' });
    await deliver(stripeEvent('customer.subscription.updated', subscriptionObject({ id: subscription, customer, accountId, priceId: PRICES.starter, status: 'incomplete_expired' })));
    expect(await accountRow(accountId)).toMatchObject({ stripe_subscription_id: null, plan: 'free', credit_balance: 0 });
  });

  it('returns to free on deletion, tells the merchant once, and ignores an older update arriving after it', async () => {
    const { accountId, customer, subscription } = await newAccount(40);
    await database().query("update accounts set stripe_customer_id = $2, stripe_subscription_id = $3, plan = 'scale' where id = $1", [accountId, customer, subscription]);
    const now = Math.floor(Date.now() / 1000);
    const deleted = stripeEvent('customer.subscription.deleted', subscriptionObject({ id: subscription, customer, accountId, priceId: PRICES.scale, status: 'canceled' }), { created: now });
    expect((await deliver(deleted)).json().outcome).toBe('applied');
    expect(await accountRow(accountId)).toMatchObject({ plan: 'free', stripe_subscription_id: null, credit_balance: 40 });
    expect(await queuedEmails(accountId)).toEqual([{ accountId, kind: 'subscription_cancelled' }]);
    const stale = stripeEvent('customer.subscription.updated', subscriptionObject({ id: subscription, customer, accountId, priceId: PRICES.scale, status: 'active' }), { created: now - 60 });
    expect((await deliver(stale)).json().outcome).toBe('applied');
    expect(await accountRow(accountId)).toMatchObject({ plan: 'free', stripe_subscription_id: null });
    expect(await queuedEmails(accountId)).toHaveLength(1);
  });

  it('records a failed payment and tells the merchant', async () => {
    const { accountId, customer, subscription, suffix } = await newAccount();
    await database().query("update accounts set stripe_customer_id = $2, stripe_subscription_id = $3, plan = 'starter' where id = $1", [accountId, customer, subscription]);
    const invoice = invoiceObject({ id: `in_${suffix}`, customer, subscription, priceId: PRICES.starter, amountPaid: 0, amountDue: 1900, status: 'open' });
    expect((await deliver(stripeEvent('invoice.payment_failed', invoice))).json().outcome).toBe('applied');
    expect(await queuedEmails(accountId)).toEqual([{ accountId, kind: 'payment_failed', invoiceId: `in_${suffix}` }]);
    expect(await accountRow(accountId)).toMatchObject({ plan: 'starter', credit_balance: 0 });
    const [stored] = await database().query('select status, amount_due from invoices where id = $1', [`in_${suffix}`]);
    expect(stored?.status).toBe('open');
    expect(Number(stored?.amount_due)).toBe(1900);
  });

  it('answers 200 to event types it does not handle, and to events of unknown customers', async () => {
    const other = await deliver(stripeEvent('customer.created', { id: 'cus_somebody', object: 'customer' }));
    expect(other.statusCode).toBe(200);
    expect(other.json()).toEqual({ received: true, outcome: 'ignored' });
    const stranger = await deliver(stripeEvent('customer.subscription.deleted', subscriptionObject({ id: 'sub_stranger', customer: 'cus_stranger', accountId: null, priceId: PRICES.starter, status: 'canceled' })));
    expect(stranger.json()).toEqual({ received: true, outcome: 'ignored' });
  });

  it('refuses webhooks when no STRIPE_WEBHOOK_SECRET is configured', async () => {
    const event = stripeEvent('customer.created', { id: 'cus_x', object: 'customer' });
    const { body, signature } = signStripeEvent(event, WEBHOOK_SECRET);
    const { services } = testRuntime.runtime;
    const config = parseConfig({ STRIPE_SECRET_KEY: 'sk_test_akked' });
    await expect(
      receiveStripeWebhook({ database: services.database, queue: services.queue, stripe: services.stripe, config, logger: createLogger({ level: 'silent' }) }, { rawBody: Buffer.from(body), signature }),
    ).rejects.toMatchObject({ code: 'billing_not_configured', status: 503 });
    expect(await eventRecorded(event.id)).toBe(false);
  });
});

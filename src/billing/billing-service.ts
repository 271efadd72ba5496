import type { Config } from '../config.ts';
import { FREE_PLAN_ID, type Plan } from '../config-plans.ts';
import type { Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { LedgerKind } from './credits.ts';
import { listInvoices, stripeAmountToDecimal } from './invoices.ts';
import { findPlan } from './plans.ts';
import type { StripeGateway } from './stripe-client.ts';

/** A top-up buys between these many credits (one Stripe checkout, STRIPE_PRICE_TOPUP × credits). */
export const TOP_UP_MINIMUM_CREDITS = 100;
export const TOP_UP_MAXIMUM_CREDITS = 100_000;

/** Entries of the ledger and invoices shown by GET /api/v1/billing, latest first. */
const OVERVIEW_LIMIT = 100;

export type BillingDependencies = { database: Database; config: Config; stripe: StripeGateway | null; logger: Logger };

export type BillingOverview = {
  configured: boolean;
  plan: string;
  balance: number;
  plans: Plan[];
  ledger: { id: string; kind: LedgerKind; credits: number; reason: string; createdAt: string }[];
  invoices: { id: string; amountPaid: string; currency: string; status: string; url: string | null; createdAt: string }[];
};

const toIso = (value: Date | string): string => new Date(value).toISOString();

/** Everything GET /api/v1/billing shows, for the caller's account only (DESIGN.md §5.3). */
export const readBillingOverview = async (dependencies: BillingDependencies, accountId: string): Promise<BillingOverview> => {
  const { database, config } = dependencies;
  const [account] = await database.query<{ plan: string; credit_balance: number }>('select plan, credit_balance from accounts where id = $1', [accountId]);
  if (!account) throw new AppError('not_found', { message: 'no such account' });
  const ledger = await database.query<{ id: string; kind: LedgerKind; credits: number; reason: string; created_at: Date | string }>(
    'select id, kind, credits, reason, created_at from credit_ledger where account_id = $1 order by created_at desc, id desc limit $2',
    [accountId, OVERVIEW_LIMIT],
  );
  const invoices = await listInvoices(database, accountId, OVERVIEW_LIMIT);

  return {
    configured: dependencies.stripe !== null,
    plan: account.plan,
    balance: Number(account.credit_balance),
    plans: config.plans.map((plan) => ({ ...plan })),
    ledger: ledger.map((entry) => ({ id: entry.id, kind: entry.kind, credits: Number(entry.credits), reason: entry.reason, createdAt: toIso(entry.created_at) })),
    invoices: invoices.map((invoice) => ({
      id: invoice.id,
      amountPaid: stripeAmountToDecimal(Number(invoice.amount_paid), invoice.currency),
      currency: invoice.currency.toUpperCase(),
      status: invoice.status,
      url: invoice.hosted_invoice_url,
      createdAt: toIso(invoice.created_at),
    })),
  };
};

const requireStripe = (dependencies: BillingDependencies): StripeGateway => {
  if (!dependencies.stripe) throw new AppError('billing_not_configured', { message: 'billing is not configured on this server (no STRIPE_SECRET_KEY)', retryable: false });

  return dependencies.stripe;
};

/**
 * The account's Stripe customer, created the first time and remembered. The idempotency key is
 * the account id, so concurrent first calls (or a crash between Stripe's answer and our update)
 * still end with one customer.
 */
export const ensureStripeCustomer = async (dependencies: BillingDependencies, accountId: string, userId: string | null): Promise<string> => {
  const stripe = requireStripe(dependencies);
  const { database } = dependencies;
  const [account] = await database.query<{ name: string; stripe_customer_id: string | null }>('select name, stripe_customer_id from accounts where id = $1', [accountId]);
  if (!account) throw new AppError('not_found', { message: 'no such account' });
  if (account.stripe_customer_id) return account.stripe_customer_id;
  const [user] = await database.query<{ email: string }>(
    'select email from users where account_id = $1 order by (id = $2) desc, created_at limit 1',
    [accountId, userId ?? ''],
  );
  const customer = await stripe.createCustomer({ accountId, name: account.name, email: user?.email ?? null }, `customer-${accountId}`);
  await database.query('update accounts set stripe_customer_id = $2, updated_at = now() where id = $1 and stripe_customer_id is null', [accountId, customer.id]);
  const [stored] = await database.query<{ stripe_customer_id: string | null }>('select stripe_customer_id from accounts where id = $1', [accountId]);

  return stored?.stripe_customer_id ?? customer.id;
};

export type SessionRequest = { accountId: string; userId: string | null; requestId: string };

/** A Stripe Checkout session (subscription mode) for one of the plans that has a Stripe price. */
export const createPlanCheckout = async (dependencies: BillingDependencies, request: SessionRequest & { planId: string }): Promise<{ url: string }> => {
  const stripe = requireStripe(dependencies);
  const plan = findPlan(dependencies.config.plans, request.planId);
  if (!plan) throw new AppError('bad_request', { message: `unknown plan "${request.planId}"` });
  if (plan.id === FREE_PLAN_ID || plan.stripePriceId === null) {
    throw new AppError('bad_request', { message: `plan "${plan.id}" cannot be bought${plan.id === FREE_PLAN_ID ? '' : ' (it has no Stripe price)'}` });
  }
  const [account] = await dependencies.database.query<{ stripe_subscription_id: string | null }>('select stripe_subscription_id from accounts where id = $1', [request.accountId]);
  // A second checkout would start a second subscription: plan changes go through the portal.
  if (account?.stripe_subscription_id) {
    throw new AppError('invalid_state', { message: 'the account already has a subscription: change or cancel it in the billing portal (POST /api/v1/billing/portal)' });
  }
  const customer = await ensureStripeCustomer(dependencies, request.accountId, request.userId);
  const { publicUrl } = dependencies.config;
  const metadata = { accountId: request.accountId, planId: plan.id };

  return stripe.createCheckoutSession(
    {
      mode: 'subscription',
      customer,
      client_reference_id: request.accountId,
      line_items: [{ price: plan.stripePriceId, quantity: 1 }],
      metadata,
      subscription_data: { metadata },
      success_url: `${publicUrl}/billing?checkout=success`,
      cancel_url: `${publicUrl}/billing?checkout=cancelled`,
    },
    `checkout-${request.accountId}-${plan.id}-${request.requestId}`,
  );
};

/** A Stripe Checkout session (payment mode) for `credits` credits at STRIPE_PRICE_TOPUP each. */
export const createTopUpCheckout = async (dependencies: BillingDependencies, request: SessionRequest & { credits: number }): Promise<{ url: string }> => {
  const stripe = requireStripe(dependencies);
  const topUpPrice = dependencies.config.STRIPE_PRICE_TOPUP;
  if (!topUpPrice) throw new AppError('billing_not_configured', { message: 'top-ups are not configured on this server (no STRIPE_PRICE_TOPUP)', retryable: false });
  const customer = await ensureStripeCustomer(dependencies, request.accountId, request.userId);
  const { publicUrl } = dependencies.config;
  const metadata = { accountId: request.accountId, credits: String(request.credits) };

  return stripe.createCheckoutSession(
    {
      mode: 'payment',
      customer,
      client_reference_id: request.accountId,
      line_items: [{ price: topUpPrice, quantity: request.credits }],
      metadata,
      payment_intent_data: { metadata },
      success_url: `${publicUrl}/billing?top-up=success`,
      cancel_url: `${publicUrl}/billing?top-up=cancelled`,
    },
    `top-up-${request.accountId}-${request.credits}-${request.requestId}`,
  );
};

/** A Stripe customer portal session: payment methods, invoices, plan changes, cancellation. */
export const createPortal = async (dependencies: BillingDependencies, request: SessionRequest): Promise<{ url: string }> => {
  const stripe = requireStripe(dependencies);
  const customer = await ensureStripeCustomer(dependencies, request.accountId, request.userId);

  return stripe.createPortalSession({ customer, returnUrl: `${dependencies.config.publicUrl}/billing` }, `portal-${request.accountId}-${request.requestId}`);
};

/**
 * Cancels the account's subscription at once (account deletion): nothing is billed for an account
 * that no longer exists. Without Stripe configured there is nothing we can call.
 */
export const cancelAccountSubscription = async (
  dependencies: { database: Database; stripe: StripeGateway | null },
  accountId: string,
): Promise<'canceled' | 'missing' | 'none'> => {
  if (!dependencies.stripe) return 'none';
  const [account] = await dependencies.database.query<{ stripe_subscription_id: string | null }>('select stripe_subscription_id from accounts where id = $1', [accountId]);
  const subscriptionId = account?.stripe_subscription_id;
  if (!subscriptionId) return 'none';

  return dependencies.stripe.cancelSubscription(subscriptionId, `cancel-${subscriptionId}`);
};

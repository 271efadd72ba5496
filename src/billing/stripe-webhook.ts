import { z } from 'zod';
import type { Config } from '../config.ts';
import { FREE_PLAN_ID, type Plan } from '../config-plans.ts';
import type { Database, Transaction } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { billingEmailJob } from './billing-email-job.ts';
import { TOP_UP_MAXIMUM_CREDITS } from './billing-service.ts';
import { grantCredits } from './credits.ts';
import { claimReceipt, upsertInvoice } from './invoices.ts';
import { findPlanByPrice } from './plans.ts';
import { verifyStripeEvent, type StripeGateway } from './stripe-client.ts';

/**
 * POST /hooks/stripe (DESIGN.md §5.3). The signature is checked over the raw body first; then
 * everything that needs the network (finding the account through Stripe when the event alone does
 * not say) happens before the transaction, and the event id is recorded in the same transaction as
 * its effects: a redelivery, or ten concurrent deliveries, apply an event once.
 */
export type StripeWebhookDependencies = { database: Database; queue: JobQueue; config: Config; stripe: StripeGateway | null; logger: Logger };

export type StripeWebhookOutcome = 'applied' | 'duplicate' | 'ignored';

// Stripe sends ids, or whole objects when expanded.
const StripeId = z.union([z.string().min(1), z.object({ id: z.string().min(1) }).transform((object) => object.id)]);
const Metadata = z.record(z.string(), z.string()).nullish();
const UnixTime = z.number().int();

const EventSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created: UnixTime,
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const CheckoutSessionSchema = z.object({
  id: z.string().min(1),
  mode: z.string(),
  customer: StripeId.nullish(),
  subscription: StripeId.nullish(),
  client_reference_id: z.string().nullish(),
  metadata: Metadata,
  payment_status: z.string(),
});

const InvoiceSchema = z.object({
  id: z.string().min(1),
  customer: StripeId.nullish(),
  amount_paid: z.number().int(),
  amount_due: z.number().int(),
  currency: z.string().min(3),
  status: z.string().nullish(),
  hosted_invoice_url: z.string().nullish(),
  billing_reason: z.string().nullish(),
  created: UnixTime,
  period_start: UnixTime.nullish(),
  period_end: UnixTime.nullish(),
  // Since API version 2025-03-31 an invoice's subscription is here, not at `subscription`.
  parent: z.object({ subscription_details: z.object({ subscription: StripeId.nullish(), metadata: Metadata }).nullish() }).nullish(),
  lines: z
    .object({
      data: z.array(
        z.object({
          // Since 2025-03-31 a line's price is at `pricing.price_details.price`.
          pricing: z.object({ price_details: z.object({ price: StripeId }).nullish() }).nullish(),
          period: z.object({ start: UnixTime, end: UnixTime }).nullish(),
        }),
      ),
    })
    .nullish(),
});

const SubscriptionSchema = z.object({
  id: z.string().min(1),
  customer: StripeId.nullish(),
  status: z.string(),
  metadata: Metadata,
  items: z.object({ data: z.array(z.object({ price: z.object({ id: z.string().min(1) }) })) }),
});

type StripeEvent = z.infer<typeof EventSchema>;
type CheckoutSession = z.infer<typeof CheckoutSessionSchema>;
type Invoice = z.infer<typeof InvoiceSchema>;
type Subscription = z.infer<typeof SubscriptionSchema>;

/** Where an event points: the hints we can check in our own tables, and a subscription to ask Stripe about. */
type AccountHints = { accountIds: (string | null | undefined)[]; customerId: string | null | undefined; subscriptionId: string | null | undefined };

type AccountRow = { id: string; plan: string; stripe_customer_id: string | null; stripe_subscription_id: string | null; subscription_changed_at: Date | string | null };

/** What to do once the account is known, inside the transaction that records the event. */
type Effect = (transaction: Transaction, account: AccountRow) => Promise<void>;

type PlannedEvent = { hints: AccountHints; effect: Effect } | null;

const parseObject = <T>(schema: z.ZodType<T>, event: StripeEvent): T => {
  const parsed = schema.safeParse(event.data.object);
  if (!parsed.success) throw new AppError('bad_request', { message: `${event.type}: unexpected object: ${parsed.error.issues[0]?.message ?? 'invalid'}` });

  return parsed.data;
};

const toDate = (unixSeconds: number | null | undefined): Date | null => (typeof unixSeconds === 'number' ? new Date(unixSeconds * 1000) : null);

const accountExists = async (database: Database, accountId: string): Promise<boolean> =>
  (await database.query('select 1 from accounts where id = $1', [accountId])).length > 0;

const accountIdFromMetadata = (value: unknown): string | null => {
  const parsed = z.object({ metadata: Metadata }).safeParse(value);

  return parsed.success ? (parsed.data.metadata?.accountId ?? null) : null;
};

/**
 * The account an event belongs to: its Stripe customer, else the account id we put in the
 * session's metadata and `client_reference_id`, else the subscription we know, else the
 * subscription's metadata fetched from Stripe (an invoice can arrive before its checkout session).
 */
const findAccount = async (dependencies: StripeWebhookDependencies, hints: AccountHints): Promise<string | null> => {
  const { database } = dependencies;
  if (hints.customerId) {
    const [byCustomer] = await database.query<{ id: string }>('select id from accounts where stripe_customer_id = $1', [hints.customerId]);
    if (byCustomer) return byCustomer.id;
  }
  for (const accountId of hints.accountIds) if (accountId && (await accountExists(database, accountId))) return accountId;
  if (hints.subscriptionId) {
    const [bySubscription] = await database.query<{ id: string }>('select id from accounts where stripe_subscription_id = $1', [hints.subscriptionId]);
    if (bySubscription) return bySubscription.id;
    if (dependencies.stripe) {
      const fetched = accountIdFromMetadata(await dependencies.stripe.retrieveSubscription(hints.subscriptionId));
      if (fetched && (await accountExists(database, fetched))) return fetched;
    }
  }

  return null;
};

const lockAccount = async (transaction: Transaction, accountId: string): Promise<AccountRow | undefined> => {
  const [account] = await transaction.query<AccountRow>(
    'select id, plan, stripe_customer_id, stripe_subscription_id, subscription_changed_at from accounts where id = $1 for update',
    [accountId],
  );

  return account;
};

/** Remembers the account's Stripe customer, unless it has one or another account holds it. */
const linkCustomer = async (transaction: Transaction, account: AccountRow, customerId: string | null | undefined): Promise<void> => {
  if (!customerId || account.stripe_customer_id) return;
  await transaction.query(
    `update accounts set stripe_customer_id = $2, updated_at = now()
     where id = $1 and stripe_customer_id is null and not exists (select 1 from accounts other where other.stripe_customer_id = $2)`,
    [account.id, customerId],
  );
};

/** Whether an event created at `eventCreated` is not older than the last one that changed the subscription. */
const isCurrentEvent = (account: AccountRow, eventCreated: number): boolean =>
  account.subscription_changed_at === null || new Date(account.subscription_changed_at).getTime() <= eventCreated * 1000;

const setSubscriptionState = async (
  transaction: Transaction,
  account: AccountRow,
  eventCreated: number,
  change: { plan?: string; subscriptionId?: string | null },
): Promise<void> => {
  await transaction.query(
    `update accounts set plan = coalesce($2, plan),
       stripe_subscription_id = case when $3::boolean then $4 else stripe_subscription_id end,
       subscription_changed_at = greatest(coalesce(subscription_changed_at, to_timestamp(0)), to_timestamp($5)),
       updated_at = now()
     where id = $1`,
    [account.id, change.plan ?? null, change.subscriptionId !== undefined, change.subscriptionId ?? null, eventCreated],
  );
};

const planCheckoutCompleted = (event: StripeEvent, dependencies: StripeWebhookDependencies): PlannedEvent => {
  const session: CheckoutSession = parseObject(CheckoutSessionSchema, event);

  return {
    hints: { accountIds: [session.metadata?.accountId, session.client_reference_id], customerId: session.customer, subscriptionId: session.subscription },
    effect: async (transaction, account) => {
      await linkCustomer(transaction, account, session.customer);
      if (session.mode === 'subscription' && session.subscription) {
        if (!account.stripe_subscription_id && isCurrentEvent(account, event.created)) {
          await setSubscriptionState(transaction, account, event.created, { subscriptionId: session.subscription });
        }

        return;
      }
      if (session.mode !== 'payment' || session.payment_status !== 'paid') return;
      const credits = z.coerce.number().int().min(1).max(TOP_UP_MAXIMUM_CREDITS).safeParse(session.metadata?.credits);
      if (!credits.success) {
        dependencies.logger.warn({ eventId: event.id, sessionId: session.id }, 'paid checkout session without a valid metadata.credits: nothing credited');

        return;
      }
      await grantCredits(transaction, { accountId: account.id, kind: 'top_up', credits: credits.data, reason: `Top-up of ${credits.data} credits`, reference: session.id });
    },
  };
};

const invoicePlan = (plans: readonly Plan[], invoice: Invoice): { plan: Plan | undefined; periodStart: Date | null; periodEnd: Date | null } => {
  for (const line of invoice.lines?.data ?? []) {
    const priceId = line.pricing?.price_details?.price;
    const plan = priceId ? findPlanByPrice(plans, priceId) : undefined;
    if (plan) return { plan, periodStart: toDate(line.period?.start), periodEnd: toDate(line.period?.end) };
  }

  return { plan: undefined, periodStart: toDate(invoice.period_start), periodEnd: toDate(invoice.period_end) };
};

const invoiceHints = (invoice: Invoice): AccountHints => ({
  accountIds: [invoice.parent?.subscription_details?.metadata?.accountId],
  customerId: invoice.customer,
  subscriptionId: invoice.parent?.subscription_details?.subscription,
});

const planInvoicePaid = (event: StripeEvent, dependencies: StripeWebhookDependencies): PlannedEvent => {
  const invoice = parseObject(InvoiceSchema, event);
  const subscriptionId = invoice.parent?.subscription_details?.subscription ?? null;

  return {
    hints: invoiceHints(invoice),
    effect: async (transaction, account) => {
      await linkCustomer(transaction, account, invoice.customer);
      const { plan, periodStart, periodEnd } = invoicePlan(dependencies.config.plans, invoice);
      await upsertInvoice(transaction, {
        id: invoice.id,
        accountId: account.id,
        subscriptionId,
        amountPaid: invoice.amount_paid,
        amountDue: invoice.amount_due,
        currency: invoice.currency,
        status: 'paid',
        hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
        periodStart,
        periodEnd,
        createdAt: toDate(invoice.created) ?? new Date(),
      });
      if (plan && plan.monthlyCredits > 0) {
        await grantCredits(transaction, {
          accountId: account.id,
          kind: 'monthly_grant',
          credits: plan.monthlyCredits,
          reason: `${plan.name} plan: ${plan.monthlyCredits} credits (invoice ${invoice.id})`,
          reference: invoice.id,
        });
      }
      // The first invoice may come before checkout.session.completed: it links the subscription.
      const isFirstInvoice = invoice.billing_reason === 'subscription_create' && account.stripe_subscription_id === null;
      const isAccountSubscription = subscriptionId !== null && (account.stripe_subscription_id === subscriptionId || isFirstInvoice);
      if (plan && isAccountSubscription && isCurrentEvent(account, event.created)) {
        await setSubscriptionState(transaction, account, event.created, { plan: plan.id, subscriptionId });
      }
      if (await claimReceipt(transaction, invoice.id)) {
        await dependencies.queue.enqueue(billingEmailJob, { accountId: account.id, kind: 'receipt', invoiceId: invoice.id }, { transaction });
      }
    },
  };
};

const planInvoicePaymentFailed = (event: StripeEvent, dependencies: StripeWebhookDependencies): PlannedEvent => {
  const invoice = parseObject(InvoiceSchema, event);
  const { periodStart, periodEnd } = invoicePlan(dependencies.config.plans, invoice);

  return {
    hints: invoiceHints(invoice),
    effect: async (transaction, account) => {
      await linkCustomer(transaction, account, invoice.customer);
      await upsertInvoice(transaction, {
        id: invoice.id,
        accountId: account.id,
        subscriptionId: invoice.parent?.subscription_details?.subscription ?? null,
        amountPaid: invoice.amount_paid,
        amountDue: invoice.amount_due,
        currency: invoice.currency,
        status: invoice.status ?? 'open',
        hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
        periodStart,
        periodEnd,
        createdAt: toDate(invoice.created) ?? new Date(),
      });
      await dependencies.queue.enqueue(billingEmailJob, { accountId: account.id, kind: 'payment_failed', invoiceId: invoice.id }, { transaction });
    },
  };
};

/** Statuses that end the plan: the account returns to free. */
const ENDED_STATUSES = new Set(['unpaid', 'incomplete_expired', 'canceled']);
/** Statuses in which the subscription's price is the account's plan. */
const ACTIVE_STATUSES = new Set(['active', 'trialing']);

const subscriptionHints = (subscription: Subscription): AccountHints => ({
  accountIds: [subscription.metadata?.accountId],
  customerId: subscription.customer,
  subscriptionId: null,
});

const planSubscriptionUpdated = (event: StripeEvent, dependencies: StripeWebhookDependencies): PlannedEvent => {
  const subscription = parseObject(SubscriptionSchema, event);

  return {
    hints: subscriptionHints(subscription),
    effect: async (transaction, account) => {
      await linkCustomer(transaction, account, subscription.customer);
      // An older subscription of the account, or an event older than the last change: not ours to apply.
      if (account.stripe_subscription_id !== null && account.stripe_subscription_id !== subscription.id) return;
      if (!isCurrentEvent(account, event.created)) return;
      if (ENDED_STATUSES.has(subscription.status)) {
        // An expired first payment never started a subscription: forget it, so a new checkout can
        // start one. `unpaid` may still be paid, and `canceled` is followed by the deletion event
        // (which unlinks it and tells the merchant): the link stays as it is.
        await setSubscriptionState(transaction, account, event.created, {
          plan: FREE_PLAN_ID,
          ...(subscription.status === 'incomplete_expired' ? { subscriptionId: null } : {}),
        });

        return;
      }
      // Waiting for its first payment: nothing is bought yet.
      if (subscription.status === 'incomplete') return;
      // past_due keeps the plan while Stripe retries; cancel_at_period_end keeps it until deletion.
      const priceId = subscription.items.data[0]?.price.id;
      const plan = priceId && ACTIVE_STATUSES.has(subscription.status) ? findPlanByPrice(dependencies.config.plans, priceId) : undefined;
      await setSubscriptionState(transaction, account, event.created, { subscriptionId: subscription.id, ...(plan ? { plan: plan.id } : {}) });
    },
  };
};

const planSubscriptionDeleted = (event: StripeEvent, dependencies: StripeWebhookDependencies): PlannedEvent => {
  const subscription = parseObject(SubscriptionSchema, event);

  return {
    hints: subscriptionHints(subscription),
    effect: async (transaction, account) => {
      if (account.stripe_subscription_id !== null && account.stripe_subscription_id !== subscription.id) return;
      await setSubscriptionState(transaction, account, event.created, { plan: FREE_PLAN_ID, subscriptionId: null });
      // Only a subscription the merchant had is announced (not one that never started).
      if (account.stripe_subscription_id === subscription.id) {
        await dependencies.queue.enqueue(billingEmailJob, { accountId: account.id, kind: 'subscription_cancelled' }, { transaction });
      }
    },
  };
};

const planEvent = (event: StripeEvent, dependencies: StripeWebhookDependencies): PlannedEvent => {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return planCheckoutCompleted(event, dependencies);
    case 'invoice.paid':
      return planInvoicePaid(event, dependencies);
    case 'invoice.payment_failed':
      return planInvoicePaymentFailed(event, dependencies);
    case 'customer.subscription.updated':
      return planSubscriptionUpdated(event, dependencies);
    case 'customer.subscription.deleted':
      return planSubscriptionDeleted(event, dependencies);
    default:
      return null;
  }
};

export const receiveStripeWebhook = async (
  dependencies: StripeWebhookDependencies,
  request: { rawBody: Buffer | null; signature: string | undefined },
): Promise<{ eventId: string; type: string; outcome: StripeWebhookOutcome }> => {
  const secret = dependencies.config.STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new AppError('billing_not_configured', { message: 'Stripe webhooks are not configured on this server (no STRIPE_WEBHOOK_SECRET)', retryable: false });
  const verified = verifyStripeEvent(request.rawBody ?? Buffer.alloc(0), request.signature, secret);
  const parsed = EventSchema.safeParse(verified);
  if (!parsed.success) throw new AppError('bad_request', { message: 'the body is not a Stripe event' });
  const event = parsed.data;
  const { database } = dependencies;

  // A replay ends here, without asking Stripe anything.
  const [seen] = await database.query('select 1 from stripe_events where id = $1', [event.id]);
  if (seen) return { eventId: event.id, type: event.type, outcome: 'duplicate' };
  const planned = planEvent(event, dependencies);
  const accountId = planned ? await findAccount(dependencies, planned.hints) : null;

  const outcome = await database.transaction(async (transaction): Promise<StripeWebhookOutcome> => {
    const recorded = await transaction.query('insert into stripe_events (id, type) values ($1, $2) on conflict (id) do nothing returning 1', [event.id, event.type]);
    if (recorded.length === 0) return 'duplicate';
    if (!planned || !accountId) return 'ignored';
    const account = await lockAccount(transaction, accountId);
    if (!account) return 'ignored';
    await planned.effect(transaction, account);

    return 'applied';
  });
  if (planned && !accountId) dependencies.logger.warn({ eventId: event.id, type: event.type }, 'Stripe event for no known account: ignored');

  return { eventId: event.id, type: event.type, outcome };
};

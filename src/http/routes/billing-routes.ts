import { z } from 'zod';
import {
  createPlanCheckout,
  createPortal,
  createTopUpCheckout,
  readBillingOverview,
  TOP_UP_MAXIMUM_CREDITS,
  TOP_UP_MINIMUM_CREDITS,
  type BillingDependencies,
} from '../../billing/billing-service.ts';
import { receiveStripeWebhook } from '../../billing/stripe-webhook.ts';
import type { AppInstance } from '../app.ts';
import type { Authenticator } from '../authenticate.ts';

/** GET /api/v1/billing, exactly as DESIGN.md §5.3 describes it (the dashboard reads it). */
const BillingOverviewSchema = z.object({
  configured: z.boolean(),
  plan: z.string(),
  balance: z.number().int(),
  plans: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      monthlyCredits: z.number().int(),
      price: z.string().describe('Decimal string in the currency’s minor digits'),
      currency: z.string(),
      stripePriceId: z.string().nullable(),
    }),
  ),
  ledger: z.array(z.object({ id: z.string(), kind: z.string().describe('free_allowance, monthly_grant, top_up, consumption, refund or adjustment'), credits: z.number().int(), reason: z.string(), createdAt: z.string() })).describe('Latest first'),
  invoices: z
    .array(z.object({ id: z.string(), amountPaid: z.string(), currency: z.string(), status: z.string(), url: z.string().nullable(), createdAt: z.string() }))
    .describe('Latest first'),
});

const UrlSchema = z.object({ url: z.string() });

export const registerBillingRoutes = (app: AppInstance, options: { authenticator: Authenticator }): void => {
  const { authenticator } = options;
  const dependencies = (): BillingDependencies => ({
    database: app.services.database,
    config: app.services.config,
    stripe: app.services.stripe,
    logger: app.services.logger,
  });

  app.get(
    '/api/v1/billing',
    { schema: { tags: ['billing'], summary: "The account's plan, balance, the plans on offer, the credit ledger and invoices", response: { 200: BillingOverviewSchema } } },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return readBillingOverview(dependencies(), principal.accountId);
    },
  );

  app.post(
    '/api/v1/billing/checkout',
    {
      schema: {
        tags: ['billing'],
        summary: 'A Stripe Checkout URL subscribing the account to a plan (503 billing_not_configured without Stripe)',
        body: z.object({ planId: z.string().min(1).max(40) }),
        response: { 200: UrlSchema },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return createPlanCheckout(dependencies(), { accountId: principal.accountId, userId: principal.userId, requestId: request.id, planId: request.body.planId });
    },
  );

  app.post(
    '/api/v1/billing/top-up',
    {
      schema: {
        tags: ['billing'],
        summary: `A Stripe Checkout URL buying credits once (${TOP_UP_MINIMUM_CREDITS} to ${TOP_UP_MAXIMUM_CREDITS})`,
        body: z.object({ credits: z.number().int().min(TOP_UP_MINIMUM_CREDITS).max(TOP_UP_MAXIMUM_CREDITS) }),
        response: { 200: UrlSchema },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return createTopUpCheckout(dependencies(), { accountId: principal.accountId, userId: principal.userId, requestId: request.id, credits: request.body.credits });
    },
  );

  app.post(
    '/api/v1/billing/portal',
    {
      schema: {
        tags: ['billing'],
        summary: "A Stripe customer portal URL (payment methods, invoices, plan changes, cancellation)",
        response: { 200: UrlSchema },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return createPortal(dependencies(), { accountId: principal.accountId, userId: principal.userId, requestId: request.id });
    },
  );

  app.post(
    '/hooks/stripe',
    {
      // Per sending address: a flood from one address cannot use up what Stripe's own deliveries need.
      config: { rateLimit: app.rateLimits.route('webhook', (request) => `stripe ${app.rateLimits.clientKey(request)}`) },
      schema: {
        tags: ['webhooks'],
        summary: 'Stripe billing events, verified with Stripe-Signature (400 bad signature; 200 for replays and ignored types)',
        response: { 200: z.object({ received: z.literal(true), outcome: z.enum(['applied', 'duplicate', 'ignored']) }) },
      },
    },
    async (request) => {
      const signature = request.headers['stripe-signature'];
      const result = await receiveStripeWebhook(
        { ...dependencies(), queue: app.services.queue },
        { rawBody: request.rawBody, signature: Array.isArray(signature) ? signature[0] : signature },
      );
      request.log.info({ eventId: result.eventId, type: result.type, outcome: result.outcome }, 'Stripe event received');

      return { received: true as const, outcome: result.outcome };
    },
  );
};

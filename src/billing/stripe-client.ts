import Stripe from 'stripe';
import { AppError } from '../errors.ts';

/**
 * The calls Akked makes to Stripe, through the official SDK. Every call that creates something
 * carries an idempotency key chosen by the caller, so a retry (ours or the SDK's) never creates a
 * second customer, session or cancellation. Failures become AppErrors: Stripe down, rate limiting
 * or conflicts are `upstream_unavailable` (retryable); a refused request is `upstream_failed`.
 */
export type StripeGateway = {
  createCustomer(params: { accountId: string; name: string; email: string | null }, idempotencyKey: string): Promise<{ id: string }>;
  createCheckoutSession(params: Stripe.Checkout.SessionCreateParams, idempotencyKey: string): Promise<{ id: string; url: string }>;
  createPortalSession(params: { customer: string; returnUrl: string }, idempotencyKey: string): Promise<{ url: string }>;
  /** The subscription as Stripe sends it (callers validate the fields they read). */
  retrieveSubscription(subscriptionId: string): Promise<unknown>;
  /** Cancels now; `missing` when Stripe no longer knows the subscription (already gone). */
  cancelSubscription(subscriptionId: string, idempotencyKey: string): Promise<'canceled' | 'missing'>;
};

/** The API version of the pinned SDK: Stripe's webhook endpoint must be created with it. */
export const STRIPE_API_VERSION = Stripe.API_VERSION;

export type CreateStripeGatewayOptions = {
  secretKey: string;
  /** An origin such as http://127.0.0.1:12111 (tests point the SDK at a fake); Stripe's own when unset. */
  apiBaseUrl?: string | undefined;
  /** Automatic retries of failed calls by the SDK (with the same idempotency key). */
  maxNetworkRetries?: number;
};

const toAppError = (error: unknown, what: string): AppError => {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return new AppError('upstream_unavailable', { message: `Stripe ${what} failed: ${(error as Error).message}`, cause: error });
  }
  const status = error.statusCode ?? 0;
  const isTransient =
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    status === 409 ||
    status >= 500 ||
    status === 0;

  return isTransient
    ? new AppError('upstream_unavailable', { message: `Stripe ${what} failed (${status || error.type}); try again`, cause: error })
    : new AppError('upstream_failed', { message: `Stripe refused ${what}: ${error.message}`, cause: error, retryable: false });
};

export const createStripeGateway = (options: CreateStripeGatewayOptions): StripeGateway => {
  const base = options.apiBaseUrl ? new URL(options.apiBaseUrl) : null;
  const stripe = new Stripe(options.secretKey, {
    typescript: true,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: 20_000,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });

  const call = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toAppError(error, what);
    }
  };

  return {
    createCustomer: (params, idempotencyKey) =>
      call('customer creation', async () => {
        const customer = await stripe.customers.create(
          { name: params.name, ...(params.email ? { email: params.email } : {}), metadata: { accountId: params.accountId } },
          { idempotencyKey },
        );

        return { id: customer.id };
      }),
    createCheckoutSession: (params, idempotencyKey) =>
      call('checkout session creation', async () => {
        const session = await stripe.checkout.sessions.create(params, { idempotencyKey });
        if (!session.url) throw new AppError('upstream_failed', { message: 'Stripe answered a checkout session without a URL' });

        return { id: session.id, url: session.url };
      }),
    createPortalSession: (params, idempotencyKey) =>
      call('billing portal session creation', async () => {
        const session = await stripe.billingPortal.sessions.create({ customer: params.customer, return_url: params.returnUrl }, { idempotencyKey });

        return { url: session.url };
      }),
    retrieveSubscription: (subscriptionId) => call('subscription lookup', async () => (await stripe.subscriptions.retrieve(subscriptionId)) as unknown),
    cancelSubscription: async (subscriptionId, idempotencyKey) => {
      try {
        await stripe.subscriptions.cancel(subscriptionId, {}, { idempotencyKey });

        return 'canceled';
      } catch (error) {
        if (error instanceof Stripe.errors.StripeError && error.statusCode === 404) return 'missing';
        throw toAppError(error, 'subscription cancellation');
      }
    },
  };
};

/**
 * Checks the `Stripe-Signature` header over the raw body with the SDK (the whole `whsec_...`
 * string is the key; 5-minute tolerance) and returns the parsed event, or throws 400.
 */
export const verifyStripeEvent = (rawBody: Buffer, signatureHeader: string | undefined, webhookSecret: string): unknown => {
  try {
    return Stripe.webhooks.constructEvent(rawBody, signatureHeader ?? '', webhookSecret, 300);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new AppError('bad_request', { message: `invalid Stripe-Signature: ${error.message.split('\n')[0]}` });
    }
    throw new AppError('bad_request', { message: 'the body is not a Stripe event' });
  }
};

import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * Test support: a local stand-in for Stripe's API on 127.0.0.1 (random port). The SDK is pointed
 * at it with STRIPE_API_BASE_URL. It records every request (path, the form body as flat
 * `key[sub]=value` pairs, the Idempotency-Key header), answers like Stripe for the calls Akked
 * makes (a repeated idempotency key gets the first answer again), and can be told to fail.
 * Also builds webhook events shaped like API version `Stripe.API_VERSION`, signed with the SDK.
 */

export type StripeRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | undefined;
  /** The form body, decoded, as Stripe's nested names: `line_items[0][price]` → `price_...`. */
  form: Record<string, string>;
};

export type FakeStripe = {
  origin: string;
  requests: StripeRequest[];
  /** Subscriptions GET /v1/subscriptions/:id answers (others: 404), as Stripe objects. */
  subscriptions: Map<string, Record<string, unknown>>;
  /** The next `count` requests whose path starts with `pathPrefix` answer `status` (500: a Stripe outage). */
  failNext(pathPrefix: string, status: number, count?: number): void;
  /** Requests other than the ones matching `method` and `path` prefix are left out. */
  requestsTo(method: string, pathPrefix: string): StripeRequest[];
  close(): Promise<void>;
};

const stripeError = (status: number, type: string, message: string, code?: string) => ({
  status,
  body: { error: { type, message, ...(code ? { code } : {}) } },
});

export const startFakeStripe = async (): Promise<FakeStripe> => {
  const requests: StripeRequest[] = [];
  const subscriptions = new Map<string, Record<string, unknown>>();
  const idempotentAnswers = new Map<string, { status: number; body: unknown }>();
  const failures: { pathPrefix: string; status: number; remaining: number }[] = [];
  let counter = 0;

  const answer = (request: StripeRequest): { status: number; body: unknown } => {
    const failure = failures.find((candidate) => candidate.remaining > 0 && request.path.startsWith(candidate.pathPrefix));
    if (failure) {
      failure.remaining -= 1;

      return stripeError(failure.status, 'api_error', 'scripted failure');
    }
    const id = ++counter;
    if (request.method === 'POST' && request.path === '/v1/customers') {
      return { status: 200, body: { id: `cus_fake${id}`, object: 'customer', name: request.form.name ?? null, email: request.form.email ?? null, metadata: {} } };
    }
    if (request.method === 'POST' && request.path === '/v1/checkout/sessions') {
      return {
        status: 200,
        body: { id: `cs_test_fake${id}`, object: 'checkout.session', mode: request.form.mode, customer: request.form.customer, url: `https://checkout.stripe.com/c/pay/cs_test_fake${id}` },
      };
    }
    if (request.method === 'POST' && request.path === '/v1/billing_portal/sessions') {
      return { status: 200, body: { id: `bps_fake${id}`, object: 'billing_portal.session', customer: request.form.customer, url: `https://billing.stripe.com/p/session/test_fake${id}` } };
    }
    const subscriptionMatch = /^\/v1\/subscriptions\/([^/]+)$/.exec(request.path);
    if (subscriptionMatch) {
      const subscription = subscriptions.get(decodeURIComponent(subscriptionMatch[1] as string));
      if (!subscription) return stripeError(404, 'invalid_request_error', 'No such subscription', 'resource_missing');
      if (request.method === 'GET') return { status: 200, body: subscription };
      if (request.method === 'DELETE') {
        const canceled = { ...subscription, status: 'canceled' };
        subscriptions.set(String(subscription.id), canceled);

        return { status: 200, body: canceled };
      }
    }

    return stripeError(404, 'invalid_request_error', `Unrecognized request URL (${request.method}: ${request.path})`);
  };

  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://fake.invalid');
      const idempotencyKeyHeader = incoming.headers['idempotency-key'];
      const request: StripeRequest = {
        method: incoming.method ?? '',
        path: url.pathname,
        headers: incoming.headers,
        idempotencyKey: Array.isArray(idempotencyKeyHeader) ? idempotencyKeyHeader[0] : idempotencyKeyHeader,
        form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
      };
      requests.push(request);
      const replayKey = request.idempotencyKey ? `${request.method} ${request.path} ${request.idempotencyKey}` : null;
      const reply = (replayKey ? idempotentAnswers.get(replayKey) : undefined) ?? answer(request);
      if (replayKey && reply.status < 500) idempotentAnswers.set(replayKey, reply);
      outgoing.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': `req_fake${counter}` });
      outgoing.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    subscriptions,
    failNext: (pathPrefix, status, count = 1) => {
      failures.push({ pathPrefix, status, remaining: count });
    },
    requestsTo: (method, pathPrefix) => requests.filter((request) => request.method === method && request.path.startsWith(pathPrefix)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};

// ---------------------------------------------------------------------------------------------
// Webhook events as Stripe sends them (API version Stripe.API_VERSION), signed with the SDK.

let eventCounter = 0;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export type StripeEventBody = { id: string; object: 'event'; api_version: string; created: number; type: string; livemode: false; data: { object: Record<string, unknown> } };

export const stripeEvent = (type: string, object: Record<string, unknown>, options: { id?: string; created?: number } = {}): StripeEventBody => ({
  id: options.id ?? `evt_test_${Date.now().toString(36)}${++eventCounter}`,
  object: 'event',
  api_version: Stripe.API_VERSION,
  created: options.created ?? nowSeconds(),
  type,
  livemode: false,
  data: { object },
});

/** The body and `Stripe-Signature` header of a delivery, signed with `secret` at `timestamp`. */
export const signStripeEvent = (event: StripeEventBody | string, secret: string, options: { timestamp?: number } = {}): { body: string; signature: string } => {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }) });

  return { body, signature };
};

export const checkoutSessionObject = (options: {
  id: string;
  accountId: string;
  customer: string;
  mode: 'subscription' | 'payment';
  subscription?: string;
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required';
  metadata?: Record<string, string>;
}): Record<string, unknown> => ({
  id: options.id,
  object: 'checkout.session',
  mode: options.mode,
  customer: options.customer,
  subscription: options.subscription ?? null,
  client_reference_id: options.accountId,
  metadata: { accountId: options.accountId, ...options.metadata },
  payment_status: options.paymentStatus ?? 'paid',
  status: 'complete',
  livemode: false,
});

export const invoiceObject = (options: {
  id: string;
  customer: string;
  subscription: string | null;
  priceId: string;
  amountPaid: number;
  amountDue?: number;
  currency?: string;
  status?: string;
  billingReason?: string;
  subscriptionMetadata?: Record<string, string> | null;
  periodStart?: number;
  periodEnd?: number;
}): Record<string, unknown> => {
  const periodStart = options.periodStart ?? Date.UTC(2026, 10, 1) / 1000;
  const periodEnd = options.periodEnd ?? Date.UTC(2026, 11, 1) / 1000;

  return {
    id: options.id,
    object: 'invoice',
    customer: options.customer,
    amount_paid: options.amountPaid,
    amount_due: options.amountDue ?? options.amountPaid,
    currency: options.currency ?? 'usd',
    status: options.status ?? 'paid',
    billing_reason: options.billingReason ?? 'subscription_cycle',
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_test/${options.id}`,
    created: periodStart,
    period_start: periodStart,
    period_end: periodStart,
    livemode: false,
    parent: options.subscription
      ? { type: 'subscription_details', quote_details: null, subscription_details: { subscription: options.subscription, metadata: options.subscriptionMetadata ?? null } }
      : null,
    lines: {
      object: 'list',
      has_more: false,
      data: [
        {
          id: `il_${options.id}`,
          object: 'line_item',
          amount: options.amountPaid,
          currency: options.currency ?? 'usd',
          period: { start: periodStart, end: periodEnd },
          pricing: { type: 'price_details', price_details: { price: options.priceId, product: 'prod_test' }, unit_amount_decimal: String(options.amountPaid) },
          quantity: 1,
        },
      ],
    },
  };
};

export const subscriptionObject = (options: {
  id: string;
  customer: string;
  accountId: string | null;
  priceId: string;
  status: string;
  cancelAtPeriodEnd?: boolean;
}): Record<string, unknown> => ({
  id: options.id,
  object: 'subscription',
  customer: options.customer,
  status: options.status,
  cancel_at_period_end: options.cancelAtPeriodEnd ?? false,
  metadata: options.accountId ? { accountId: options.accountId } : {},
  items: { object: 'list', data: [{ id: `si_${options.id}`, object: 'subscription_item', price: { id: options.priceId, object: 'price' }, quantity: 1 }] },
  livemode: false,
});

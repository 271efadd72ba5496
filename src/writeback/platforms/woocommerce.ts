import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { GuardedFetch } from '../outbound-guard.ts';
import {
  JSON_HEADERS,
  appendPath,
  assertOrderId,
  assertSuccessfulResponse,
  createWriteBackError,
  credentialTokenSchema,
  defineWriteBackAdapter,
  errorForStatus,
  parseCredentials,
  readJsonBody,
  type WriteBackRequest,
  type WriteBackResult,
} from '../write-back-adapter.ts';

/**
 * WooCommerce write-back through the REST API v3: set the order status, then add a private order
 * note. Authentication is HTTP Basic with the consumer key and secret, which WooCommerce accepts
 * over https; the keys are never put in the query string, where they would end up in access logs.
 * (Plain http is only ever used for local fakes, see the outbound guard.) Stores without pretty
 * permalinks, which only answer on `?rest_route=`, are not supported.
 */

/**
 * `processing` is where a confirmed COD order waits to be shipped. WooCommerce's COD gateway puts
 * new orders there already, so confirming is often a no-op on the status and the note is what the
 * merchant sees; `cancelled` restocks the items.
 */
export const WOOCOMMERCE_RESULT_STATUSES: Record<WriteBackResult, string> = {
  confirmed: 'processing',
  cancelled: 'cancelled',
};

/** An http(s) site address with no credentials, query or fragment in it. */
const isBareSiteAddress = (value: string): boolean => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
};

export const WooCommerceCredentialsSchema = z.object({
  /** The site's address, e.g. `https://shop.example.com` or `https://example.com/shop`. */
  storeUrl: z
    .string()
    .trim()
    .max(2000)
    .refine(isBareSiteAddress, 'the site address (http or https) without credentials, query or fragment')
    .transform((value) => value.replace(/\/+$/, '')),
  consumerKey: credentialTokenSchema,
  consumerSecret: credentialTokenSchema,
});

export type WooCommerceCredentials = z.infer<typeof WooCommerceCredentialsSchema>;

const ordersUrl = (credentials: WooCommerceCredentials, ...segments: string[]): URL =>
  appendPath(new URL(credentials.storeUrl), 'wp-json', 'wc', 'v3', 'orders', ...segments);

const authorizationHeader = (credentials: WooCommerceCredentials): string =>
  `Basic ${Buffer.from(`${credentials.consumerKey}:${credentials.consumerSecret}`, 'utf8').toString('base64')}`;

const WooErrorBodySchema = z.object({ code: z.string() });

/** WooCommerce answers an unknown order id with 400 `woocommerce_rest_shop_order_invalid_id` (older versions) or 404. */
const assertWooResponse = async (response: Response): Promise<void> => {
  if (response.ok) return;
  if (response.status === 400) {
    const body = WooErrorBodySchema.safeParse(await readJsonBody('woocommerce', response).catch(() => undefined));
    if (body.success && body.data.code.endsWith('_invalid_id')) {
      throw createWriteBackError('woocommerce', 'order_not_found', { status: 400, message: 'the order was not found (invalid id)' });
    }
  }
  throw errorForStatus('woocommerce', response);
};

const writeToWooCommerce = async (request: WriteBackRequest<WooCommerceCredentials>): Promise<'written'> => {
  const orderId = assertOrderId('woocommerce', request.externalOrderId, /^\d{1,20}$/);
  const headers = { ...JSON_HEADERS, authorization: authorizationHeader(request.credentials) };

  const statusResponse = await request.fetch(ordersUrl(request.credentials, orderId), {
    method: 'PUT',
    headers,
    body: JSON.stringify({ status: WOOCOMMERCE_RESULT_STATUSES[request.result] }),
  });
  await assertWooResponse(statusResponse);

  if (request.note !== '') {
    const noteResponse = await request.fetch(ordersUrl(request.credentials, orderId, 'notes'), {
      method: 'POST',
      headers,
      body: JSON.stringify({ note: request.note, customer_note: false }),
    });
    await assertWooResponse(noteResponse);
  }

  return 'written';
};

export const wooCommerceWriteBackAdapter = defineWriteBackAdapter<WooCommerceCredentials>({
  platform: 'woocommerce',
  credentialsSchema: WooCommerceCredentialsSchema,
  supportedResults: ['confirmed', 'cancelled'],
  write: writeToWooCommerce,
});

export const WOOCOMMERCE_ORDERS_PER_PAGE = 50;

export type RecentOrdersPage = {
  /** Raw REST order objects; numbers too large for JavaScript stay decimal strings. */
  orders: unknown[];
  page: number;
  /** From `X-WP-TotalPages`; null when the store did not send it. */
  totalPages: number | null;
  hasNextPage: boolean;
};

/** WordPress reads `after` without a zone; `dates_are_gmt=true` makes it UTC. */
const formatUtcWithoutZone = (date: Date): string => date.toISOString().slice(0, 19);

/**
 * One page of orders created after `since`, oldest first, for reconciliation: WooCommerce never
 * retries a failed webhook delivery, so a missed order is only found by polling.
 */
export const listRecentOrders = async (options: { credentials: unknown; since: Date; page: number; fetch: GuardedFetch }): Promise<RecentOrdersPage> => {
  const credentials = parseCredentials('woocommerce', WooCommerceCredentialsSchema, options.credentials);
  if (!Number.isInteger(options.page) || options.page < 1 || Number.isNaN(options.since.getTime())) {
    throw new AppError('bad_request', { message: 'listRecentOrders needs a page from 1 and a valid date', retryable: false });
  }
  const url = ordersUrl(credentials);
  url.search = new URLSearchParams({
    after: formatUtcWithoutZone(options.since),
    dates_are_gmt: 'true',
    per_page: String(WOOCOMMERCE_ORDERS_PER_PAGE),
    page: String(options.page),
    orderby: 'date',
    order: 'asc',
  }).toString();

  const response = await options.fetch(url, { method: 'GET', headers: { accept: 'application/json', authorization: authorizationHeader(credentials) } });
  assertSuccessfulResponse('woocommerce', response);
  const orders = await readJsonBody('woocommerce', response);
  if (!Array.isArray(orders)) throw createWriteBackError('woocommerce', 'invalid_response', { message: 'the order list is not a JSON array' });

  const totalPagesHeader = response.headers.get('x-wp-totalpages');
  const totalPages = totalPagesHeader !== null && /^\d+$/.test(totalPagesHeader.trim()) ? Number(totalPagesHeader.trim()) : null;
  const hasNextPage = totalPages === null ? orders.length === WOOCOMMERCE_ORDERS_PER_PAGE : options.page < totalPages;

  return { orders, page: options.page, totalPages, hasNextPage };
};

import { isSafeNumber, parse as parseLosslessJson } from 'lossless-json';
import { isIP } from 'node:net';
import { z } from 'zod';
import { storableJson } from '../db/storable-text.ts';
import { AppError } from '../errors.ts';
import type { Platform } from '../ingest/order.ts';
import { classifyAddress, type GuardedFetch } from './outbound-guard.ts';

/**
 * Writing the customer's answer back to the merchant's store (DESIGN.md §5.3 `writeBack`): one
 * adapter per platform, all behind this interface, all calling out through a `GuardedFetch`.
 */

export const WRITE_BACK_RESULTS = ['confirmed', 'cancelled'] as const;
export type WriteBackResult = (typeof WRITE_BACK_RESULTS)[number];

/** `not_supported`: the platform's API has no way to record this result; nothing was sent. */
export type WriteBackOutcome = 'written' | 'not_supported';

export type WriteBackRequest<Credentials> = {
  credentials: Credentials;
  /** The platform's order id, as stored on the order (`externalId`). */
  externalOrderId: string;
  /** The customer-facing number (`#1001`), for adapters that address orders by it. */
  orderNumber: string;
  result: WriteBackResult;
  /**
   * A staff note for the order, e.g. "Confirmed by the customer on WhatsApp (Akked)". Keep it the
   * same across retries of one write-back: Shopify skips a note its order already contains.
   */
  note: string;
  fetch: GuardedFetch;
  /** `AKKED_ALLOW_PRIVATE_OUTBOUND`: a loopback shop domain is then called over plain http. */
  allowPrivate: boolean;
};

export interface WriteBackAdapter<Credentials = unknown> {
  readonly platform: Platform;
  readonly credentialsSchema: z.ZodType<Credentials>;
  readonly supportedResults: readonly WriteBackResult[];
  /**
   * Records the result on the store's order. Fails with AppError:
   * - `upstream_failed`, not retryable, `details.reason` `auth` (401/403), `order_not_found`
   *   (404), `rejected` (other 4xx, GraphQL user errors), `invalid_response`, `redirect`;
   * - `upstream_unavailable`, retryable: 429, 5xx, throttling, network failures, timeouts;
   * - `bad_request`, not retryable: credentials or order id that cannot be used, or a
   *   destination refused by the outbound guard.
   * Messages never contain credentials.
   */
  write(request: WriteBackRequest<Credentials>): Promise<WriteBackOutcome>;
}

/**
 * An API token, key or secret as pasted by a merchant: visible ASCII only, so it can go into an
 * HTTP header as is (a pasted line break would otherwise fail every write-back).
 */
export const credentialTokenSchema = z
  .string()
  .trim()
  .min(1)
  .max(4000)
  .regex(/^[\x21-\x7e]+$/, 'letters, digits and symbols only, without spaces or line breaks');

const PLATFORM_NAMES: Record<Platform, string> = {
  shopify: 'Shopify',
  woocommerce: 'WooCommerce',
  salla: 'Salla',
  zid: 'Zid',
  youcan: 'YouCan',
  easyorders: 'EasyOrders',
  generic: 'The store',
};

export const nameOfPlatform = (platform: Platform): string => PLATFORM_NAMES[platform];

/** Checks the stored credentials against the adapter's schema; the message lists fields, never values. */
export const parseCredentials = <Credentials>(platform: Platform, schema: z.ZodType<Credentials>, credentials: unknown): Credentials => {
  const parsed = schema.safeParse(credentials);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new AppError('bad_request', {
      message: `${nameOfPlatform(platform)} write-back credentials are incomplete or malformed: ${fields.join(', ')}`,
      retryable: false,
      details: { reason: 'invalid_credentials', platform, fields },
    });
  }

  return parsed.data;
};

/**
 * Wraps a typed adapter into one that accepts stored (untyped) credentials and validates them
 * first, so a registry can hold adapters of every platform side by side.
 */
export const defineWriteBackAdapter = <Credentials>(adapter: WriteBackAdapter<Credentials>): WriteBackAdapter => ({
  platform: adapter.platform,
  credentialsSchema: adapter.credentialsSchema,
  supportedResults: adapter.supportedResults,
  write: async (request) =>
    adapter.write({ ...request, credentials: parseCredentials(adapter.platform, adapter.credentialsSchema, request.credentials) }),
});

/** Checks a platform order id before it goes into a URL path. */
export const assertOrderId = (platform: Platform, orderId: string, pattern: RegExp): string => {
  if (!pattern.test(orderId)) {
    throw new AppError('bad_request', {
      message: `${nameOfPlatform(platform)} order id has an unexpected form`,
      retryable: false,
      details: { reason: 'invalid_order_id', platform },
    });
  }

  return orderId;
};

export type WriteBackFailureReason = 'auth' | 'order_not_found' | 'rejected' | 'invalid_response' | 'rate_limited' | 'server_error' | 'throttled';

const RETRYABLE_REASONS: ReadonlySet<WriteBackFailureReason> = new Set(['rate_limited', 'server_error', 'throttled']);

export const createWriteBackError = (
  platform: Platform,
  reason: WriteBackFailureReason,
  options: { message: string; status?: number; retryAfterSeconds?: number },
): AppError => {
  const retryable = RETRYABLE_REASONS.has(reason);
  return new AppError(retryable ? 'upstream_unavailable' : 'upstream_failed', {
    message: `${nameOfPlatform(platform)}: ${options.message}`,
    retryable,
    details: {
      reason,
      platform,
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
    },
  });
};

const readRetryAfterSeconds = (response: Response): number | undefined => {
  const value = response.headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
};

/** Maps an HTTP error status to the write-back error taxonomy (see `WriteBackAdapter.write`). */
export const errorForStatus = (platform: Platform, response: Response): AppError => {
  const status = response.status;
  if (status === 401 || status === 403) {
    return createWriteBackError(platform, 'auth', { status, message: `the write-back credentials were refused (${status})` });
  }
  if (status === 404) return createWriteBackError(platform, 'order_not_found', { status, message: 'the order was not found (404)' });
  if (status === 429) {
    const retryAfterSeconds = readRetryAfterSeconds(response);
    return createWriteBackError(platform, 'rate_limited', {
      status,
      message: 'too many requests (429)',
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (status === 408 || status >= 500) return createWriteBackError(platform, 'server_error', { status, message: `the store API failed (${status})` });

  return createWriteBackError(platform, 'rejected', { status, message: `the store API refused the request (${status})` });
};

export const assertSuccessfulResponse = (platform: Platform, response: Response): void => {
  if (!response.ok) throw errorForStatus(platform, response);
};

/**
 * JSON whose numbers stay exact: a number that would lose digits as a JavaScript number (a
 * Shopify id above 2^53) is kept as its decimal string.
 */
export const parseJsonLosslessly = (text: string): unknown =>
  // A store's answer is outside text like a webhook's (reconciliation stores orders from it).
  storableJson(text, parseLosslessJson(text, null, (value) => (isSafeNumber(value) ? Number(value) : value)));

/** Reads a JSON body; an empty body is `undefined`, anything unparsable is `invalid_response`. */
export const readJsonBody = async (platform: Platform, response: Response): Promise<unknown> => {
  const text = await response.text();
  if (text.trim() === '') return undefined;
  try {
    return parseJsonLosslessly(text);
  } catch {
    throw createWriteBackError(platform, 'invalid_response', { status: response.status, message: 'the store API answered with something that is not JSON' });
  }
};

/**
 * The origin of a store addressed by host (and optional port), such as a Shopify shop domain:
 * https, except a loopback or private IP literal or `localhost` with `allowPrivate`, which is a
 * local fake and is called over plain http.
 */
export const resolveStoreOrigin = (hostWithPort: string, allowPrivate: boolean): URL => {
  const hostname = new URL(`https://${hostWithPort}`).hostname.replace(/^\[|\]$/g, '');
  const isLocal = hostname === 'localhost' || (isIP(hostname) !== 0 && classifyAddress(hostname) === 'private');

  return new URL(`${allowPrivate && isLocal ? 'http' : 'https'}://${hostWithPort}`);
};

/** Joins path segments onto a base URL, keeping the base's own path (a store in a subfolder). */
export const appendPath = (base: URL, ...segments: string[]): URL => {
  const url = new URL(base.href);
  url.search = '';
  url.hash = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${segments.map(encodeURIComponent).join('/')}`;
  return url;
};

export const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' } as const;

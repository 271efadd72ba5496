import fc from 'fast-check';
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { PLATFORMS, type Platform } from '../order.ts';
import type { PlatformAdapter, WebhookRequest } from '../platform-adapter.ts';
import { PLATFORM_ADAPTERS } from './index.ts';
import { SECRET, readFixture, requestWith, storeWith } from './webhook-test-support.ts';

/*
 * Whatever arrives at a webhook URL, an adapter answers with a classification or an AppError (which
 * the route turns into a 4xx): never a TypeError or another crash that would become a 500.
 */

const FIXTURE_OF: Record<Platform, string | null> = {
  shopify: 'shopify-docs-sample-orders-create.json',
  woocommerce: 'woocommerce-docs-retrieve-order.json',
  salla: 'salla-order-created.json',
  zid: 'zid-sdk-python-order_detail.json',
  youcan: 'youcan-api-doc-order-create-response.json',
  easyorders: 'easyorders-docs-order-created.json',
  generic: null,
};

/** Headers that lead each adapter into order normalization rather than an early "ignored". */
const ORDER_HEADERS: Record<Platform, Record<string, string>> = {
  shopify: { 'x-shopify-topic': 'orders/create' },
  woocommerce: { 'x-wc-webhook-topic': 'order.created' },
  salla: {},
  zid: {},
  youcan: {},
  easyorders: {},
  generic: {},
};

const GENERIC_ORDER = {
  externalId: 'A-1',
  number: '1',
  createdAt: '2026-05-01T10:00:00Z',
  currency: 'SAR',
  total: '10.00',
  paymentMethod: 'cod',
  customer: { name: 'N', phone: '0551234567' },
  shippingAddress: { countryCode: 'SA' },
  items: [{ name: 'I', quantity: 1, unitPrice: '10.00' }],
};

const fixtureValueOf = (platform: Platform): unknown => {
  const name = FIXTURE_OF[platform];

  return name === null ? GENERIC_ORDER : parse(readFixture(name).toString('utf8'));
};

type Path = (string | number)[];

const pathsOf = (value: unknown, prefix: Path = []): Path[] => {
  // Numbers parse as LosslessNumber objects: leaves, not containers.
  if (value === null || typeof value !== 'object' || isLosslessNumber(value)) return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);

  return [prefix, ...entries.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
};

const replaceAt = (root: unknown, path: Path, replacement: unknown): unknown => {
  if (path.length === 0) return replacement;
  const copy: unknown = parse(stringify(root) ?? 'null');
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = replacement;

  return copy;
};

const answersWithClassificationOrAppError = (adapter: PlatformAdapter, request: WebhookRequest): boolean => {
  try {
    const result = adapter.classify(request, storeWith([SECRET], { defaultCountry: 'SA', timezone: 'Asia/Riyadh' }));

    return ['order', 'ping', 'ignored', 'privacy'].includes(result.kind);
  } catch (error) {
    if (error instanceof AppError) return true;
    throw error;
  }
};

describe.each(PLATFORMS)('%s adapter on arbitrary input', (platform) => {
  const adapter = PLATFORM_ADAPTERS[platform];
  const headers = ORDER_HEADERS[platform];

  it('classifies arbitrary bytes or throws an AppError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => answersWithClassificationOrAppError(adapter, requestWith(Buffer.from(bytes), headers))),
      { numRuns: 300 },
    );
  });

  it('classifies arbitrary JSON or throws an AppError', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (json) => answersWithClassificationOrAppError(adapter, requestWith(json, headers))),
      { numRuns: 300 },
    );
  });

  it('classifies its real payload with any one field replaced by arbitrary JSON, or throws an AppError', () => {
    const original = fixtureValueOf(platform);
    fc.assert(
      fc.property(fc.constantFrom(...pathsOf(original)), fc.jsonValue({ maxDepth: 2 }), (path, replacement) => {
        const body = stringify(replaceAt(original, path, replacement)) ?? 'null';

        return answersWithClassificationOrAppError(adapter, requestWith(body, headers));
      }),
      { numRuns: 500 },
    );
  });

  it('verifies arbitrary header values or throws an AppError', () => {
    const names = ['x-shopify-hmac-sha256', 'x-wc-webhook-signature', 'x-salla-signature', 'authorization', 'x-youcan-signature', 'secret', 'webhook-id', 'webhook-timestamp', 'webhook-signature'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.string({ maxLength: 80 })), fc.dictionary(fc.constantFrom('token', 'key'), fc.string()), fc.string(), (randomHeaders, query, body) => {
        try {
          adapter.verify(requestWith(body, randomHeaders, query), storeWith([SECRET, 'whsec_c2VjcmV0']));

          return true;
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);

          return (error as AppError).code === 'invalid_signature';
        }
      }),
      { numRuns: 300 },
    );
  });
});

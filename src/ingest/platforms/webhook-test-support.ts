import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'lossless-json';
import type { StoreContext, WebhookRequest } from '../platform-adapter.ts';

/** Helpers for the adapter tests: real payloads from test/fixtures/payloads and signed requests. */

const FIXTURES = new URL('../../../test/fixtures/payloads/', import.meta.url);

export const readFixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

export const SECRET = 'current-secret-0123456789';
export const OLD_SECRET = 'previous-secret-9876543210';

export const storeWith = (secrets: string[] = [SECRET], overrides: Partial<StoreContext> = {}): StoreContext => ({
  storeId: 'sto_test',
  secrets,
  defaultCountry: null,
  timezone: 'UTC',
  ...overrides,
});

export const requestWith = (
  body: Buffer | string,
  headers: Record<string, string | undefined> = {},
  query: Record<string, string | undefined> = {},
  receivedAt?: Date,
): WebhookRequest => ({
  rawBody: typeof body === 'string' ? Buffer.from(body) : body,
  headers,
  query,
  ...(receivedAt ? { receivedAt } : {}),
});

export const hmacBase64 = (secret: string | Buffer, body: Buffer | string): string => createHmac('sha256', secret).update(body).digest('base64');

export const hmacHex = (secret: string, body: Buffer | string): string => createHmac('sha256', secret).update(body).digest('hex');

/** A fixture with one field changed, for classification cases the real payloads do not cover. */
export const fixtureWith = (name: string, change: (body: Record<string, unknown>) => void): Buffer => {
  // lossless-json keeps Shopify's ids above 2^53 intact through the round trip.
  const body = parse(readFixture(name).toString('utf8')) as Record<string, unknown>;
  change(body);

  return Buffer.from(stringify(body) ?? '');
};

import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'lossless-json';
import { expect } from 'vitest';
import type { AppInstance } from '../../src/http/app.ts';

const FIXTURES = new URL('../fixtures/payloads/', import.meta.url);

/**
 * A real Shopify orders/create body (Shopify's documented sample) turned into a cash-on-delivery
 * order of a customer in Saudi Arabia, with the id, number, name and phone a test needs.
 */
export const shopifyCodOrder = (options: { id: string; number: string; phone: string; name?: string; locale?: string; addressLine?: string }): string => {
  const body = parse(readFileSync(new URL('shopify-docs-sample-orders-create.json', FIXTURES), 'utf8')) as Record<string, unknown>;
  body.id = options.id;
  body.name = options.number;
  body.gateway = 'Cash on Delivery (COD)';
  body.payment_gateway_names = ['Cash on Delivery (COD)'];
  body.currency = 'SAR';
  body.presentment_currency = 'SAR';
  body.created_at = new Date().toISOString();
  body.customer_locale = options.locale ?? 'ar';
  body.phone = null;
  body.cancelled_at = null;
  body.cancel_reason = null;
  body.closed_at = null;
  body.test = false;
  const [firstName, ...rest] = (options.name ?? 'Fatima Al-Zahra').split(' ');
  for (const field of ['shipping_address', 'billing_address'] as const) {
    const address = body[field] as Record<string, unknown>;
    Object.assign(address, { phone: options.phone, country_code: 'SA', country: 'Saudi Arabia', city: 'Riyadh', first_name: firstName, last_name: rest.join(' '), name: options.name ?? 'Fatima Al-Zahra', address1: options.addressLine ?? '12 King Fahd Road' });
  }
  const customer = body.customer as Record<string, unknown> | undefined;
  if (customer) Object.assign(customer, { phone: null, first_name: firstName, last_name: rest.join(' ') });

  return stringify(body) ?? '';
};

/** Delivers a Shopify webhook signed with the store's secret, as Shopify does. */
export const deliverShopifyWebhook = async (app: AppInstance, options: { storeId: string; secret: string; body: string; topic?: string; webhookId?: string }) =>
  app.inject({
    method: 'POST',
    url: `/hooks/shopify/${options.storeId}`,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': options.topic ?? 'orders/create',
      'x-shopify-hmac-sha256': createHmac('sha256', options.secret).update(options.body).digest('base64'),
      'x-shopify-webhook-id': options.webhookId ?? `wh-${Math.random().toString(36).slice(2)}`,
      'x-shopify-shop-domain': 'dar-al-oud.myshopify.com',
      'x-shopify-api-version': '2026-07',
    },
    payload: options.body,
  });

/** Posts a Shopify orders/create webhook, signed with the store's secret, to a running server. */
export const postShopifyWebhook = (baseUrl: string, options: { storeId: string; secret: string; body: string; signal?: AbortSignal }) =>
  fetch(`${baseUrl}/hooks/shopify/${options.storeId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': createHmac('sha256', options.secret).update(options.body).digest('base64'),
      'x-shopify-webhook-id': randomBytes(8).toString('hex'),
    },
    body: options.body,
    ...(options.signal ? { signal: options.signal } : {}),
  });

export const waitUntil = async <T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!isDone(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)?.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }

  return value;
};

/** What the simulated network delivered to a phone. */
export const simulatorMessages = async (simulatorUrl: string, phone: string) => {
  const response = await fetch(`${simulatorUrl}/control/messages?to=${encodeURIComponent(phone)}`);
  expect(response.status).toBe(200);

  return ((await response.json()) as { messages: { id: string; from: string; text: string; status: string }[] }).messages;
};

export const simulatorControl = async (simulatorUrl: string, path: 'reply' | 'fail' | 'clear', body: Record<string, string>) => {
  const response = await fetch(`${simulatorUrl}/control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBeLessThan(300);
};

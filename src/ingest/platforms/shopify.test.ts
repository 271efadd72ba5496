import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { parseJsonBody } from '../webhook-body.ts';
import { shopifyAdapter } from './shopify.ts';
import { OLD_SECRET, SECRET, fixtureWith, hmacBase64, readFixture, requestWith, storeWith } from './webhook-test-support.ts';

const sample = readFixture('shopify-docs-sample-orders-create.json');
const devStore = readFixture('shopify-devstore-orders-create-2020-AUD.json');

const signedHeaders = (body: Buffer, topic = 'orders/create', secret = SECRET) => ({
  'x-shopify-hmac-sha256': hmacBase64(secret, body),
  'x-shopify-topic': topic,
  'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
});

describe('Shopify signature', () => {
  it('accepts the base64 HMAC of the raw body', () => {
    expect(() => shopifyAdapter.verify(requestWith(devStore, signedHeaders(devStore)), storeWith())).not.toThrow();
  });

  it('accepts the un-prefixed header of the Events delivery', () => {
    expect(() => shopifyAdapter.verify(requestWith(devStore, { 'shopify-hmac-sha256': hmacBase64(SECRET, devStore) }), storeWith())).not.toThrow();
  });

  it('accepts a body signed with the second secret during rotation', () => {
    expect(() => shopifyAdapter.verify(requestWith(devStore, signedHeaders(devStore, 'orders/create', OLD_SECRET)), storeWith([SECRET, OLD_SECRET]))).not.toThrow();
  });

  it('rejects a webhook with a bad signature', () => {
    const tampered = Buffer.from(devStore.toString('utf8').replace('59.45', '0.01'));
    expect(() => shopifyAdapter.verify(requestWith(tampered, signedHeaders(devStore)), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => shopifyAdapter.verify(requestWith(devStore, signedHeaders(devStore, 'orders/create', 'wrong-secret')), storeWith())).toThrow(AppError);
  });

  it('rejects a webhook without the signature header, or a store without secrets', () => {
    expect(() => shopifyAdapter.verify(requestWith(devStore, { 'x-shopify-topic': 'orders/create' }), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => shopifyAdapter.verify(requestWith(devStore, signedHeaders(devStore)), storeWith([]))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });
});

describe('Shopify classification', () => {
  it('keeps an order id above 2^53 as its exact digits', () => {
    // What plain JSON.parse would have stored instead.
    expect(String((JSON.parse(sample.toString('utf8')) as { id: number }).id)).toBe('820982911946154500');
    const result = shopifyAdapter.classify(requestWith(sample, signedHeaders(sample)), storeWith());
    expect(result.kind === 'order' && result.order.externalId).toBe('820982911946154508');
    expect(parseJsonBody(sample)).toMatchObject({ id: '820982911946154508', line_items: [{ id: '866550311766439020' }, { id: '141249953214522974' }] });
  });

  it('classifies orders/create as a created order with its delivery id', () => {
    const result = shopifyAdapter.classify(requestWith(devStore, signedHeaders(devStore)), storeWith());
    expect(result).toMatchObject({ kind: 'order', topic: 'created', deliveryId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', platformStatus: 'paid' });
  });

  it('classifies orders/cancelled, and any order already cancelled, as cancelled', () => {
    expect(shopifyAdapter.classify(requestWith(devStore, signedHeaders(devStore, 'orders/cancelled')), storeWith())).toMatchObject({ kind: 'order', topic: 'cancelled' });
    // The documentation sample carries cancelled_at.
    expect(shopifyAdapter.classify(requestWith(sample, signedHeaders(sample, 'orders/updated')), storeWith())).toMatchObject({ kind: 'order', topic: 'cancelled', platformStatus: 'cancelled' });
  });

  it('reads the event id when there is no webhook id', () => {
    const result = shopifyAdapter.classify(requestWith(devStore, { 'x-shopify-topic': 'orders/updated', 'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5' }), storeWith());
    expect(result).toMatchObject({ kind: 'order', topic: 'updated', deliveryId: '98880550-7158-44d4-b7cd-2c97c8a091b5' });
  });

  it('ignores topics that are not order events, and deliveries without a topic', () => {
    expect(shopifyAdapter.classify(requestWith(devStore, { 'x-shopify-topic': 'products/update' }), storeWith())).toEqual({ kind: 'ignored', reason: expect.any(String) });
    expect(shopifyAdapter.classify(requestWith(devStore, {}), storeWith())).toMatchObject({ kind: 'ignored' });
  });

  it('classifies the three compliance topics as privacy requests with string order ids', () => {
    const compliance = parseJsonBody(readFixture('shopify-compliance-webhooks.json')) as Record<string, unknown>;
    const bodyOf = (topic: string) => Buffer.from(JSON.stringify(compliance[topic]));
    expect(shopifyAdapter.classify(requestWith(bodyOf('customers/redact'), { 'x-shopify-topic': 'customers/redact', 'x-shopify-webhook-id': 'w1' }), storeWith())).toEqual({
      kind: 'privacy',
      topic: 'customers/redact',
      deliveryId: 'w1',
      shopDomain: '{shop}.myshopify.com',
      customer: { id: '191167', email: 'john@example.com', phone: '555-625-1199' },
      orderIds: ['299938', '280263', '220458'],
    });
    expect(shopifyAdapter.classify(requestWith(bodyOf('customers/data_request'), { 'x-shopify-topic': 'customers/data_request' }), storeWith())).toMatchObject({
      kind: 'privacy',
      topic: 'customers/data_request',
      orderIds: ['299938', '280263', '220458'],
    });
    expect(shopifyAdapter.classify(requestWith(bodyOf('shop/redact'), { 'x-shopify-topic': 'shop/redact' }), storeWith())).toEqual({
      kind: 'privacy',
      topic: 'shop/redact',
      deliveryId: null,
      shopDomain: '{shop}.myshopify.com',
      customer: null,
      orderIds: [],
    });
  });

  it('answers malformed JSON and a wrong shape with AppErrors', () => {
    expect(() => shopifyAdapter.classify(requestWith('{"id": 1,', { 'x-shopify-topic': 'orders/create' }), storeWith())).toThrow(expect.objectContaining({ code: 'malformed_json' }));
    const noId = fixtureWith('shopify-devstore-orders-create-2020-AUD.json', (body) => {
      delete body.id;
      delete body.admin_graphql_api_id;
    });
    expect(() => shopifyAdapter.classify(requestWith(noId, { 'x-shopify-topic': 'orders/create' }), storeWith())).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });

  it('detects cash on delivery from the gateway names and reads a COD-form phone from note attributes', () => {
    const cod = fixtureWith('shopify-devstore-orders-create-2020-AUD.json', (body) => {
      body.payment_gateway_names = ['الدفع عند الاستلام'];
      body.gateway = '';
      body.note_attributes = [{ name: 'WhatsApp', value: '0551234567' }];
    });
    const result = shopifyAdapter.classify(requestWith(cod, { 'x-shopify-topic': 'orders/create' }), storeWith([SECRET], { defaultCountry: 'SA' }));
    expect(result).toMatchObject({
      kind: 'order',
      order: { isCod: true, paymentMethod: 'الدفع عند الاستلام', customer: { phone: '+966551234567', phoneRaw: '0551234567', phoneProblem: null } },
    });
  });
});

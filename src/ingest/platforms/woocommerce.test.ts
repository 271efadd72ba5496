import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../webhook-body.ts';
import { woocommerceAdapter } from './woocommerce.ts';
import { OLD_SECRET, SECRET, fixtureWith, hmacBase64, readFixture, requestWith, storeWith } from './webhook-test-support.ts';

const docsOrder = readFixture('woocommerce-docs-retrieve-order.json');

const topicHeaders = (topic: string) => ({ 'x-wc-webhook-topic': topic, 'x-wc-webhook-delivery-id': 'd41d8cd98f00b204e9800998ecf8427e' });

/** The docs order with another status, paid by cash on delivery. */
const orderWith = (status: string, paymentMethod = 'cod') =>
  fixtureWith('woocommerce-docs-retrieve-order.json', (body) => {
    body.status = status;
    body.payment_method = paymentMethod;
    body.payment_method_title = 'Cash on delivery';
  });

const createdAt = new Date('2017-03-22T19:28:02Z').getTime();
const hoursAfterCreation = (hours: number) => new Date(createdAt + hours * 3_600_000);

describe('WooCommerce signature', () => {
  it('accepts the base64 HMAC of the raw body', () => {
    expect(() => woocommerceAdapter.verify(requestWith(docsOrder, { 'x-wc-webhook-signature': hmacBase64(SECRET, docsOrder) }), storeWith())).not.toThrow();
  });

  it('accepts the second secret in the list', () => {
    expect(() => woocommerceAdapter.verify(requestWith(docsOrder, { 'x-wc-webhook-signature': hmacBase64(OLD_SECRET, docsOrder) }), storeWith([SECRET, OLD_SECRET]))).not.toThrow();
  });

  it('rejects a bad signature and a missing header', () => {
    expect(() => woocommerceAdapter.verify(requestWith(docsOrder, { 'x-wc-webhook-signature': hmacBase64('other', docsOrder) }), storeWith())).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
    expect(() => woocommerceAdapter.verify(requestWith(docsOrder, { 'x-wc-webhook-signature': 'not base64 at all' }), storeWith())).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
    expect(() => woocommerceAdapter.verify(requestWith(docsOrder, {}), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });

  it('recognises the unsigned creation ping and answers it as a ping', () => {
    const ping = requestWith('webhook_id=42', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(woocommerceAdapter.isUnsignedPing?.(ping)).toBe(true);
    expect(woocommerceAdapter.classify(ping, storeWith())).toEqual({ kind: 'ping' });
    expect(woocommerceAdapter.isUnsignedPing?.(requestWith(docsOrder))).toBe(false);
    expect(woocommerceAdapter.isUnsignedPing?.(requestWith('webhook_id=42&order=1'))).toBe(false);
  });
});

describe('WooCommerce classification', () => {
  it('classifies order.created as created, with the delivery id and status', () => {
    expect(woocommerceAdapter.classify(requestWith(orderWith('processing'), topicHeaders('order.created')), storeWith())).toMatchObject({
      kind: 'order',
      topic: 'created',
      deliveryId: 'd41d8cd98f00b204e9800998ecf8427e',
      platformStatus: 'processing',
      order: { externalId: '727', isCod: true, paymentMethod: 'Cash on delivery' },
    });
  });

  it('ignores checkout drafts', () => {
    for (const topic of ['order.created', 'order.updated']) {
      expect(woocommerceAdapter.classify(requestWith(orderWith('checkout-draft'), topicHeaders(topic)), storeWith())).toEqual({ kind: 'ignored', reason: 'draft order (status checkout-draft)' });
    }
  });

  it('counts an order.updated that turns a fresh draft into an open order as created', () => {
    const request = requestWith(orderWith('processing'), topicHeaders('order.updated'), {}, hoursAfterCreation(0.5));
    expect(woocommerceAdapter.classify(request, storeWith())).toMatchObject({ kind: 'order', topic: 'created' });
  });

  it('keeps an order.updated of an older or completed order as an update', () => {
    expect(woocommerceAdapter.classify(requestWith(orderWith('processing'), topicHeaders('order.updated'), {}, hoursAfterCreation(72)), storeWith())).toMatchObject({ topic: 'updated' });
    expect(woocommerceAdapter.classify(requestWith(orderWith('completed'), topicHeaders('order.updated'), {}, hoursAfterCreation(1)), storeWith())).toMatchObject({ topic: 'updated' });
  });

  it('classifies a cancelled or trashed order as cancelled', () => {
    expect(woocommerceAdapter.classify(requestWith(orderWith('cancelled'), topicHeaders('order.updated')), storeWith())).toMatchObject({ kind: 'order', topic: 'cancelled' });
    expect(woocommerceAdapter.classify(requestWith(orderWith('trash'), topicHeaders('order.updated')), storeWith())).toMatchObject({ kind: 'order', topic: 'cancelled' });
  });

  it('ignores order.deleted and other resources', () => {
    expect(woocommerceAdapter.classify(requestWith('{"id":727}', topicHeaders('order.deleted')), storeWith())).toMatchObject({ kind: 'ignored' });
    expect(woocommerceAdapter.classify(requestWith(docsOrder, topicHeaders('product.updated')), storeWith())).toMatchObject({ kind: 'ignored' });
    expect(woocommerceAdapter.classify(requestWith(docsOrder, {}), storeWith())).toMatchObject({ kind: 'ignored' });
  });

  it('reads the site-local date in the store time zone when there is no _gmt date', () => {
    const local = fixtureWith('woocommerce-docs-retrieve-order.json', (body) => {
      delete body.date_created_gmt;
    });
    const result = woocommerceAdapter.classify(requestWith(local, topicHeaders('order.created')), storeWith([SECRET], { timezone: 'Africa/Cairo' }));
    expect(result.kind === 'order' && result.order.createdAt).toBe('2017-03-22T14:28:02.000Z');
  });

  it('falls back to the billing address and reads the billing phone in the billing country', () => {
    const billingOnly = fixtureWith('woocommerce-docs-retrieve-order.json', (body) => {
      body.shipping = { first_name: '', last_name: '', address_1: '', city: '', country: '', phone: '' };
      body.billing = { first_name: 'Amina', last_name: 'Idrissi', address_1: '12 Rue Atlas', address_2: '', city: 'Rabat', state: '', postcode: '10000', country: 'MA', phone: '0612345678' };
    });
    const result = woocommerceAdapter.normalize(parseJsonBody(billingOnly), { defaultCountry: null, timezone: 'UTC' });
    expect(result.customer).toEqual({ name: 'Amina Idrissi', phone: '+212612345678', phoneRaw: '0612345678', phoneProblem: null });
    expect(result.shippingAddress).toEqual({ line1: '12 Rue Atlas', line2: null, city: 'Rabat', region: null, postalCode: '10000', countryCode: 'MA' });
  });
});

import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../webhook-body.ts';
import { sallaAdapter } from './salla.ts';
import { OLD_SECRET, SECRET, fixtureWith, hmacHex, readFixture, requestWith, storeWith } from './webhook-test-support.ts';

const created = readFixture('salla-order-created.json');

const withEvent = (event: string, changeOrder: (order: Record<string, unknown>) => void = () => {}) =>
  fixtureWith('salla-order-created.json', (body) => {
    body.event = event;
    changeOrder(body.data as Record<string, unknown>);
  });

describe('Salla signature', () => {
  it('accepts the hex HMAC of the raw body (signature strategy)', () => {
    expect(() => sallaAdapter.verify(requestWith(created, { 'x-salla-signature': hmacHex(SECRET, created), 'x-salla-security-strategy': 'Signature' }), storeWith())).not.toThrow();
  });

  it('accepts the hex HMAC made with the second secret, in upper case too', () => {
    expect(() => sallaAdapter.verify(requestWith(created, { 'x-salla-signature': hmacHex(OLD_SECRET, created).toUpperCase() }), storeWith([SECRET, OLD_SECRET]))).not.toThrow();
  });

  it('accepts the token strategy, verbatim or as a Bearer token', () => {
    expect(() => sallaAdapter.verify(requestWith(created, { authorization: SECRET }), storeWith())).not.toThrow();
    expect(() => sallaAdapter.verify(requestWith(created, { authorization: `Bearer ${OLD_SECRET}` }), storeWith([SECRET, OLD_SECRET]))).not.toThrow();
  });

  it('rejects a bad signature, a wrong token and a request with neither', () => {
    expect(() => sallaAdapter.verify(requestWith(created, { 'x-salla-signature': hmacHex('other', created) }), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => sallaAdapter.verify(requestWith(created, { authorization: 'Bearer guess' }), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => sallaAdapter.verify(requestWith(created, {}), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });
});

describe('Salla classification', () => {
  it('classifies order.created as created, with no delivery id', () => {
    expect(sallaAdapter.classify(requestWith(created), storeWith())).toMatchObject({ kind: 'order', topic: 'created', deliveryId: null, platformStatus: 'under_review' });
  });

  it('classifies order.cancelled, and an update to the canceled status, as cancelled', () => {
    expect(sallaAdapter.classify(requestWith(withEvent('order.cancelled')), storeWith())).toMatchObject({ kind: 'order', topic: 'cancelled' });
    const canceled = withEvent('order.status.updated', (order) => {
      order.status = { id: 1, name: 'ملغي', slug: 'canceled' };
    });
    expect(sallaAdapter.classify(requestWith(canceled), storeWith())).toMatchObject({ kind: 'order', topic: 'cancelled', platformStatus: 'canceled' });
  });

  it('classifies order.updated as updated', () => {
    expect(sallaAdapter.classify(requestWith(withEvent('order.updated')), storeWith())).toMatchObject({ kind: 'order', topic: 'updated' });
  });

  it('ignores drafts and events that are not about orders', () => {
    const draft = withEvent('order.created', (order) => {
      order.draft = true;
    });
    expect(sallaAdapter.classify(requestWith(draft), storeWith())).toEqual({ kind: 'ignored', reason: 'draft order' });
    expect(sallaAdapter.classify(requestWith('{"event":"app.store.authorize","merchant":1,"data":{"access_token":"x"}}'), storeWith())).toMatchObject({ kind: 'ignored' });
  });

  it('detects cash on delivery from payment_method cod', () => {
    const cod = withEvent('order.created', (order) => {
      order.payment_method = 'cod';
    });
    expect(sallaAdapter.classify(requestWith(cod), storeWith())).toMatchObject({ order: { isCod: true, paymentMethod: 'cod' } });
  });

  it('normalizes the bare order object as well as the envelope', () => {
    const envelope = parseJsonBody(created) as { data: unknown };
    const options = { defaultCountry: null, timezone: 'UTC' };
    expect(sallaAdapter.normalize(envelope.data, options)).toEqual(sallaAdapter.normalize(envelope, options));
  });
});

import { describe, expect, it } from 'vitest';
import { easyordersAdapter } from './easyorders.ts';
import { OLD_SECRET, SECRET, fixtureWith, readFixture, requestWith, storeWith } from './webhook-test-support.ts';

const order = readFixture('easyorders-docs-order-created.json');
const withStatus = (status: string) =>
  fixtureWith('easyorders-docs-order-created.json', (body) => {
    body.status = status;
  });

describe('EasyOrders secret header', () => {
  it('accepts the shared secret, and the second secret', () => {
    expect(() => easyordersAdapter.verify(requestWith(order, { secret: SECRET }), storeWith())).not.toThrow();
    expect(() => easyordersAdapter.verify(requestWith(order, { secret: OLD_SECRET }), storeWith([SECRET, OLD_SECRET]))).not.toThrow();
  });

  it('rejects a wrong secret and a missing header', () => {
    expect(() => easyordersAdapter.verify(requestWith(order, { secret: `${SECRET}x` }), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => easyordersAdapter.verify(requestWith(order, {}), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });
});

describe('EasyOrders classification', () => {
  it('classifies a pending order as created, in the store country', () => {
    expect(easyordersAdapter.classify(requestWith(order), storeWith([SECRET], { defaultCountry: 'EG' }))).toMatchObject({
      kind: 'order',
      topic: 'created',
      deliveryId: null,
      platformStatus: 'pending',
      order: { currency: 'EGP', customer: { phone: '+201034567890' } },
    });
  });

  it('classifies a canceled order as cancelled and another status as an update', () => {
    expect(easyordersAdapter.classify(requestWith(withStatus('canceled')), storeWith())).toMatchObject({ kind: 'order', topic: 'cancelled' });
    expect(easyordersAdapter.classify(requestWith(withStatus('delivered')), storeWith())).toMatchObject({ kind: 'order', topic: 'updated' });
  });

  it('takes the currency of the store country for a Saudi store', () => {
    expect(easyordersAdapter.classify(requestWith(order), storeWith([SECRET], { defaultCountry: 'SA' }))).toMatchObject({ order: { currency: 'SAR', total: '750.00' } });
  });
});

import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../webhook-body.ts';
import { zidAdapter } from './zid.ts';
import { OLD_SECRET, SECRET, readFixture, requestWith, storeWith } from './webhook-test-support.ts';

const wrapped = readFixture('zid-sdk-python-order_detail.json');
const bareOrder = (parseJsonBody(wrapped) as { order: Record<string, unknown> }).order;
const bare = Buffer.from(JSON.stringify(bareOrder));
const withStatus = (code: string, extra: Record<string, unknown> = {}) => Buffer.from(JSON.stringify({ ...extra, order: { ...bareOrder, order_status: { name: code, code } } }));

describe('Zid token', () => {
  it('accepts the secret token from the webhook URL, the second secret too', () => {
    expect(() => zidAdapter.verify(requestWith(bare, {}, { token: SECRET }), storeWith())).not.toThrow();
    expect(() => zidAdapter.verify(requestWith(bare, {}, { token: OLD_SECRET }), storeWith([SECRET, OLD_SECRET]))).not.toThrow();
  });

  it('rejects a wrong token and a URL without one', () => {
    expect(() => zidAdapter.verify(requestWith(bare, {}, { token: 'guess' }), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => zidAdapter.verify(requestWith(bare, {}, {}), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => zidAdapter.verify(requestWith(bare, { authorization: SECRET }, {}), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });
});

describe('Zid classification', () => {
  it('reads the bare order and the {order} wrapper alike', () => {
    const fromBare = zidAdapter.classify(requestWith(bare), storeWith());
    expect(fromBare).toMatchObject({ kind: 'order', topic: 'created', deliveryId: null, platformStatus: 'new', order: { externalId: '39018491' } });
    expect(zidAdapter.classify(requestWith(wrapped), storeWith())).toEqual(fromBare);
  });

  it('classifies a cancelled order as cancelled and other statuses as updates', () => {
    expect(zidAdapter.classify(requestWith(withStatus('cancelled')), storeWith())).toMatchObject({ kind: 'order', topic: 'cancelled' });
    expect(zidAdapter.classify(requestWith(withStatus('preparing')), storeWith())).toMatchObject({ kind: 'order', topic: 'updated' });
  });

  it('follows the event name of an {event, data} envelope', () => {
    const envelope = (event: string, code = 'new') => Buffer.from(JSON.stringify({ event, data: { ...bareOrder, order_status: { code } } }));
    expect(zidAdapter.classify(requestWith(envelope('order.create')), storeWith())).toMatchObject({ topic: 'created' });
    expect(zidAdapter.classify(requestWith(envelope('order.status.update', 'new')), storeWith())).toMatchObject({ topic: 'updated' });
    expect(zidAdapter.classify(requestWith(envelope('product.create')), storeWith())).toMatchObject({ kind: 'ignored' });
  });

  it('detects Zid cash on delivery from the method code', () => {
    const cod = Buffer.from(JSON.stringify({ ...bareOrder, payment: { method: { name: 'الدفع عند الاستلام', code: 'zid_cod' } } }));
    expect(zidAdapter.classify(requestWith(cod), storeWith())).toMatchObject({ order: { isCod: true, paymentMethod: 'الدفع عند الاستلام' } });
  });
});

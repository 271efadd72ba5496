import { describe, expect, it } from 'vitest';
import { genericAdapter } from './generic.ts';
import { hmacBase64, requestWith, storeWith } from './webhook-test-support.ts';

const KEY = Buffer.from('generic-signing-key-32-bytes-ok!');
const SECRET = `whsec_${KEY.toString('base64')}`;
const OLD_KEY = Buffer.from('an-older-signing-key-for-rotate!');
const OLD_SECRET = `whsec_${OLD_KEY.toString('base64')}`;

const order = {
  externalId: 'A-1001',
  number: '1001',
  createdAt: '2026-05-01T13:00:00+03:00',
  currency: 'kwd',
  total: 12.5,
  paymentMethod: 'الدفع عند الاستلام',
  locale: 'ar-KW',
  customer: { name: 'Fatima', phone: '٥٠٠١٢٣٤٥' },
  shippingAddress: { line1: 'Block 3', city: 'Salmiya', countryCode: 'kw' },
  items: [{ name: 'Abaya', quantity: 1, unitPrice: '12.5' }],
};
const body = Buffer.from(JSON.stringify(order));
const now = new Date('2026-05-01T10:00:30Z');
const timestamp = String(Math.floor(now.getTime() / 1000) - 30);

const signedHeaders = (key: Buffer, id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', stamp = timestamp, rawBody: Buffer = body) => ({
  'webhook-id': id,
  'webhook-timestamp': stamp,
  'webhook-signature': `v1,${hmacBase64(key, Buffer.concat([Buffer.from(`${id}.${stamp}.`), rawBody]))}`,
});

describe('generic Standard Webhooks signature', () => {
  it('accepts a v1 signature of "id.timestamp.body" keyed by the base64 part of whsec_', () => {
    expect(() => genericAdapter.verify(requestWith(body, signedHeaders(KEY), {}, now), storeWith([SECRET]))).not.toThrow();
  });

  it('accepts the second secret, and one valid signature among several', () => {
    expect(() => genericAdapter.verify(requestWith(body, signedHeaders(OLD_KEY), {}, now), storeWith([SECRET, OLD_SECRET]))).not.toThrow();
    const headers = signedHeaders(KEY);
    headers['webhook-signature'] = `v1,${Buffer.alloc(32).toString('base64')} v2,ignored ${headers['webhook-signature']}`;
    expect(() => genericAdapter.verify(requestWith(body, headers, {}, now), storeWith([SECRET]))).not.toThrow();
  });

  it('rejects a bad signature, a signature for another id, and missing headers', () => {
    expect(() => genericAdapter.verify(requestWith(body, signedHeaders(OLD_KEY), {}, now), storeWith([SECRET]))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    const headers = { ...signedHeaders(KEY), 'webhook-id': 'msg_other' };
    expect(() => genericAdapter.verify(requestWith(body, headers, {}, now), storeWith([SECRET]))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    const { 'webhook-signature': _signature, ...unsigned } = signedHeaders(KEY);
    expect(() => genericAdapter.verify(requestWith(body, unsigned, {}, now), storeWith([SECRET]))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });

  it('rejects a timestamp more than 5 minutes old or ahead, even when correctly signed', () => {
    const stale = String(Math.floor(now.getTime() / 1000) - 301);
    expect(() => genericAdapter.verify(requestWith(body, signedHeaders(KEY, 'msg_1', stale), {}, now), storeWith([SECRET]))).toThrow(
      expect.objectContaining({ code: 'invalid_signature', message: expect.stringContaining('5 minutes') }),
    );
    const ahead = String(Math.floor(now.getTime() / 1000) + 301);
    expect(() => genericAdapter.verify(requestWith(body, signedHeaders(KEY, 'msg_1', ahead), {}, now), storeWith([SECRET]))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => genericAdapter.verify(requestWith(body, signedHeaders(KEY, 'msg_1', 'yesterday'), {}, now), storeWith([SECRET]))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });
});

describe('generic classification', () => {
  it('reads the normalized order body, normalizing phone, money, time and COD again', () => {
    expect(genericAdapter.classify(requestWith(body, signedHeaders(KEY), {}, now), storeWith([SECRET]))).toEqual({
      kind: 'order',
      topic: 'created',
      deliveryId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      platformStatus: null,
      order: {
        platform: 'generic',
        externalId: 'A-1001',
        number: '1001',
        createdAt: '2026-05-01T10:00:00.000Z',
        currency: 'KWD',
        total: '12.500',
        paymentMethod: 'الدفع عند الاستلام',
        isCod: true,
        locale: 'ar',
        customer: { name: 'Fatima', phone: '+96550012345', phoneRaw: '٥٠٠١٢٣٤٥', phoneProblem: null },
        shippingAddress: { line1: 'Block 3', line2: null, city: 'Salmiya', region: null, postalCode: null, countryCode: 'KW' },
        items: [{ name: 'Abaya', variant: null, sku: null, quantity: 1, unitPrice: '12.500' }],
      },
    });
  });

  it('accepts a body that is already exactly a normalized order', () => {
    const normalized = genericAdapter.normalize(order, { defaultCountry: null, timezone: 'UTC' });
    expect(genericAdapter.normalize(normalized, { defaultCountry: null, timezone: 'UTC' })).toEqual(normalized);
  });

  it('answers a body missing required fields with bad_request', () => {
    expect(() => genericAdapter.classify(requestWith('{"externalId":"1"}'), storeWith([SECRET]))).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

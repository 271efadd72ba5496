import fc from 'fast-check';
import { LosslessNumber, parse, stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { reencodeLikePhp, toPhpNumberText } from './php-json.ts';
import { youcanAdapter } from './youcan.ts';
import { OLD_SECRET, SECRET, fixtureWith, hmacHex, readFixture, requestWith, storeWith } from './webhook-test-support.ts';

const order = readFixture('youcan-api-doc-order-create-response.json');

describe('YouCan signature', () => {
  it('accepts the hex HMAC of the raw body, and the second secret', () => {
    expect(() => youcanAdapter.verify(requestWith(order, { 'x-youcan-signature': hmacHex(SECRET, order) }), storeWith())).not.toThrow();
    expect(() => youcanAdapter.verify(requestWith(order, { 'x-youcan-signature': hmacHex(OLD_SECRET, order) }), storeWith([SECRET, OLD_SECRET]))).not.toThrow();
  });

  it("accepts a signature over PHP's json_encode of the same payload", () => {
    const body = Buffer.from('{"id":"a1","notes":"تم/ok","total":270.50,"links":{"self":"https://seller-area.youcan.shop/admin/orders/a1"}}');
    const phpEncoded = '{"id":"a1","notes":"\\u062a\\u0645\\/ok","total":270.5,"links":{"self":"https:\\/\\/seller-area.youcan.shop\\/admin\\/orders\\/a1"}}';
    expect(() => youcanAdapter.verify(requestWith(body, { 'x-youcan-signature': hmacHex(SECRET, phpEncoded) }), storeWith())).not.toThrow();
  });

  it('rejects a bad signature and a missing header', () => {
    expect(() => youcanAdapter.verify(requestWith(order, { 'x-youcan-signature': hmacHex('other', order) }), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => youcanAdapter.verify(requestWith('not json', { 'x-youcan-signature': hmacHex('other', 'not json') }), storeWith())).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
    expect(() => youcanAdapter.verify(requestWith(order, {}), storeWith())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });
});

describe('YouCan classification', () => {
  it('treats a delivery without a topic header as a new order (legacy REST hooks exist only for order.create)', () => {
    expect(youcanAdapter.classify(requestWith(order), storeWith())).toMatchObject({ kind: 'order', topic: 'created', deliveryId: null, order: { isCod: true } });
  });

  it('reads the topic and delivery id headers when present', () => {
    expect(youcanAdapter.classify(requestWith(order, { 'x-youcan-topic': 'order.created', 'x-youcan-delivery-id': 'dlv_1' }), storeWith())).toMatchObject({ topic: 'created', deliveryId: 'dlv_1' });
    expect(youcanAdapter.classify(requestWith(order, { 'x-youcan-topic': 'inventory.low' }), storeWith())).toMatchObject({ kind: 'ignored' });
  });

  it('names the option values of a real variant and uses the order currency when given', () => {
    const variant = fixtureWith('youcan-api-doc-order-create-response.json', (body) => {
      body.currency = 'usd';
      const [line] = body.variants as { variant: Record<string, unknown> }[];
      if (line) {
        line.variant.options = ['Size', 'Color'];
        line.variant.values = ['L', 'Red'];
      }
    });
    expect(youcanAdapter.classify(requestWith(variant), storeWith())).toMatchObject({ order: { currency: 'USD', total: '270.00', items: [{ variant: 'Size: L, Color: Red' }] } });
  });
});

describe('reencodeLikePhp', () => {
  /** What the adapter did before: parse with exact numbers, stringify, then PHP's escapes. */
  const reencodeByParsing = (body: string): string | null => {
    let text: string | undefined;
    try {
      text = stringify(parse(body, null, (number) => new LosslessNumber(toPhpNumberText(number))));
    } catch {
      return null;
    }
    if (text === undefined) return null;

    return text.replace(/\//g, '\\/').replace(/[\u0080-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  };

  it('writes what parsing and re-serializing wrote, for any JSON in any layout', () => {
    const layouts = (value: unknown) => [JSON.stringify(value), JSON.stringify(value, null, 2), JSON.stringify(value, null, '\t')];
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4, stringUnit: fc.oneof(fc.constantFrom('/', '\\', '"', '\n', '\u0000', '\u007f', '\ud83d'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }), (value) => {
        for (const body of layouts(value)) expect(reencodeLikePhp(Buffer.from(body))?.toString() ?? null).toBe(reencodeByParsing(body));
      }),
      { numRuns: 200 },
    );
    for (const body of ['{"a":"\\u00e9\\/\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u0041"}', '[1.50,-0.0,1e2,1E-7,12345678901234567890]', '{"s":"😀 تم"}']) {
      expect(reencodeLikePhp(Buffer.from(body))?.toString() ?? null).toBe(reencodeByParsing(body));
    }
  });

  it('gives null for text that is not JSON, bad UTF-8 and more floats than any order', () => {
    for (const body of ['{"a":"unterminated', '{"a":"bad \\x escape"}', 'nope', '{"a":"\\u12"}', '{"a":"raw\nline"}', 'tru']) expect(reencodeLikePhp(Buffer.from(body))).toBeNull();
    expect(reencodeLikePhp(Buffer.from([0x22, 0xff, 0x22]))).toBeNull();
    expect(reencodeLikePhp(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))).toBeNull();
    expect(reencodeLikePhp(Buffer.from(`[${'1.5,'.repeat(5_000)}1.5]`))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { Platform } from '../order.ts';
import type { WebhookRequest } from '../platform-adapter.ts';
import { PLATFORM_ADAPTERS } from './index.ts';
import { OLD_SECRET, SECRET, requestWith, storeWith } from './webhook-test-support.ts';

/** Bodies up to the 1 MiB limit that cost the most to re-encode: non-ASCII, escapes, floats, layout. */
const ADVERSARIAL_BODIES = [
  { note: 'تم تأكيد الطلب رقم واحد اثنان ثلاثة' },
  { note: 'a/b "quoted" \\ é😀', total: 270.5, small: 1e-7, list: [1.25, -0.5, true, null] },
  { list: [1, 2, 3, 4, true, false, null] },
].map((unit) => {
  const text = JSON.stringify(Array.from({ length: 20_000 }, () => unit), null, 2);

  return Buffer.from(text).subarray(0, 1024 * 1024);
});

const WRONG_HEX = 'ab'.repeat(32);
const WRONG_BASE64 = Buffer.alloc(32, 7).toString('base64');

/** A forged delivery for each platform: the right header or parameter, the wrong value. */
const forged = (platform: Platform, body: Buffer): WebhookRequest => {
  switch (platform) {
    case 'shopify':
      return requestWith(body, { 'x-shopify-hmac-sha256': WRONG_BASE64 });
    case 'woocommerce':
      return requestWith(body, { 'x-wc-webhook-signature': WRONG_BASE64 });
    case 'salla':
      return requestWith(body, { 'x-salla-signature': WRONG_HEX });
    case 'zid':
      return requestWith(body, {}, { token: 'not-the-token' });
    case 'youcan':
      return requestWith(body, { 'x-youcan-signature': WRONG_HEX });
    case 'easyorders':
      return requestWith(body, { secret: 'not-the-secret' });
    case 'generic':
      return requestWith(body, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': `v1,${WRONG_BASE64}` });
  }
};

const fastest = (runs: number, work: () => void): number => {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }

  return best;
};

describe('webhook verification cost before the signature is known', () => {
  it('refuses a forged 1 MiB delivery on every platform for a small multiple of a rejected generic webhook, parsing nothing', () => {
    const store = storeWith([SECRET, OLD_SECRET]);
    const costOf = (platform: Platform, body: Buffer): number => {
      const request = forged(platform, body);

      return fastest(9, () => expect(() => PLATFORM_ADAPTERS[platform].verify(request, store)).toThrow(expect.objectContaining({ code: 'invalid_signature' })));
    };
    for (const body of ADVERSARIAL_BODIES) {
      const generic = costOf('generic', body);
      for (const platform of Object.keys(PLATFORM_ADAPTERS) as Platform[]) {
        // YouCan's PHP-form check parsed and re-serialized the body: ~200× a generic rejection.
        // The linear re-encoding costs ~12× on Arabic text (its escapes triple the bytes to hash).
        expect(costOf(platform, body) / generic, platform).toBeLessThan(40);
      }
    }
  });
});

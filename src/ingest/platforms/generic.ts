import { z } from 'zod';
import { buildNormalizedOrder } from '../build-order.ts';
import { isCashOnDelivery } from '../normalize/cod.ts';
import { pickCustomerPhone } from '../normalize/phone.ts';
import { cleanText, toCountryCode } from '../normalize/text.ts';
import { toUtcIso } from '../normalize/time.ts';
import type { NormalizedOrder } from '../order.ts';
import type { NormalizeOptions, PlatformAdapter, WebhookClassification } from '../platform-adapter.ts';
import { AmountField, IdField, QuantityField, TextField, optionalList, optionalObject, parseJsonBody, readHeader, readWithSchema } from '../webhook-body.ts';
import { hmacSha256, invalidSignature, isSameDigest, requireAnySecret } from '../webhook-signature.ts';

/*
 * Any other system, through Standard Webhooks (DESIGN.md §5.3): `webhook-id`, `webhook-timestamp`
 * (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, several
 * space-separated signatures allowed (rotation). The secret is `whsec_<base64>`; the decoded
 * base64 is the key. The body is the normalized order (§5.4), read leniently: the phone is parsed
 * again, money formatted to the currency's digits, and `isCod` derived from the payment method
 * when absent, so a custom integration gets exactly what a platform order gets.
 */

export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

const GenericOrderSchema = z.object({
  externalId: IdField,
  number: TextField,
  createdAt: z.string(),
  currency: z.string(),
  total: AmountField,
  paymentMethod: TextField,
  isCod: z.boolean().nullish(),
  locale: TextField,
  customer: optionalObject(z.object({ name: TextField, phone: TextField, phoneRaw: TextField })),
  shippingAddress: optionalObject(
    z.object({ line1: TextField, line2: TextField, city: TextField, region: TextField, postalCode: TextField, countryCode: TextField }),
  ),
  items: optionalList(z.object({ name: TextField, variant: TextField, sku: TextField, quantity: QuantityField, unitPrice: AmountField })),
});

const normalizeGenericOrder = (body: unknown, options: NormalizeOptions): NormalizedOrder => {
  const order = readWithSchema(GenericOrderSchema, body, 'The order');
  const address = order.shippingAddress;
  const country = toCountryCode(cleanText(address?.countryCode));
  const paymentMethod = cleanText(order.paymentMethod);
  const picked = pickCustomerPhone(
    [
      { raw: order.customer?.phone, countryCode: country },
      { raw: order.customer?.phoneRaw, countryCode: country },
    ],
    [country, options.defaultCountry],
  );

  return buildNormalizedOrder({
    platform: 'generic',
    externalId: order.externalId,
    number: cleanText(order.number),
    createdAt: toUtcIso(order.createdAt, options.timezone),
    currency: order.currency,
    total: order.total,
    paymentMethod,
    isCod: order.isCod ?? isCashOnDelivery(paymentMethod),
    locale: cleanText(order.locale),
    customerName: cleanText(order.customer?.name),
    // What the customer typed, when the sender kept it, stays what they typed.
    phone: { ...picked, phoneRaw: cleanText(order.customer?.phoneRaw, 100) ?? picked.phoneRaw },
    shippingAddress: address
      ? {
          line1: cleanText(address.line1),
          line2: cleanText(address.line2),
          city: cleanText(address.city),
          region: cleanText(address.region),
          postalCode: cleanText(address.postalCode),
          countryCode: country,
        }
      : null,
    items: (order.items ?? []).map((item) => ({
      name: cleanText(item.name),
      variant: cleanText(item.variant),
      sku: cleanText(item.sku),
      quantity: item.quantity,
      unitPrice: item.unitPrice,
    })),
  });
};

/** The HMAC key of a Standard Webhooks secret: the base64 after `whsec_`. */
const signingKey = (secret: string): Buffer => Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');

export const genericAdapter: PlatformAdapter = {
  platform: 'generic',

  verify: (request, store) => {
    const id = readHeader(request.headers, 'webhook-id');
    const timestamp = readHeader(request.headers, 'webhook-timestamp');
    const signatures = readHeader(request.headers, 'webhook-signature');
    if (!id || !timestamp || !signatures) throw invalidSignature('Missing webhook-id, webhook-timestamp or webhook-signature header');
    if (!/^\d{1,12}$/.test(timestamp)) throw invalidSignature('webhook-timestamp is not Unix seconds');
    const nowSeconds = Math.floor((request.receivedAt ?? new Date()).getTime() / 1000);
    // Bounds replays of a captured request to the tolerance window.
    if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
      throw invalidSignature('webhook-timestamp is more than 5 minutes away from now');
    }
    const presented = signatures
      .split(' ')
      .filter((entry) => entry.startsWith('v1,'))
      .map((entry) => entry.slice('v1,'.length));
    if (presented.length === 0) throw invalidSignature('webhook-signature has no v1 signature');
    requireAnySecret(
      store.secrets,
      (secret) => {
        const key = signingKey(secret);
        if (key.length === 0) return false;
        const expected = hmacSha256(key, `${id}.${timestamp}.`, request.rawBody);

        return presented.some((signature) => isSameDigest(signature, expected, 'base64'));
      },
      'webhook-signature does not match the body',
    );
  },

  classify: (request, store): WebhookClassification => ({
    kind: 'order',
    topic: 'created',
    deliveryId: readHeader(request.headers, 'webhook-id'),
    order: normalizeGenericOrder(parseJsonBody(request.rawBody), { defaultCountry: store.defaultCountry, timezone: store.timezone }),
    platformStatus: null,
  }),

  normalize: normalizeGenericOrder,
};

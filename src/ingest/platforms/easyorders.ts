import { z } from 'zod';
import { currencyForCountry } from '../../money.ts';
import { buildNormalizedOrder } from '../build-order.ts';
import { isCashOnDelivery } from '../normalize/cod.ts';
import { pickCustomerPhone } from '../normalize/phone.ts';
import { cleanText, joinText, toCountryCode } from '../normalize/text.ts';
import { toUtcIso } from '../normalize/time.ts';
import type { NormalizedOrder } from '../order.ts';
import type { NormalizeOptions, PlatformAdapter, WebhookClassification } from '../platform-adapter.ts';
import { AmountField, IdField, QuantityField, TextField, optionalList, optionalObject, parseJsonBody, readHeader, readWithSchema } from '../webhook-body.ts';
import { invalidSignature, isSameToken, requireAnySecret } from '../webhook-signature.ts';

/*
 * EasyOrders (research §6): one webhook per store, for new orders, authenticated by a static secret
 * the dashboard generates and sends verbatim in a `secret` header (no HMAC). The body is the order
 * with one flat customer: `full_name`, `phone`, `government` (governorate), `address`. It carries
 * no currency and no country: both follow the store's default country, else Egypt (EasyOrders'
 * home market) for the currency.
 */

const EasyOrdersOrderSchema = z.object({
  id: IdField,
  created_at: z.string(),
  total_cost: AmountField,
  currency: TextField,
  status: TextField,
  full_name: TextField,
  phone: TextField,
  government: TextField,
  city: TextField,
  address: TextField,
  country: TextField,
  payment_method: TextField,
  cart_items: optionalList(
    z.object({
      price: AmountField,
      quantity: QuantityField,
      product: optionalObject(z.object({ name: TextField, sku: TextField })),
      variant: optionalObject(
        z.object({ sku: TextField, variation_props: optionalList(z.object({ variation: TextField, variation_prop: TextField })) }),
      ),
    }),
  ),
});

const HOME_CURRENCY = 'EGP';
const CANCELLED_STATUSES: ReadonlySet<string> = new Set(['canceled', 'cancelled']);

const readEasyOrdersOrder = (body: unknown, options: NormalizeOptions): { status: string | null; normalized: NormalizedOrder } => {
  const order = readWithSchema(EasyOrdersOrderSchema, body, 'The EasyOrders order');
  const country = toCountryCode(cleanText(order.country));
  const paymentMethod = cleanText(order.payment_method);

  const normalized = buildNormalizedOrder({
    platform: 'easyorders',
    externalId: order.id,
    // EasyOrders shows no separate order number; the id is what the merchant searches for.
    number: order.id,
    createdAt: toUtcIso(order.created_at, options.timezone),
    currency: cleanText(order.currency) ?? currencyForCountry(country ?? options.defaultCountry) ?? HOME_CURRENCY,
    total: order.total_cost,
    paymentMethod,
    isCod: isCashOnDelivery(paymentMethod),
    locale: null,
    customerName: cleanText(order.full_name),
    phone: pickCustomerPhone([{ raw: order.phone, countryCode: country }], [country, options.defaultCountry]),
    shippingAddress: {
      line1: cleanText(order.address),
      line2: null,
      city: cleanText(order.city),
      region: cleanText(order.government),
      postalCode: null,
      countryCode: country,
    },
    items: (order.cart_items ?? []).map((item) => ({
      name: cleanText(item.product?.name),
      variant: joinText(
        (item.variant?.variation_props ?? []).map((prop) => joinText([cleanText(prop.variation), cleanText(prop.variation_prop)], ': ')),
        ', ',
      ),
      sku: cleanText(item.variant?.sku) ?? cleanText(item.product?.sku),
      quantity: item.quantity,
      unitPrice: item.price,
    })),
  });

  return { status: cleanText(order.status)?.toLowerCase() ?? null, normalized };
};

export const easyordersAdapter: PlatformAdapter = {
  platform: 'easyorders',

  verify: (request, store) => {
    const secret = readHeader(request.headers, 'secret');
    if (!secret) throw invalidSignature('Missing secret header');
    requireAnySecret(store.secrets, (storeSecret) => isSameToken(secret, storeSecret), 'The secret header does not match');
  },

  classify: (request, store): WebhookClassification => {
    const { status, normalized } = readEasyOrdersOrder(parseJsonBody(request.rawBody), { defaultCountry: store.defaultCountry, timezone: store.timezone });

    // EasyOrders sends no event name. A new order is `pending`; any other status may be an echo of a
    // status change (our own write-back included), so it only updates, and never confirms an old order.
    const topic = status !== null && CANCELLED_STATUSES.has(status) ? 'cancelled' : status === 'pending' || status === null ? 'created' : 'updated';

    return {
      kind: 'order',
      topic,
      deliveryId: null,
      order: normalized,
      platformStatus: status,
    };
  },

  normalize: (body, options) => readEasyOrdersOrder(body, options).normalized,
};

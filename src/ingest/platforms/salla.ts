import { z } from 'zod';
import { buildNormalizedOrder } from '../build-order.ts';
import { isCashOnDelivery } from '../normalize/cod.ts';
import { pickCustomerPhone } from '../normalize/phone.ts';
import { cleanText, joinText, toCountryCode } from '../normalize/text.ts';
import { isValidTimezone, toUtcIso } from '../normalize/time.ts';
import type { NormalizedOrder } from '../order.ts';
import type { NormalizeOptions, OrderTopic, PlatformAdapter, WebhookClassification } from '../platform-adapter.ts';
import {
  AmountField,
  IdField,
  QuantityField,
  TextField,
  failMissingField,
  optionalList,
  optionalObject,
  parseJsonBody,
  readHeader,
  readWithSchema,
} from '../webhook-body.ts';
import { hmacSha256, invalidSignature, isSameDigest, isSameToken, requireAnySecret } from '../webhook-signature.ts';

/*
 * Salla (research §3): an envelope `{event, merchant, created_at, data}` whose `data` is the order.
 * Security strategy "signature" sends `X-Salla-Signature` (hex HMAC-SHA256 of the body); strategy
 * "token" sends the secret itself in `Authorization` (verbatim per Salla's own library; a `Bearer `
 * prefix is accepted too).
 */

/** `{amount, currency}`, or a bare number in older payloads. */
const MoneySchema = z.union([AmountField, z.object({ amount: AmountField, currency: z.string().nullish() })]).nullish();

const SallaOrderSchema = z.object({
  id: IdField,
  reference_id: TextField,
  draft: z.boolean().nullish(),
  date: z.union([z.string(), z.object({ date: z.string(), timezone: z.string().nullish() })]).nullish(),
  status: optionalObject(z.object({ slug: TextField, name: TextField })),
  payment_method: TextField,
  currency: z.string().nullish(),
  amounts: optionalObject(z.object({ total: MoneySchema })),
  shipping: optionalObject(
    z.object({
      receiver: optionalObject(z.object({ name: TextField, phone: TextField })),
      address: optionalObject(
        z.object({ country: TextField, country_code: TextField, city: TextField, shipping_address: TextField, street_number: TextField, block: TextField, postal_code: TextField }),
      ),
    }),
  ),
  customer: optionalObject(z.object({ first_name: TextField, last_name: TextField, mobile: TextField, mobile_code: TextField, country_code: TextField })),
  items: optionalList(
    z.object({
      name: TextField,
      sku: TextField,
      quantity: QuantityField,
      amounts: optionalObject(z.object({ price_without_tax: MoneySchema, total: MoneySchema })),
      product: optionalObject(z.object({ name: TextField, price: MoneySchema })),
      options: optionalList(
        z.object({ name: TextField, value: z.union([TextField, z.array(z.object({ name: TextField })), z.object({ name: TextField })]) }),
      ),
    }),
  ),
});

type SallaOrder = z.output<typeof SallaOrderSchema>;
type SallaMoney = z.output<typeof MoneySchema>;

const EnvelopeSchema = z.object({ event: z.string(), data: z.unknown().optional() });

const amountOf = (money: SallaMoney): string | number | null => (money === null || money === undefined ? null : typeof money === 'object' ? money.amount : money);

const currencyOf = (money: SallaMoney): string | null => (money !== null && typeof money === 'object' ? (money.currency ?? null) : null);

/** The order inside the envelope; a bare order object is accepted too (parse-order, replays). */
const unwrapEnvelope = (body: unknown): { event: string | null; order: unknown } => {
  const envelope = EnvelopeSchema.safeParse(body);

  return envelope.success && typeof envelope.data.data === 'object' && envelope.data.data !== null
    ? { event: envelope.data.event, order: envelope.data.data }
    : { event: null, order: body };
};

/** `mobile_code` `+966` and `mobile` `501806978` as one international number. */
const joinMobile = (code: string | null, mobile: string | null): string | null => {
  if (mobile === null) return null;
  if (code === null || mobile.startsWith('+') || mobile.startsWith('00')) return mobile;

  return `${code.startsWith('+') ? code : `+${code}`}${mobile.replace(/^0+/, '')}`;
};

const describeOptions = (options: NonNullable<SallaOrder['items']>[number]['options']): string | null => {
  const parts = (options ?? []).flatMap((option) => {
    const values = Array.isArray(option.value)
      ? option.value.map((value) => cleanText(value.name))
      : typeof option.value === 'object' && option.value !== null
        ? [cleanText(option.value.name)]
        : [cleanText(option.value)];
    const text = joinText(values, ', ');
    const name = cleanText(option.name);

    return text === null ? [] : [name === null ? text : `${name}: ${text}`];
  });

  return parts.length > 0 ? parts.join('; ') : null;
};

const readCreatedAt = (order: SallaOrder, options: NormalizeOptions): string => {
  const date = order.date ?? failMissingField('The Salla order date');
  if (typeof date === 'string') return toUtcIso(date, options.timezone);
  // Salla says in which zone its wall time is; the store's zone is only the fallback.
  const timezone = date.timezone && isValidTimezone(date.timezone) ? date.timezone : options.timezone;

  return toUtcIso(date.date, timezone);
};

const readSallaOrder = (body: unknown, options: NormalizeOptions): { event: string | null; order: SallaOrder; normalized: NormalizedOrder } => {
  const unwrapped = unwrapEnvelope(body);
  const order = readWithSchema(SallaOrderSchema, unwrapped.order, 'The Salla order');
  const address = order.shipping?.address;
  const shippingCountry = toCountryCode(cleanText(address?.country)) ?? toCountryCode(cleanText(address?.country_code));
  const customerCountry = toCountryCode(cleanText(order.customer?.country_code));
  const total = order.amounts?.total;

  const normalized = buildNormalizedOrder({
    platform: 'salla',
    externalId: order.id,
    number: cleanText(order.reference_id),
    createdAt: readCreatedAt(order, options),
    currency: order.currency ?? currencyOf(total),
    total: amountOf(total) ?? failMissingField('The Salla order amounts.total'),
    paymentMethod: cleanText(order.payment_method),
    isCod: isCashOnDelivery(cleanText(order.payment_method)),
    locale: null,
    customerName: joinText([cleanText(order.customer?.first_name), cleanText(order.customer?.last_name)]) ?? cleanText(order.shipping?.receiver?.name),
    phone: pickCustomerPhone(
      [
        { raw: order.shipping?.receiver?.phone, countryCode: shippingCountry },
        { raw: joinMobile(cleanText(order.customer?.mobile_code), cleanText(order.customer?.mobile)), countryCode: customerCountry },
      ],
      [shippingCountry, customerCountry, options.defaultCountry],
    ),
    shippingAddress: address
      ? {
          line1: cleanText(address.shipping_address) ?? cleanText(address.street_number),
          line2: null,
          city: cleanText(address.city),
          region: null,
          postalCode: cleanText(address.postal_code),
          countryCode: shippingCountry,
        }
      : null,
    items: (order.items ?? []).map((item) => ({
      name: cleanText(item.name) ?? cleanText(item.product?.name),
      variant: describeOptions(item.options),
      sku: cleanText(item.sku),
      quantity: item.quantity,
      unitPrice: amountOf(item.amounts?.price_without_tax) ?? amountOf(item.product?.price) ?? '0',
    })),
  });

  return { event: unwrapped.event, order, normalized };
};

const EVENT_TOPICS: Readonly<Record<string, OrderTopic>> = {
  'order.created': 'created',
  'order.updated': 'updated',
  'order.status.updated': 'updated',
  'order.payment.updated': 'updated',
  'order.cancelled': 'cancelled',
};

const CANCELLED_SLUGS: ReadonlySet<string> = new Set(['canceled', 'cancelled']);

export const sallaAdapter: PlatformAdapter = {
  platform: 'salla',

  verify: (request, store) => {
    const signature = readHeader(request.headers, 'x-salla-signature');
    if (signature) {
      requireAnySecret(
        store.secrets,
        (secret) => isSameDigest(signature.toLowerCase(), hmacSha256(secret, request.rawBody), 'hex'),
        'X-Salla-Signature does not match the body',
      );

      return;
    }
    const authorization = readHeader(request.headers, 'authorization');
    if (!authorization) throw invalidSignature('Missing X-Salla-Signature or Authorization header');
    const token = authorization.replace(/^Bearer\s+/i, '');
    requireAnySecret(store.secrets, (secret) => isSameToken(token, secret), 'The Authorization token does not match');
  },

  classify: (request, store): WebhookClassification => {
    const body = parseJsonBody(request.rawBody);
    const event = unwrapEnvelope(body).event;
    if (event === null) return { kind: 'ignored', reason: 'not a Salla event envelope' };
    const eventTopic = EVENT_TOPICS[event];
    if (!eventTopic) return { kind: 'ignored', reason: `event ${event} is not an order event Akked acts on` };
    const { order, normalized } = readSallaOrder(body, { defaultCountry: store.defaultCountry, timezone: store.timezone });
    if (order.draft === true) return { kind: 'ignored', reason: 'draft order' };
    const slug = cleanText(order.status?.slug)?.toLowerCase() ?? null;

    return {
      kind: 'order',
      topic: slug !== null && CANCELLED_SLUGS.has(slug) ? 'cancelled' : eventTopic,
      // Salla sends no delivery id; the route can hash the raw body instead.
      deliveryId: null,
      order: normalized,
      platformStatus: slug,
    };
  },

  normalize: (body, options) => readSallaOrder(body, options).normalized,
};

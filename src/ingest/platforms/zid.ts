import { z } from 'zod';
import { buildNormalizedOrder } from '../build-order.ts';
import { isCashOnDelivery } from '../normalize/cod.ts';
import { pickCustomerPhone } from '../normalize/phone.ts';
import { cleanText, joinText, toCountryCode } from '../normalize/text.ts';
import { toUtcIso } from '../normalize/time.ts';
import type { NormalizedOrder } from '../order.ts';
import type { NormalizeOptions, OrderTopic, PlatformAdapter, WebhookClassification } from '../platform-adapter.ts';
import { AmountField, IdField, QuantityField, TextField, failMissingField, optionalList, optionalObject, parseJsonBody, readWithSchema } from '../webhook-body.ts';
import { invalidSignature, isSameToken, requireAnySecret } from '../webhook-signature.ts';

/*
 * Zid (research §4) signs nothing. Its webhook URL carries a secret token (`?token=`, see
 * stores.ts `webhookUrlFor`), compared with the store's secrets. The body is the order object;
 * the `{order: {...}}` wrapper of the REST API and an `{event, data: {...}}` envelope are accepted
 * too. Zid gives times without a zone ("2026-01-30 15:56:02"): read in the store's time zone.
 */

/** Product names may come as one string or per language (`{ar, en}`). */
const LocalizedText = z.union([TextField, z.record(z.string(), TextField)]);

const ZidOrderSchema = z.object({
  id: IdField,
  invoice_number: TextField,
  created_at: z.string(),
  currency_code: z.string().nullish(),
  currency: optionalObject(z.object({ order_currency: optionalObject(z.object({ code: z.string().nullish() })) })),
  order_total: AmountField,
  order_status: optionalObject(z.object({ code: TextField })),
  language: TextField,
  customer: optionalObject(z.object({ name: TextField, mobile: TextField })),
  has_different_consignee: z.union([z.boolean(), z.number()]).nullish(),
  consignee: optionalObject(z.object({ name: TextField, mobile: TextField })),
  shipping: optionalObject(
    z.object({
      address: optionalObject(
        z.object({
          street: TextField,
          district: TextField,
          city: z.union([TextField, z.object({ name: TextField })]),
          country: z.union([TextField, z.object({ code: TextField })]),
          meta: optionalObject(z.object({ postcode: TextField })),
        }),
      ),
    }),
  ),
  payment: optionalObject(z.object({ method: optionalObject(z.object({ name: TextField, code: TextField })) })),
  products: optionalList(
    z.object({
      name: LocalizedText,
      sku: TextField,
      quantity: QuantityField,
      price: AmountField,
      options: optionalList(z.object({ name: TextField, value: TextField })),
    }),
  ),
});

type ZidOrder = z.output<typeof ZidOrderSchema>;

const WrapperSchema = z.object({ event: z.string().nullish(), order: z.record(z.string(), z.unknown()).nullish(), data: z.record(z.string(), z.unknown()).nullish() });

/** The order object and, when the body is an event envelope, the event name. */
const unwrapZidBody = (body: unknown): { event: string | null; order: unknown } => {
  const wrapper = WrapperSchema.safeParse(body);
  if (!wrapper.success) return { event: null, order: body };
  const { event, order, data } = wrapper.data;

  return { event: event ?? null, order: order ?? data ?? body };
};

const nameOrValue = (value: string | number | null | undefined | { name?: string | number | null | undefined }): string | null =>
  value !== null && typeof value === 'object' ? cleanText(value.name) : cleanText(value);

const localizedName = (name: z.output<typeof LocalizedText>, language: string | null): string | null => {
  if (name === null || name === undefined || typeof name !== 'object') return cleanText(name);

  return cleanText((language !== null && Object.hasOwn(name, language) ? name[language] : null) ?? name.ar ?? name.en ?? Object.values(name).find((value) => cleanText(value) !== null));
};

const readZidOrder = (body: unknown, options: NormalizeOptions): { event: string | null; order: ZidOrder; normalized: NormalizedOrder } => {
  const unwrapped = unwrapZidBody(body);
  const order = readWithSchema(ZidOrderSchema, unwrapped.order, 'The Zid order');
  const address = order.shipping?.address;
  const country = address?.country;
  const shippingCountry = toCountryCode(country !== null && typeof country === 'object' ? cleanText(country.code) : cleanText(country));
  const language = cleanText(order.language)?.toLowerCase() ?? null;
  const hasConsignee = Boolean(order.has_different_consignee);

  const normalized = buildNormalizedOrder({
    platform: 'zid',
    externalId: order.id,
    // The order number merchants and customers see is the numeric id (`code` is a URL token).
    number: cleanText(order.invoice_number) ?? order.id,
    createdAt: toUtcIso(order.created_at, options.timezone),
    currency: order.currency_code ?? order.currency?.order_currency?.code ?? failMissingField('The Zid order currency_code'),
    total: order.order_total,
    paymentMethod: cleanText(order.payment?.method?.name) ?? cleanText(order.payment?.method?.code),
    isCod: isCashOnDelivery(cleanText(order.payment?.method?.code), cleanText(order.payment?.method?.name)),
    locale: language,
    customerName: cleanText(order.customer?.name) ?? cleanText(order.consignee?.name),
    phone: pickCustomerPhone(
      [
        // A gift or an order for someone else is delivered to the consignee, who pays in cash.
        { raw: hasConsignee ? order.consignee?.mobile : null, countryCode: shippingCountry },
        { raw: order.customer?.mobile, countryCode: shippingCountry },
      ],
      [shippingCountry, options.defaultCountry],
    ),
    shippingAddress: address
      ? {
          line1: cleanText(address.street),
          line2: cleanText(address.district),
          city: nameOrValue(address.city),
          region: null,
          postalCode: cleanText(address.meta?.postcode),
          countryCode: shippingCountry,
        }
      : null,
    items: (order.products ?? []).map((product) => ({
      name: localizedName(product.name, language),
      variant: joinText(
        (product.options ?? []).map((option) => joinText([cleanText(option.name), cleanText(option.value)], ': ')),
        ', ',
      ),
      sku: cleanText(product.sku),
      quantity: product.quantity,
      unitPrice: product.price,
    })),
  });

  return { event: unwrapped.event, order, normalized };
};

const statusTopic = (status: string | null, whenOpen: OrderTopic): OrderTopic => (status === 'cancelled' || status === 'canceled' ? 'cancelled' : whenOpen);

/**
 * With an event name: `order.create` is a new order, status and payment updates are changes.
 * Without one (Zid posts the bare order): a `new` order is a creation, any other status a change.
 */
const topicFor = (event: string | null, status: string | null): OrderTopic | null => {
  if (event === null) return statusTopic(status, status === 'new' ? 'created' : 'updated');
  if (event === 'order.create' || event === 'order.created') return statusTopic(status, 'created');
  if (event === 'order.status.update' || event === 'order.payment_status.update') return statusTopic(status, 'updated');

  return null;
};

export const zidAdapter: PlatformAdapter = {
  platform: 'zid',

  verify: (request, store) => {
    const token = request.query.token?.trim();
    if (!token) throw invalidSignature('Missing token in the webhook URL');
    requireAnySecret(store.secrets, (secret) => isSameToken(token, secret), 'The webhook URL token does not match');
  },

  classify: (request, store): WebhookClassification => {
    const body = parseJsonBody(request.rawBody);
    const event = unwrapZidBody(body).event;
    if (event !== null && !event.startsWith('order.')) return { kind: 'ignored', reason: `event ${event} is not an order event` };
    const { order, normalized } = readZidOrder(body, { defaultCountry: store.defaultCountry, timezone: store.timezone });
    const status = cleanText(order.order_status?.code)?.toLowerCase() ?? null;
    const topic = topicFor(event, status);
    if (topic === null) return { kind: 'ignored', reason: `event ${event ?? ''} is not an order event Akked acts on` };

    return { kind: 'order', topic, deliveryId: null, order: normalized, platformStatus: status };
  },

  normalize: (body, options) => readZidOrder(body, options).normalized,
};

import { z } from 'zod';
import { buildNormalizedOrder } from '../build-order.ts';
import { isCashOnDelivery } from '../normalize/cod.ts';
import { pickCustomerPhone } from '../normalize/phone.ts';
import { cleanText, decodeHtmlEntities, joinText, toCountryCode } from '../normalize/text.ts';
import { toUtcIso } from '../normalize/time.ts';
import type { NormalizedOrder } from '../order.ts';
import type { NormalizeOptions, OrderTopic, PlatformAdapter, WebhookClassification, WebhookRequest } from '../platform-adapter.ts';
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
import { hmacSha256, invalidSignature, isSameDigest, requireAnySecret } from '../webhook-signature.ts';

/*
 * WooCommerce (research §2): the body is the REST v3 order resource, signed with
 * `X-WC-Webhook-Signature` (base64 HMAC-SHA256 of the body). Creating a webhook sends an unsigned
 * ping whose body is `webhook_id=NN` (form-encoded) and which must get exactly 200.
 */

const AddressSchema = z.object({
  first_name: TextField,
  last_name: TextField,
  address_1: TextField,
  address_2: TextField,
  city: TextField,
  state: TextField,
  postcode: TextField,
  country: TextField,
  phone: TextField,
});

const MetaSchema = z.object({ key: TextField, value: z.unknown().optional(), display_key: TextField, display_value: z.unknown().optional() });

const WooOrderSchema = z.object({
  id: IdField,
  number: TextField,
  status: TextField,
  currency: z.string().nullish(),
  date_created: z.string().nullish(),
  date_created_gmt: z.string().nullish(),
  total: AmountField,
  payment_method: TextField,
  payment_method_title: TextField,
  billing: optionalObject(AddressSchema),
  shipping: optionalObject(AddressSchema),
  meta_data: optionalList(MetaSchema),
  line_items: optionalList(
    z.object({ name: TextField, quantity: QuantityField, price: AmountField.nullish(), sku: TextField, meta_data: optionalList(MetaSchema) }),
  ),
});

type WooOrder = z.output<typeof WooOrderSchema>;
type WooAddress = z.output<typeof AddressSchema>;
type WooMeta = z.output<typeof MetaSchema>;

/** Order statuses of a cart that is not an order yet (block checkout): ignored until they change. */
const DRAFT_STATUSES: ReadonlySet<string> = new Set(['checkout-draft', 'auto-draft', 'draft']);
const CANCELLED_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'trash']);
/** Statuses of a placed order still waiting to be shipped: the ones worth confirming. */
const OPEN_STATUSES: ReadonlySet<string> = new Set(['pending', 'processing', 'on-hold']);
/** Multilingual plugins record the order's language in these meta keys. */
const LANGUAGE_META_KEYS: ReadonlySet<string> = new Set(['wpml_language', '_wpml_language', 'pll_language', 'trp_language']);

/** Scalar text with WordPress's HTML entities decoded; objects and lists read as no value. */
const readDecodedText = (value: unknown): string | null =>
  typeof value === 'string' || typeof value === 'number' ? cleanText(decodeHtmlEntities(String(value))) : null;

/** Variation attributes (`pa_color: black`) from a line's meta data; keys starting with `_` are internal. */
const describeVariant = (meta: WooMeta[] | null | undefined): string | null => {
  const parts = (meta ?? []).flatMap((entry) => {
    const key = cleanText(entry.key);
    if (key === null || key.startsWith('_')) return [];
    const label = readDecodedText(entry.display_key) ?? key.replace(/^pa_/, '');
    const value = readDecodedText(entry.display_value) ?? readDecodedText(entry.value);

    return value === null ? [] : [`${label}: ${value}`];
  });

  return parts.length > 0 ? parts.join(', ') : null;
};

const personName = (address: WooAddress | null | undefined): string | null => joinText([cleanText(address?.first_name), cleanText(address?.last_name)]);

const hasStreet = (address: WooAddress | null | undefined): address is WooAddress =>
  Boolean(address && (cleanText(address.address_1) ?? cleanText(address.city) ?? cleanText(address.country)));

const readWooOrder = (body: unknown, options: NormalizeOptions): { order: WooOrder; normalized: NormalizedOrder } => {
  const order = readWithSchema(WooOrderSchema, body, 'The WooCommerce order');
  const shippingCountry = toCountryCode(cleanText(order.shipping?.country));
  const billingCountry = toCountryCode(cleanText(order.billing?.country));
  // `date_created_gmt` is UTC written without a zone; `date_created` is the site's local time.
  const createdAt = order.date_created_gmt
    ? toUtcIso(order.date_created_gmt, 'UTC')
    : toUtcIso(order.date_created ?? failMissingField('The WooCommerce order date_created'), options.timezone);
  // Orders without a shipping address (virtual goods, local pickup) only have the billing one.
  const address = hasStreet(order.shipping) ? order.shipping : hasStreet(order.billing) ? order.billing : null;
  const languageMeta = (order.meta_data ?? []).find((entry) => LANGUAGE_META_KEYS.has(cleanText(entry.key) ?? ''));

  const normalized = buildNormalizedOrder({
    platform: 'woocommerce',
    externalId: order.id,
    number: cleanText(order.number),
    createdAt,
    currency: order.currency ?? null,
    total: order.total,
    paymentMethod: cleanText(order.payment_method_title) ?? cleanText(order.payment_method),
    isCod: isCashOnDelivery(cleanText(order.payment_method), cleanText(order.payment_method_title)),
    locale: languageMeta ? readDecodedText(languageMeta.value) : null,
    customerName: personName(order.billing) ?? personName(order.shipping),
    phone: pickCustomerPhone(
      [
        { raw: order.shipping?.phone, countryCode: shippingCountry },
        { raw: order.billing?.phone, countryCode: billingCountry },
      ],
      [shippingCountry, billingCountry, options.defaultCountry],
    ),
    shippingAddress: address
      ? {
          line1: cleanText(address.address_1),
          line2: cleanText(address.address_2),
          city: cleanText(address.city),
          region: cleanText(address.state),
          postalCode: cleanText(address.postcode),
          countryCode: toCountryCode(cleanText(address.country)),
        }
      : null,
    items: (order.line_items ?? []).map((item) => ({
      name: readDecodedText(item.name),
      variant: describeVariant(item.meta_data),
      sku: cleanText(item.sku),
      quantity: item.quantity,
      unitPrice: item.price ?? '0',
    })),
  });

  return { order, normalized };
};

const FORM_PING = /^webhook_id=\d+$/;

const isCreationPing = (request: WebhookRequest): boolean => FORM_PING.test(request.rawBody.toString('utf8').trim());

// A draft that became a real order is announced by `order.updated` only (the creation hook skips
// drafts). Without state, "became real" is read as: open now and created within this window.
const NEW_ORDER_WINDOW_MS = 24 * 3_600_000;

const topicFor = (event: string, status: string, createdAt: string, receivedAt: Date): OrderTopic | null => {
  if (CANCELLED_STATUSES.has(status)) return 'cancelled';
  if (event === 'created') return 'created';
  if (event === 'updated' || event === 'restored') {
    const isRecent = receivedAt.getTime() - Date.parse(createdAt) < NEW_ORDER_WINDOW_MS;

    return OPEN_STATUSES.has(status) && isRecent ? 'created' : 'updated';
  }

  return null;
};

export const woocommerceAdapter: PlatformAdapter = {
  platform: 'woocommerce',

  isUnsignedPing: isCreationPing,

  verify: (request, store) => {
    const signature = readHeader(request.headers, 'x-wc-webhook-signature');
    if (!signature) throw invalidSignature('Missing X-WC-Webhook-Signature header');
    requireAnySecret(
      store.secrets,
      (secret) => isSameDigest(signature, hmacSha256(secret, request.rawBody), 'base64'),
      'X-WC-Webhook-Signature does not match the body',
    );
  },

  classify: (request, store): WebhookClassification => {
    if (isCreationPing(request)) return { kind: 'ping' };
    const topic = readHeader(request.headers, 'x-wc-webhook-topic')?.toLowerCase() ?? null;
    const [resource, event] = topic?.split('.') ?? [];
    if (resource !== 'order' || event === undefined) return { kind: 'ignored', reason: `topic ${topic ?? '(none)'} is not an order event` };
    // The body of `order.deleted` holds only the id: nothing to normalize.
    if (event === 'deleted') return { kind: 'ignored', reason: 'order.deleted carries no order' };
    const body = parseJsonBody(request.rawBody);
    const { order, normalized } = readWooOrder(body, { defaultCountry: store.defaultCountry, timezone: store.timezone });
    const status = cleanText(order.status)?.toLowerCase() ?? '';
    if (DRAFT_STATUSES.has(status)) return { kind: 'ignored', reason: `draft order (status ${status})` };
    const orderTopic = topicFor(event, status, normalized.createdAt, request.receivedAt ?? new Date());
    if (orderTopic === null) return { kind: 'ignored', reason: `topic ${topic ?? ''} is not an order event Akked acts on` };

    return {
      kind: 'order',
      topic: orderTopic,
      deliveryId: readHeader(request.headers, 'x-wc-webhook-delivery-id'),
      order: normalized,
      platformStatus: status || null,
    };
  },

  normalize: (body, options) => readWooOrder(body, options).normalized,
};

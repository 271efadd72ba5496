import { z } from 'zod';
import { buildNormalizedOrder } from '../build-order.ts';
import { isCashOnDelivery } from '../normalize/cod.ts';
import { pickCustomerPhone, type PhoneCandidate } from '../normalize/phone.ts';
import { cleanText, joinText, toCountryCode, toLanguageCode } from '../normalize/text.ts';
import { toUtcIso } from '../normalize/time.ts';
import type { NormalizedOrder } from '../order.ts';
import { PRIVACY_TOPICS, type NormalizeOptions, type OrderTopic, type PlatformAdapter, type PrivacyTopic, type WebhookClassification } from '../platform-adapter.ts';
import { AmountField, IdField, QuantityField, TextField, failMissingField, optionalList, optionalObject, parseJsonBody, readHeader, readWithSchema } from '../webhook-body.ts';
import { hmacSha256, invalidSignature, isSameDigest, requireAnySecret } from '../webhook-signature.ts';

/*
 * Shopify (research §1): the body of `orders/*` is the Order object itself. Headers come as
 * `X-Shopify-*` or, in the newer "Events" delivery, un-prefixed `shopify-*`; both are read.
 */

const AddressSchema = z.object({
  first_name: TextField,
  last_name: TextField,
  name: TextField,
  address1: TextField,
  address2: TextField,
  city: TextField,
  province: TextField,
  zip: TextField,
  country_code: TextField,
  phone: TextField,
});

const MoneySetSchema = optionalObject(
  z.object({ presentment_money: optionalObject(z.object({ amount: AmountField, currency_code: z.string().nullish() })) }),
);

const ShopifyOrderSchema = z.object({
  id: IdField.nullish(),
  admin_graphql_api_id: z.string().nullish(),
  name: TextField,
  order_number: TextField,
  created_at: z.string().nullish(),
  processed_at: z.string().nullish(),
  currency: z.string().nullish(),
  total_price: AmountField.nullish(),
  total_price_set: MoneySetSchema,
  gateway: TextField,
  payment_gateway_names: optionalList(z.string().nullable()),
  financial_status: TextField,
  cancelled_at: TextField,
  customer_locale: TextField,
  client_details: optionalObject(z.object({ accept_language: TextField })),
  phone: TextField,
  customer: optionalObject(
    z.object({ first_name: TextField, last_name: TextField, phone: TextField, default_address: optionalObject(AddressSchema) }),
  ),
  shipping_address: optionalObject(AddressSchema),
  billing_address: optionalObject(AddressSchema),
  note_attributes: optionalList(z.object({ name: TextField, value: TextField })),
  line_items: optionalList(
    z.object({
      title: TextField,
      name: TextField,
      variant_title: TextField,
      sku: TextField,
      quantity: QuantityField,
      price: AmountField.nullish(),
      price_set: MoneySetSchema,
    }),
  ),
});

type ShopifyOrder = z.output<typeof ShopifyOrderSchema>;
type ShopifyAddress = z.output<typeof AddressSchema>;

// COD-form apps put the phone in note attributes under names like these.
const PHONE_ATTRIBUTE = /phone|mobile|whatsapp|\btel\b|هاتف|جوال|واتس|الرقم/i;

const addressName = (address: ShopifyAddress | null | undefined): string | null =>
  address ? (cleanText(address.name) ?? joinText([cleanText(address.first_name), cleanText(address.last_name)])) : null;

const readExternalId = (order: ShopifyOrder): string => {
  if (order.id) return order.id;
  const fromGraphqlId = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(order.admin_graphql_api_id ?? '')?.[1];
  if (fromGraphqlId) return fromGraphqlId;

  return failMissingField('The Shopify order id');
};

const readShopifyOrder = (body: unknown, options: NormalizeOptions): { order: ShopifyOrder; normalized: NormalizedOrder } => {
  const order = readWithSchema(ShopifyOrderSchema, body, 'The Shopify order');
  const createdAt = order.created_at ?? order.processed_at ?? failMissingField('The Shopify order created_at');
  const shipping = order.shipping_address;
  const billing = order.billing_address;
  const shippingCountry = toCountryCode(cleanText(shipping?.country_code));
  const billingCountry = toCountryCode(cleanText(billing?.country_code));

  // The amount the customer pays on delivery is in the presentment (customer) currency.
  const presentment = order.total_price_set?.presentment_money;
  const currency = presentment?.currency_code ?? order.currency ?? null;
  const total = presentment?.amount ?? order.total_price ?? failMissingField('The Shopify order total_price');

  const gatewayNames = (order.payment_gateway_names ?? []).filter((name): name is string => Boolean(name?.trim()));
  const paymentMethod = gatewayNames.length > 0 ? gatewayNames.join(', ') : cleanText(order.gateway);

  const phoneCandidates: PhoneCandidate[] = [
    { raw: shipping?.phone, countryCode: shippingCountry },
    { raw: order.phone },
    { raw: billing?.phone, countryCode: billingCountry },
    { raw: order.customer?.phone },
    { raw: order.customer?.default_address?.phone, countryCode: toCountryCode(cleanText(order.customer?.default_address?.country_code)) },
    ...(order.note_attributes ?? []).filter((attribute) => PHONE_ATTRIBUTE.test(cleanText(attribute.name) ?? '')).map((attribute) => ({ raw: attribute.value })),
  ];

  const normalized = buildNormalizedOrder({
    platform: 'shopify',
    externalId: readExternalId(order),
    number: cleanText(order.name) ?? cleanText(order.order_number),
    createdAt: toUtcIso(createdAt, options.timezone),
    currency,
    total,
    paymentMethod,
    isCod: isCashOnDelivery(...gatewayNames, cleanText(order.gateway)),
    locale: toLanguageCode(cleanText(order.customer_locale)) ?? toLanguageCode(cleanText(order.client_details?.accept_language)?.split(',')[0]),
    customerName: joinText([cleanText(order.customer?.first_name), cleanText(order.customer?.last_name)]) ?? addressName(shipping) ?? addressName(billing),
    phone: pickCustomerPhone(phoneCandidates, [shippingCountry, billingCountry, options.defaultCountry]),
    shippingAddress: shipping
      ? {
          line1: cleanText(shipping.address1),
          line2: cleanText(shipping.address2),
          city: cleanText(shipping.city),
          region: cleanText(shipping.province),
          postalCode: cleanText(shipping.zip),
          countryCode: shippingCountry,
        }
      : null,
    items: (order.line_items ?? []).map((item) => ({
      name: cleanText(item.title) ?? cleanText(item.name),
      variant: cleanText(item.variant_title),
      sku: cleanText(item.sku),
      quantity: item.quantity,
      unitPrice: (presentment ? item.price_set?.presentment_money?.amount : null) ?? item.price ?? '0',
    })),
  });

  return { order, normalized };
};

const ORDER_TOPICS: Readonly<Record<string, OrderTopic>> = {
  'orders/create': 'created',
  'orders/updated': 'updated',
  'orders/edited': 'updated',
  'orders/paid': 'updated',
  'orders/cancelled': 'cancelled',
};

const PrivacyBodySchema = z.object({
  shop_domain: TextField,
  customer: optionalObject(z.object({ id: IdField.nullish(), email: TextField, phone: TextField })),
  orders_requested: optionalList(IdField),
  orders_to_redact: optionalList(IdField),
});

const isPrivacyTopic = (topic: string): topic is PrivacyTopic => (PRIVACY_TOPICS as readonly string[]).includes(topic);

export const shopifyAdapter: PlatformAdapter = {
  platform: 'shopify',

  verify: (request, store) => {
    const signature = readHeader(request.headers, 'x-shopify-hmac-sha256', 'shopify-hmac-sha256');
    if (!signature) throw invalidSignature('Missing X-Shopify-Hmac-Sha256 header');
    requireAnySecret(
      store.secrets,
      (secret) => isSameDigest(signature, hmacSha256(secret, request.rawBody), 'base64'),
      'X-Shopify-Hmac-Sha256 does not match the body',
    );
  },

  classify: (request, store): WebhookClassification => {
    const topic = readHeader(request.headers, 'x-shopify-topic', 'shopify-topic')?.toLowerCase() ?? null;
    const deliveryId = readHeader(request.headers, 'x-shopify-webhook-id', 'shopify-webhook-id', 'x-shopify-event-id', 'shopify-event-id');
    if (topic === null) return { kind: 'ignored', reason: 'no X-Shopify-Topic header' };
    const body = parseJsonBody(request.rawBody);

    if (isPrivacyTopic(topic)) {
      const privacy = readWithSchema(PrivacyBodySchema, body, `The Shopify ${topic} body`);

      return {
        kind: 'privacy',
        topic,
        deliveryId,
        shopDomain: cleanText(privacy.shop_domain),
        customer: privacy.customer
          ? { id: privacy.customer.id ?? null, email: cleanText(privacy.customer.email), phone: cleanText(privacy.customer.phone) }
          : null,
        orderIds: privacy.orders_to_redact ?? privacy.orders_requested ?? [],
      };
    }

    const orderTopic = ORDER_TOPICS[topic];
    if (!orderTopic) return { kind: 'ignored', reason: `topic ${topic} is not an order event Akked acts on` };
    const { order, normalized } = readShopifyOrder(body, { defaultCountry: store.defaultCountry, timezone: store.timezone });
    // An order created or updated as already cancelled is a cancellation: nobody should confirm it.
    const isCancelled = cleanText(order.cancelled_at) !== null;

    return {
      kind: 'order',
      topic: isCancelled ? 'cancelled' : orderTopic,
      deliveryId,
      order: normalized,
      platformStatus: isCancelled ? 'cancelled' : cleanText(order.financial_status),
    };
  },

  normalize: (body, options) => readShopifyOrder(body, options).normalized,
};

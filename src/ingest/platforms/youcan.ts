import { z } from 'zod';
import { currencyForCountry } from '../../money.ts';
import { buildNormalizedOrder } from '../build-order.ts';
import { isCashOnDelivery } from '../normalize/cod.ts';
import { pickCustomerPhone } from '../normalize/phone.ts';
import { cleanText, joinText, toCountryCode, toLanguageCode } from '../normalize/text.ts';
import { toUtcIso } from '../normalize/time.ts';
import type { NormalizedOrder } from '../order.ts';
import type { NormalizeOptions, OrderTopic, PlatformAdapter, WebhookClassification } from '../platform-adapter.ts';
import { AmountField, IdField, QuantityField, TextField, optionalList, optionalObject, parseJsonBody, readHeader, readWithSchema } from '../webhook-body.ts';
import { hmacSha256, invalidSignature, isSameDigest, requireAnySecret } from '../webhook-signature.ts';
import { reencodeLikePhp } from './php-json.ts';

/*
 * YouCan (research §5): the body is the order object, signed with `x-youcan-signature`, the hex
 * HMAC-SHA256 keyed by the OAuth client secret. YouCan's own example signs PHP's
 * `json_encode($payload)`, so a body that fails as received is checked once more re-encoded the way
 * PHP does it (php-json.ts: one linear pass, nothing parsed before the signature is known).
 * Payloads carry no currency: it follows the shipping country (YouCan is Moroccan).
 */

const AddressSchema = z.object({
  first_name: TextField,
  last_name: TextField,
  full_name: TextField,
  first_line: TextField,
  second_line: TextField,
  city: TextField,
  region: TextField,
  state: TextField,
  zip_code: TextField,
  country_code: TextField,
  phone: TextField,
});

const YouCanOrderSchema = z.object({
  id: IdField,
  ref: TextField,
  total: AmountField,
  currency: TextField,
  currency_code: TextField,
  created_at: z.string(),
  status: TextField,
  locale: TextField,
  customer: optionalObject(
    z.object({ first_name: TextField, last_name: TextField, full_name: TextField, phone: TextField, country_code: TextField, locale: TextField }),
  ),
  shipping: optionalObject(z.object({ address: optionalObject(AddressSchema) })),
  payment: optionalObject(z.object({ payload: optionalObject(z.object({ gateway: TextField })), address: optionalObject(AddressSchema) })),
  variants: optionalList(
    z.object({
      price: AmountField,
      quantity: QuantityField,
      variant: optionalObject(
        z.object({
          sku: TextField,
          options: optionalList(TextField),
          values: optionalList(TextField),
          product: optionalObject(z.object({ name: TextField })),
        }),
      ),
    }),
  ),
});

type YouCanAddress = z.output<typeof AddressSchema>;
type YouCanVariant = NonNullable<NonNullable<z.output<typeof YouCanOrderSchema>['variants']>[number]['variant']>;

// The home market's currency, when neither the order nor a country says otherwise.
const HOME_CURRENCY = 'MAD';

type PersonFields = Partial<Record<'first_name' | 'last_name' | 'full_name', string | number | null | undefined>>;

const fullName = (person: PersonFields | null | undefined): string | null =>
  person ? (cleanText(person.full_name) ?? joinText([cleanText(person.first_name), cleanText(person.last_name)])) : null;

/** `size: L, color: red`; YouCan's placeholder variant ("default") is no variant. */
const describeVariant = (variant: YouCanVariant | null | undefined): string | null => {
  const values = (variant?.values ?? []).map((value) => cleanText(value));
  if (values.every((value) => value === null || value.toLowerCase() === 'default')) return null;
  const optionNames = variant?.options ?? [];

  return joinText(
    values.map((value, index) => joinText([cleanText(optionNames[index]), value], ': ')),
    ', ',
  );
};

const addressCountry = (address: YouCanAddress | null | undefined): string | null => toCountryCode(cleanText(address?.country_code));

const normalizeYouCanOrder = (body: unknown, options: NormalizeOptions): { status: string | null; normalized: NormalizedOrder } => {
  const order = readWithSchema(YouCanOrderSchema, body, 'The YouCan order');
  const shipping = order.shipping?.address;
  const billing = order.payment?.address;
  const shippingCountry = addressCountry(shipping);
  const billingCountry = addressCountry(billing);
  const customerCountry = toCountryCode(cleanText(order.customer?.country_code));
  const gateway = cleanText(order.payment?.payload?.gateway);

  const normalized = buildNormalizedOrder({
    platform: 'youcan',
    externalId: order.id,
    number: cleanText(order.ref),
    createdAt: toUtcIso(order.created_at, options.timezone),
    currency:
      cleanText(order.currency) ??
      cleanText(order.currency_code) ??
      currencyForCountry(shippingCountry ?? billingCountry ?? customerCountry ?? options.defaultCountry) ??
      HOME_CURRENCY,
    total: order.total,
    paymentMethod: gateway,
    isCod: isCashOnDelivery(gateway),
    locale: toLanguageCode(cleanText(order.locale)) ?? toLanguageCode(cleanText(order.customer?.locale)),
    customerName: fullName(order.customer) ?? fullName(shipping) ?? fullName(billing),
    phone: pickCustomerPhone(
      [
        { raw: shipping?.phone, countryCode: shippingCountry },
        { raw: billing?.phone, countryCode: billingCountry },
        { raw: order.customer?.phone, countryCode: customerCountry },
      ],
      [shippingCountry, billingCountry, options.defaultCountry],
    ),
    shippingAddress: shipping
      ? {
          line1: cleanText(shipping.first_line),
          line2: cleanText(shipping.second_line),
          city: cleanText(shipping.city),
          region: cleanText(shipping.region) ?? cleanText(shipping.state),
          postalCode: cleanText(shipping.zip_code),
          countryCode: shippingCountry,
        }
      : null,
    items: (order.variants ?? []).map((line) => ({
      name: cleanText(line.variant?.product?.name),
      variant: describeVariant(line.variant),
      sku: cleanText(line.variant?.sku),
      quantity: line.quantity,
      unitPrice: line.price,
    })),
  });

  return { status: cleanText(order.status), normalized };
};

const TOPICS: Readonly<Record<string, OrderTopic>> = {
  'order.create': 'created',
  'order.created': 'created',
  'order.update': 'updated',
  'order.updated': 'updated',
  'order.cancel': 'cancelled',
  'order.cancelled': 'cancelled',
  'order.close': 'cancelled',
  'order.closed': 'cancelled',
};

export const youcanAdapter: PlatformAdapter = {
  platform: 'youcan',

  verify: (request, store) => {
    const signature = readHeader(request.headers, 'x-youcan-signature')?.toLowerCase();
    if (!signature) throw invalidSignature('Missing x-youcan-signature header');
    // Not a digest at all: refused before the body is hashed or re-encoded.
    if (!/^[0-9a-f]{64}$/.test(signature)) throw invalidSignature('x-youcan-signature is not a hex SHA-256 digest');
    const isSignedBy = (secret: string, body: Buffer | string) => isSameDigest(signature, hmacSha256(secret, body), 'hex');
    let phpBody: Buffer | null | undefined;
    const readPhpBody = () => (phpBody === undefined ? (phpBody = reencodeLikePhp(request.rawBody)) : phpBody);
    requireAnySecret(
      store.secrets,
      (secret) => {
        if (isSignedBy(secret, request.rawBody)) return true;
        const reEncoded = readPhpBody();

        return reEncoded !== null && isSignedBy(secret, reEncoded);
      },
      'x-youcan-signature does not match the body',
    );
  },

  classify: (request, store): WebhookClassification => {
    // Legacy REST hooks carry no topic header and exist only for `order.create`.
    const topic = readHeader(request.headers, 'x-youcan-topic', 'x-youcan-event')?.toLowerCase() ?? 'order.create';
    const orderTopic = TOPICS[topic];
    if (!orderTopic) return { kind: 'ignored', reason: `topic ${topic} is not an order event Akked acts on` };
    const { status, normalized } = normalizeYouCanOrder(parseJsonBody(request.rawBody), { defaultCountry: store.defaultCountry, timezone: store.timezone });

    return { kind: 'order', topic: orderTopic, deliveryId: readHeader(request.headers, 'x-youcan-delivery-id'), order: normalized, platformStatus: status };
  },

  normalize: (body, options) => normalizeYouCanOrder(body, options).normalized,
};

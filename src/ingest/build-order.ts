import { AppError } from '../errors.ts';
import { formatMoney } from '../money.ts';
import type { CustomerPhone } from './normalize/phone.ts';
import { cleanText, limitText, toLanguageCode } from './normalize/text.ts';
import { NormalizedOrderSchema, type NormalizedOrder, type Platform } from './order.ts';
import { readWithSchema } from './webhook-body.ts';

/** What an adapter reads from a body, before money formatting, limits and the final schema check. */
export type OrderDraft = {
  platform: Platform;
  externalId: string;
  number: string | null;
  /** Already UTC (normalize/time.ts). */
  createdAt: string;
  currency: string | null;
  total: string | number;
  paymentMethod: string | null;
  isCod: boolean;
  locale: string | null;
  customerName: string | null;
  phone: CustomerPhone;
  shippingAddress: {
    line1: string | null;
    line2: string | null;
    city: string | null;
    region: string | null;
    postalCode: string | null;
    countryCode: string | null;
  } | null;
  items: { name: string | null; variant: string | null; sku: string | null; quantity: number; unitPrice: string | number }[];
};

const MAX_ITEMS = 1000;

/**
 * The normalized order (DESIGN.md §5.4): money in the currency's minor digits, text within the
 * stored limits (over-long text is cut, not refused, so a long address never loses an order), and
 * a final check against NormalizedOrderSchema.
 */
export const buildNormalizedOrder = (draft: OrderDraft): NormalizedOrder => {
  const currency = draft.currency?.trim().toUpperCase() ?? '';
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new AppError('bad_request', { message: 'The order has no ISO 4217 currency code' });
  }
  const address = draft.shippingAddress;
  const hasAddress = address !== null && Object.values(address).some((value) => value !== null);

  const order = {
    platform: draft.platform,
    externalId: limitText(draft.externalId, 200),
    number: limitText(cleanText(draft.number, 200) ?? draft.externalId, 200),
    createdAt: draft.createdAt,
    currency,
    total: formatMoney(draft.total, currency),
    paymentMethod: cleanText(draft.paymentMethod, 500),
    isCod: draft.isCod,
    locale: toLanguageCode(draft.locale),
    customer: {
      name: cleanText(draft.customerName, 500),
      phone: draft.phone.phone,
      phoneRaw: draft.phone.phoneRaw,
      phoneProblem: draft.phone.phoneProblem,
    },
    shippingAddress:
      address === null || !hasAddress
        ? null
        : {
            line1: cleanText(address.line1, 1000),
            line2: cleanText(address.line2, 1000),
            city: cleanText(address.city, 500),
            region: cleanText(address.region, 500),
            postalCode: cleanText(address.postalCode, 100),
            countryCode: address.countryCode,
          },
    items: draft.items.slice(0, MAX_ITEMS).map((item) => ({
      name: cleanText(item.name, 1000) ?? '',
      variant: cleanText(item.variant, 1000),
      sku: cleanText(item.sku, 500),
      quantity: item.quantity,
      unitPrice: formatMoney(item.unitPrice, currency),
    })),
  };

  return readWithSchema(NormalizedOrderSchema, order, 'The normalized order');
};

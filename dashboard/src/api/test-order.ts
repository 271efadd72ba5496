import { api } from './client.ts';
import type { RequestBody, ResponseBody } from './schema.ts';
import type { Platform } from './types.ts';

/** Arabic-Indic and Persian digits to ASCII, spaces and dashes out, a leading 00 to +. */
export const toInternationalPhone = (typed: string): string | null => {
  const digits = typed
    .replace(/[\u0660-\u0669]/g, (digit) => String(digit.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (digit) => String(digit.charCodeAt(0) - 0x06f0))
    .replace(/[\s\-().]/g, '')
    .replace(/^00/, '+');

  return /^\+\d{6,15}$/.test(digits) ? digits : null;
};

/** The currency a test order is priced in, from the store's default country; US dollars elsewhere. */
export const CURRENCY_BY_COUNTRY: Readonly<Record<string, string>> = {
  SA: 'SAR', AE: 'AED', KW: 'KWD', EG: 'EGP', MA: 'MAD', DZ: 'DZD', TN: 'TND', JO: 'JOD', BH: 'BHD', OM: 'OMR', QA: 'QAR',
  IQ: 'IQD', LY: 'LYD', FR: 'EUR',
};

/** ISO 4217 currencies of our markets with 3 minor digits; the others we price in have 2. */
const THREE_DIGIT_CURRENCIES: ReadonlySet<string> = new Set(['KWD', 'TND', 'JOD', 'BHD', 'OMR', 'IQD', 'LYD']);

export const currencyForCountry = (countryCode: string | null | undefined): string =>
  (countryCode ? CURRENCY_BY_COUNTRY[countryCode.toUpperCase()] : undefined) ?? 'USD';

export const currencyDigits = (currency: string): number => (THREE_DIGIT_CURRENCIES.has(currency.toUpperCase()) ? 3 : 2);

/** The test order's price as the API's decimal string in the currency's digits: "100.00", or "100.000" for KWD. */
export const testOrderAmount = (currency: string): string => (100).toFixed(currencyDigits(currency));

export type TestOrderInput = {
  storeId: string;
  platform: Platform;
  phone: string;
  customerName: string;
  language: string;
  currency: string;
  countryCode: string | null;
  /** The item's name in the customer's language, as it will read in the WhatsApp message. */
  productName?: string;
};

export type TestOrderResult = ResponseBody<'/api/v1/orders', 'post'>;

/**
 * A test order through the same endpoint custom integrations use (POST /api/v1/orders): it takes
 * the whole real path (settings, credits, WhatsApp, replies), to the merchant's own phone.
 */
export const sendTestOrder = (input: TestOrderInput): Promise<TestOrderResult> => {
  const now = new Date();
  const reference = `test-${now.getTime().toString(36)}`;
  const amount = testOrderAmount(input.currency);

  return api<TestOrderResult>('/api/v1/orders', {
    method: 'POST',
    body: {
      storeId: input.storeId,
      platform: input.platform,
      externalId: reference,
      number: `TEST-${now.getTime().toString().slice(-5)}`,
      createdAt: now.toISOString(),
      currency: input.currency,
      total: amount,
      paymentMethod: 'Cash on Delivery (COD)',
      isCod: true,
      locale: input.language,
      customer: { name: input.customerName, phone: input.phone, phoneRaw: input.phone, phoneProblem: null },
      shippingAddress: { line1: null, line2: null, city: null, region: null, postalCode: null, countryCode: input.countryCode },
      items: [{ name: input.productName ?? 'Test product', variant: null, sku: null, quantity: 1, unitPrice: amount }],
    } satisfies RequestBody<'/api/v1/orders', 'post'>,
  });
};

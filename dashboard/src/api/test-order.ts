import { api } from './client.ts';
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

export type TestOrderInput = {
  storeId: string;
  platform: Platform;
  phone: string;
  customerName: string;
  language: string;
  currency: string;
  countryCode: string | null;
};

export type TestOrderResult = { id: string; status: string; isNew: boolean };

/**
 * A test order through the same endpoint custom integrations use (POST /api/v1/orders): it takes
 * the whole real path (settings, credits, WhatsApp, replies), to the merchant's own phone.
 */
export const sendTestOrder = (input: TestOrderInput): Promise<TestOrderResult> => {
  const now = new Date();
  const reference = `test-${now.getTime().toString(36)}`;

  return api<TestOrderResult>('/api/v1/orders', {
    method: 'POST',
    body: {
      storeId: input.storeId,
      platform: input.platform,
      externalId: reference,
      number: `TEST-${now.getTime().toString().slice(-5)}`,
      createdAt: now.toISOString(),
      currency: input.currency,
      total: '100.00',
      paymentMethod: 'Cash on Delivery (COD)',
      isCod: true,
      locale: input.language,
      customer: { name: input.customerName, phone: input.phone, phoneRaw: input.phone, phoneProblem: null },
      shippingAddress: { line1: null, line2: null, city: null, region: null, postalCode: null, countryCode: input.countryCode },
      items: [{ name: 'Test product', variant: null, sku: null, quantity: 1, unitPrice: '100.00' }],
    },
  });
};

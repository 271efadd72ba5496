import { describe, expect, it } from 'vitest';
import type { NormalizedOrder, Platform } from '../order.ts';
import type { NormalizeOptions } from '../platform-adapter.ts';
import { parseJsonBody } from '../webhook-body.ts';
import { PLATFORM_ADAPTERS } from './index.ts';
import { readFixture } from './webhook-test-support.ts';

/*
 * Every real payload in test/fixtures/payloads through its adapter, against an order written out by
 * hand from the payload and the rules of DESIGN.md §5.4 (phones, countries, money digits, UTC times).
 */

const normalizeFixture = (platform: Platform, name: string, options: Partial<NormalizeOptions> = {}): NormalizedOrder =>
  PLATFORM_ADAPTERS[platform].normalize(parseJsonBody(readFixture(name)), { defaultCountry: null, timezone: 'UTC', ...options });

describe('fixture payloads normalize to the expected order', () => {
  it('reads the Shopify documentation sample: id above 2^53 kept exact, offset time to UTC, junk phones invalid', () => {
    expect(normalizeFixture('shopify', 'shopify-docs-sample-orders-create.json')).toEqual({
      platform: 'shopify',
      externalId: '820982911946154508',
      number: '#9999',
      createdAt: '2019-06-04T17:53:06.000Z',
      currency: 'USD',
      total: '403.00',
      paymentMethod: 'visa, bogus',
      isCod: false,
      locale: 'en',
      // shipping 555-555-SHIP and billing 555-555-BILL hold letters; 123-123-1234 (CA) has no valid area code.
      customer: { name: 'John Smith', phone: null, phoneRaw: '555-555-SHIP', phoneProblem: 'invalid' },
      shippingAddress: {
        line1: '123 Shipping Street',
        line2: null,
        city: 'Shippington',
        region: 'Kentucky',
        postalCode: '40003',
        countryCode: 'US',
      },
      items: [
        { name: 'IPod Nano - 8GB', variant: null, sku: 'IPOD2008PINK', quantity: 1, unitPrice: '199.00' },
        { name: 'IPod Nano - 8GB', variant: null, sku: 'IPOD2008PINK', quantity: 1, unitPrice: '199.00' },
      ],
    });
  });

  it('reads the Shopify dev-store capture: +11:00 to UTC, no phone anywhere is missing', () => {
    expect(normalizeFixture('shopify', 'shopify-devstore-orders-create-2020-AUD.json')).toEqual({
      platform: 'shopify',
      externalId: '2998557704341',
      number: '#1030',
      createdAt: '2020-12-26T21:23:58.000Z',
      currency: 'AUD',
      total: '59.45',
      paymentMethod: 'shopify_payments',
      isCod: false,
      locale: 'en',
      customer: { name: 'Test Buyer', phone: null, phoneRaw: null, phoneProblem: 'missing' },
      shippingAddress: {
        line1: '1 Example Street',
        line2: null,
        city: 'Canberra',
        region: 'Australian Capital Territory',
        postalCode: '2601',
        countryCode: 'AU',
      },
      items: [{ name: 'Classic Fountain Pen', variant: 'Fine / Bordeaux', sku: null, quantity: 1, unitPrice: '44.95' }],
    });
  });

  it('reads the WooCommerce documentation order: *_gmt time is UTC, entities decoded, number prices formatted', () => {
    expect(normalizeFixture('woocommerce', 'woocommerce-docs-retrieve-order.json')).toEqual({
      platform: 'woocommerce',
      externalId: '727',
      number: '727',
      createdAt: '2017-03-22T19:28:02.000Z',
      currency: 'USD',
      total: '29.35',
      paymentMethod: 'Direct Bank Transfer',
      isCod: false,
      locale: null,
      // (555) 555-5555: the 555 area code is not assigned, so not a valid US number.
      customer: { name: 'John Doe', phone: null, phoneRaw: '(555) 555-5555', phoneProblem: 'invalid' },
      shippingAddress: { line1: '969 Market', line2: null, city: 'San Francisco', region: 'CA', postalCode: '94103', countryCode: 'US' },
      items: [
        { name: 'Woo Single #1', variant: null, sku: null, quantity: 2, unitPrice: '3.00' },
        { name: 'Ship Your Idea \u2013 Color: Black, Size: M Test', variant: 'color: black, size: M Test', sku: 'Bar3', quantity: 1, unitPrice: '12.00' },
      ],
    });
  });

  it('reads the WooCommerce 5.6 capture: a Nigerian local phone is invalid in the US address country', () => {
    const expected: NormalizedOrder = {
      platform: 'woocommerce',
      externalId: '897',
      number: '897',
      createdAt: '2021-09-06T18:05:09.000Z',
      currency: 'USD',
      total: '28.44',
      paymentMethod: 'Credit Card (Stripe)',
      isCod: false,
      locale: null,
      customer: { name: 'Test Buyer', phone: null, phoneRaw: '08171263283', phoneProblem: 'invalid' },
      shippingAddress: { line1: '1 Example Street', line2: null, city: 'Lagos', region: 'TX', postalCode: '23401', countryCode: 'US' },
      items: [{ name: 'Rhapsody of Realities- A Topical Compendium volume 5', variant: null, sku: null, quantity: 1, unitPrice: '14.99' }],
    };
    expect(normalizeFixture('woocommerce', 'woocommerce-order-capture-wc5.6-localphone.json')).toEqual(expected);
    // With the store's default country Nigeria, the same local number becomes a valid mobile.
    expect(normalizeFixture('woocommerce', 'woocommerce-order-capture-wc5.6-localphone.json', { defaultCountry: 'NG' }).customer).toEqual({
      name: 'Test Buyer',
      phone: '+2348171263283',
      phoneRaw: '08171263283',
      phoneProblem: null,
    });
  });

  it("reads the Salla order.created envelope: Riyadh wall time to UTC, mobile_code + mobile after an invalid receiver phone", () => {
    expect(normalizeFixture('salla', 'salla-order-created.json')).toEqual({
      platform: 'salla',
      externalId: '2116149737',
      number: '41027662',
      createdAt: '2022-06-26T09:21:45.000Z',
      currency: 'SAR',
      total: '196.00',
      paymentMethod: 'bank',
      isCod: false,
      locale: null,
      customer: { name: 'Mohammed Ali', phone: '+966501806978', phoneRaw: '+966501806978', phoneProblem: null },
      shippingAddress: {
        line1: 'شارع ابو امية الضمري، الحي الزهراء ،, جدة, السعودية',
        line2: null,
        city: 'جدة',
        region: null,
        postalCode: null,
        countryCode: 'SA',
      },
      items: [{ name: 'بيتزا', variant: 'SIZE: BIG; الاضافات: بصل, فلفل', sku: '54534534', quantity: 1, unitPrice: '186.00' }],
    });
  });

  it('reads the Zid order (REST wrapper): zone-less time in the store zone, 14-digit total to 2 digits, 966… without +', () => {
    const expected: NormalizedOrder = {
      platform: 'zid',
      externalId: '39018491',
      number: '39018491',
      createdAt: '2026-01-30T12:56:02.000Z',
      currency: 'SAR',
      total: '100.00',
      paymentMethod: 'Bank Transfer',
      isCod: false,
      locale: 'en',
      customer: { name: 'Test User 5', phone: '+966500000005', phoneRaw: '966500000005', phoneProblem: null },
      shippingAddress: { line1: 'street', line2: 'disc', city: 'Al Hariq', region: null, postalCode: '000000', countryCode: 'SA' },
      items: [{ name: 'نسخة من TrialProduct', variant: null, sku: 'Z.1.1723970467001006', quantity: 1, unitPrice: '100.00' }],
    };
    expect(normalizeFixture('zid', 'zid-sdk-python-order_detail.json', { timezone: 'Asia/Riyadh' })).toEqual(expected);
    expect(normalizeFixture('zid', 'zid-sdk-python-order_detail.json').createdAt).toBe('2026-01-30T15:56:02.000Z');
  });

  it('reads the YouCan order: COD gateway, Moroccan mobile, currency from the shipping country', () => {
    expect(normalizeFixture('youcan', 'youcan-api-doc-order-create-response.json')).toEqual({
      platform: 'youcan',
      externalId: '011857b2-00b6-47af-9f8a-41e5c98b9c0d',
      number: '046',
      createdAt: '2021-04-01T08:34:16.000Z',
      currency: 'MAD',
      total: '270.00',
      paymentMethod: 'cod',
      isCod: true,
      locale: null,
      customer: { name: 'zak anibra', phone: '+212666666666', phoneRaw: '+212666666666', phoneProblem: null },
      shippingAddress: {
        line1: 'ain chok, agdal, agdal, agdal, agdal, agdal',
        line2: 'agdal',
        city: 'rabablanca',
        region: 'Grand Casablanca',
        postalCode: '20000',
        countryCode: 'MA',
      },
      items: [{ name: 'Second product', variant: null, sku: null, quantity: 1, unitPrice: '200.00' }],
    });
  });

  it('reads the EasyOrders order: microseconds dropped, Egyptian local phone needs the store country', () => {
    const expected: NormalizedOrder = {
      platform: 'easyorders',
      externalId: '2692e31f-27f6-472d-b4cd-c0c1c168511c',
      number: '2692e31f-27f6-472d-b4cd-c0c1c168511c',
      createdAt: '2024-04-08T01:01:02.474Z',
      currency: 'EGP',
      total: '750.00',
      paymentMethod: 'cod',
      isCod: true,
      locale: null,
      customer: { name: 'Violet Henson', phone: '+201034567890', phoneRaw: '01034567890', phoneProblem: null },
      shippingAddress: { line1: 'Est est sunt in ven', line2: null, city: null, region: 'منطقة الرياض', postalCode: null, countryCode: null },
      items: [
        { name: 'ترينج  شبابي أندر ارمر', variant: 'color: #808080, size: L', sku: 'EG010102RO5G06', quantity: 1, unitPrice: '220.00' },
        { name: 'EARBUDS RO5 GAMING', variant: null, sku: 'EG010102RO5G06', quantity: 1, unitPrice: '510.00' },
      ],
    };
    expect(normalizeFixture('easyorders', 'easyorders-docs-order-created.json', { defaultCountry: 'EG' })).toEqual(expected);
    // No country anywhere: a local number cannot be read.
    expect(normalizeFixture('easyorders', 'easyorders-docs-order-created.json').customer).toEqual({
      name: 'Violet Henson',
      phone: null,
      phoneRaw: '01034567890',
      phoneProblem: 'invalid',
    });
  });
});

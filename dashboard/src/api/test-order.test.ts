import { describe, expect, it } from 'vitest';
import { currencyForCountry, testOrderAmount } from './test-order.ts';

describe('test order pricing', () => {
  it("prices a test order in the currency of the store's country", () => {
    const expected: Record<string, string> = {
      SA: 'SAR', AE: 'AED', KW: 'KWD', EG: 'EGP', MA: 'MAD', DZ: 'DZD', TN: 'TND', JO: 'JOD', BH: 'BHD', OM: 'OMR',
      QA: 'QAR', IQ: 'IQD', LY: 'LYD', FR: 'EUR',
    };
    for (const [country, currency] of Object.entries(expected)) expect(currencyForCountry(country), country).toBe(currency);
    expect(currencyForCountry('sa')).toBe('SAR');
    expect(currencyForCountry('BR')).toBe('USD');
    expect(currencyForCountry(null)).toBe('USD');
  });

  it("writes the amount with the currency's ISO 4217 digits", () => {
    for (const currency of ['KWD', 'TND', 'JOD', 'BHD', 'OMR', 'IQD', 'LYD']) expect(testOrderAmount(currency), currency).toBe('100.000');
    for (const currency of ['SAR', 'AED', 'EGP', 'MAD', 'DZD', 'QAR', 'EUR', 'USD']) expect(testOrderAmount(currency), currency).toBe('100.00');
  });
});

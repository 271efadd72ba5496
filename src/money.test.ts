import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { currencyForCountry, formatMoney, minorDigits } from './money.ts';

describe('formatMoney', () => {
  it('writes the currency minor digits: 2 for SAR, 3 for KWD, 0 for JPY', () => {
    expect(formatMoney(196, 'SAR')).toBe('196.00');
    expect(formatMoney('12.5', 'KWD')).toBe('12.500');
    expect(formatMoney('7', 'BHD')).toBe('7.000');
    expect(formatMoney('1500', 'JPY')).toBe('1500');
    expect(formatMoney(1500.4, 'JPY')).toBe('1500');
  });

  it('rounds half away from zero on the decimal digits, not on a float', () => {
    expect(formatMoney('100.00000000000000', 'SAR')).toBe('100.00');
    expect(formatMoney('1.005', 'USD')).toBe('1.01');
    expect(formatMoney('2.4449', 'USD')).toBe('2.44');
    expect(formatMoney('-1.005', 'USD')).toBe('-1.01');
    expect(formatMoney('0.0005', 'KWD')).toBe('0.001');
    expect(formatMoney('99999999999999999999.995', 'USD')).toBe('100000000000000000000.00');
  });

  it('keeps numbers a float would mangle exact when they arrive as text', () => {
    expect(formatMoney('9007199254740993.10', 'USD')).toBe('9007199254740993.10');
    expect(formatMoney(0.1 + 0.2, 'USD')).toBe('0.30');
  });

  it('reads exponents and signs, and never prints -0', () => {
    expect(formatMoney('1.5e3', 'USD')).toBe('1500.00');
    expect(formatMoney(1e21, 'USD')).toBe('1000000000000000000000.00');
    expect(formatMoney('-0.001', 'USD')).toBe('0.00');
    expect(formatMoney('.5', 'USD')).toBe('0.50');
  });

  it('refuses text that is not a decimal number with a bad_request AppError', () => {
    for (const value of ['abc', '', '1,000.00', '12.3.4', 'NaN', '1e999']) {
      expect(() => formatMoney(value, 'USD')).toThrow(AppError);
    }
    expect(() => formatMoney(Number.POSITIVE_INFINITY, 'USD')).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('minorDigits and currencyForCountry', () => {
  it('knows the 3-digit Arab currencies and the 0-digit ones', () => {
    expect(['KWD', 'BHD', 'OMR', 'JOD', 'TND', 'LYD', 'IQD'].map(minorDigits)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(['JPY', 'KRW', 'XOF'].map(minorDigits)).toEqual([0, 0, 0]);
    expect(['SAR', 'EGP', 'MAD', 'usd'].map(minorDigits)).toEqual([2, 2, 2, 2]);
  });

  it('gives the market currency of a country, or null', () => {
    expect(currencyForCountry('MA')).toBe('MAD');
    expect(currencyForCountry('eg')).toBe('EGP');
    expect(currencyForCountry('ZZ')).toBeNull();
    expect(currencyForCountry(null)).toBeNull();
  });
});

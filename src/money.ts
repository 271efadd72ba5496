import { AppError } from './errors.ts';

/** ISO 4217 currencies whose minor unit is not 2 digits; every other code has 2. */
const MINOR_DIGITS_EXCEPTIONS: ReadonlyMap<string, number> = new Map([
  ...['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((code) => [code, 3] as const),
  ...['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'].map(
    (code) => [code, 0] as const,
  ),
  ['CLF', 4],
  ['UYW', 4],
]);

/** Digits after the decimal point for a currency (ISO 4217): 3 for KWD, 0 for JPY, 2 for SAR. */
export const minorDigits = (currency: string): number => MINOR_DIGITS_EXCEPTIONS.get(currency.trim().toUpperCase()) ?? 2;

/**
 * The currency of a country's market, for platforms whose payloads carry none (YouCan, EasyOrders):
 * the markets Akked serves first; null elsewhere.
 */
const CURRENCY_BY_COUNTRY: ReadonlyMap<string, string> = new Map([
  ['SA', 'SAR'],
  ['AE', 'AED'],
  ['KW', 'KWD'],
  ['BH', 'BHD'],
  ['OM', 'OMR'],
  ['QA', 'QAR'],
  ['JO', 'JOD'],
  ['IQ', 'IQD'],
  ['EG', 'EGP'],
  ['LY', 'LYD'],
  ['TN', 'TND'],
  ['DZ', 'DZD'],
  ['MA', 'MAD'],
  ['LB', 'LBP'],
  ['YE', 'YER'],
  ['SD', 'SDG'],
  ['FR', 'EUR'],
  ['BE', 'EUR'],
  ['US', 'USD'],
  ['GB', 'GBP'],
  ['TR', 'TRY'],
  ['PK', 'PKR'],
  ['IN', 'INR'],
  ['NG', 'NGN'],
]);

export const currencyForCountry = (countryCode: string | null | undefined): string | null =>
  countryCode ? (CURRENCY_BY_COUNTRY.get(countryCode.toUpperCase()) ?? null) : null;

// Platforms send plain decimals; exponents appear only when a JSON number is written that way.
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;
const MAX_DIGITS = 60;

const badAmount = (): AppError => new AppError('bad_request', { message: 'An amount is not a decimal number' });

/**
 * An amount as a decimal string with exactly the currency's minor digits (`"199.00"`, `"12.500"` for
 * KWD, `"1500"` for JPY), rounded half away from zero. All arithmetic is on digit strings and
 * BigInt: `0.1 + 0.2` style float errors cannot reach a price.
 */
export const formatMoney = (amount: string | number, currency: string): string => {
  if (typeof amount === 'number' && !Number.isFinite(amount)) throw badAmount();
  // String(number) is the shortest text that reads back as the same double, so no digit is invented.
  const match = DECIMAL.exec(String(amount).trim());
  if (!match) throw badAmount();
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  if (whole.length === 0 && fraction.length === 0) throw badAmount();
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_DIGITS) throw badAmount();

  // The value is digits × 10^-(scale).
  const scale = fraction.length - Number(exponentText);
  const wanted = minorDigits(currency);
  let units = BigInt(digits);
  if (scale <= wanted) {
    if (wanted - scale > MAX_DIGITS) throw badAmount();
    units *= 10n ** BigInt(wanted - scale);
  } else {
    if (scale - wanted > MAX_DIGITS * 2) {
      units = 0n;
    } else {
      const divisor = 10n ** BigInt(scale - wanted);
      const remainder = units % divisor;
      units /= divisor;
      if (remainder * 2n >= divisor) units += 1n;
    }
  }

  const text = units.toString().padStart(wanted + 1, '0');
  const integerPart = text.slice(0, text.length - wanted);
  const fractionPart = text.slice(text.length - wanted);
  const isNegative = sign === '-' && units !== 0n;

  return `${isNegative ? '-' : ''}${integerPart}${wanted > 0 ? `.${fractionPart}` : ''}`;
};

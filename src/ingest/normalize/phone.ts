import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';
import type { PhoneProblem } from '../order.ts';
import { cleanText } from './text.ts';

/*
 * Customers type phones in any form (DESIGN.md §5.4): local (`0551234567`), with `00` instead of
 * `+`, with spaces and dashes, in Arabic-Indic (`٠٥٥١٢٣٤٥٦٧`) or Persian digits. We only ever
 * message a valid mobile number, written in E.164.
 */

export type PhoneCandidate = {
  /** What the platform sent; Salla sends numbers, so numbers are accepted too. */
  raw: string | number | null | undefined;
  /** The country of the address the phone belongs to, when there is one. */
  countryCode?: string | null | undefined;
};

export type CustomerPhone = { phone: string | null; phoneRaw: string | null; phoneProblem: PhoneProblem | null };

const PHONE_RAW_MAX = 100;

// Arabic-Indic ٠..٩ (U+0660) and Extended Arabic-Indic / Persian ۰..۹ (U+06F0) to ASCII.
const toAsciiDigits = (text: string): string =>
  text.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (digit) => String((digit.codePointAt(0) ?? 0) & 0xf));

// Direction marks and invisible spaces that copy-pasted right-to-left text carries.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const SEPARATORS = /[\s\-\u2010-\u2015.()/\\]/g;

/**
 * The phone as `+digits` or bare `digits`, or null when it holds anything but digits and separators
 * (`555-555-BILL`, an email typed into the phone field).
 */
const toDialableText = (raw: string): string | null => {
  const text = toAsciiDigits(raw.normalize('NFKC')).replace(INVISIBLE, '').replace(SEPARATORS, '');
  const international = text.startsWith('00') ? `+${text.slice(2)}` : text;
  if (!/^\+?\d{4,20}$/.test(international)) return null;

  return international;
};

const toSupportedCountry = (value: string | null | undefined): CountryCode | null => {
  const code = value?.trim().toUpperCase() ?? '';

  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code) ? code : null;
};

/**
 * The number read in the first of the countries where it is valid. A number with `+` needs no
 * country. Without any country, bare digits are read as international: Zid sends `966500000005`.
 */
const parseInCountries = (dialable: string, countries: (string | null | undefined)[]): PhoneNumber | null => {
  if (dialable.startsWith('+')) {
    const number = parsePhoneNumberFromString(dialable);

    return number?.isValid() ? number : null;
  }
  const supported = [...new Set(countries.map(toSupportedCountry).filter((country): country is CountryCode => country !== null))];
  if (supported.length === 0) {
    const number = parsePhoneNumberFromString(`+${dialable}`);

    return number?.isValid() ? number : null;
  }
  for (const country of supported) {
    const number = parsePhoneNumberFromString(dialable, country);
    if (number?.isValid()) return number;
  }

  return null;
};

const isMobile = (number: PhoneNumber): boolean => {
  const type = number.getType();

  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
};

/**
 * The customer's WhatsApp phone from the order's phone fields (DESIGN.md §5.4). Candidates are tried
 * in order; each is read in its own address's country, then in each of `fallbackCountries` (shipping,
 * billing, store default) until it is a valid number. The first valid mobile wins, as E.164, with
 * what the customer typed in `phoneRaw`. Without one: `missing` when no candidate has a value,
 * `not_mobile` when at least one is a valid number that is not a mobile (a landline), else `invalid`.
 */
export const pickCustomerPhone = (candidates: PhoneCandidate[], fallbackCountries: (string | null | undefined)[]): CustomerPhone => {
  let firstRaw: string | null = null;
  let firstNonMobileRaw: string | null = null;
  for (const candidate of candidates) {
    const raw = cleanText(candidate.raw, PHONE_RAW_MAX);
    if (raw === null) continue;
    firstRaw ??= raw;
    const dialable = toDialableText(raw);
    const number = dialable === null ? null : parseInCountries(dialable, [candidate.countryCode, ...fallbackCountries]);
    if (number === null) continue;
    if (isMobile(number)) return { phone: number.number, phoneRaw: raw, phoneProblem: null };
    firstNonMobileRaw ??= raw;
  }
  if (firstRaw === null) return { phone: null, phoneRaw: null, phoneProblem: 'missing' };
  if (firstNonMobileRaw !== null) return { phone: null, phoneRaw: firstNonMobileRaw, phoneProblem: 'not_mobile' };

  return { phone: null, phoneRaw: firstRaw, phoneProblem: 'invalid' };
};

/**
 * A phone typed by a person (an API caller, a merchant) as E.164, or null when it is not a valid
 * number. Local forms are read in `country`; without one, only international forms are accepted.
 * Any valid number counts, mobile or not: it is used to find or register a number, not to pick a
 * customer's WhatsApp (WhatsApp Business also runs on landlines).
 */
export const normalizePhoneInput = (raw: string, country?: string | null): string | null => {
  const dialable = toDialableText(raw);
  if (dialable === null) return null;
  if (!dialable.startsWith('+') && toSupportedCountry(country) === null) return null;

  return parseInCountries(dialable, [country])?.number ?? null;
};

import { describe, expect, it } from 'vitest';
import { normalizePhoneInput, pickCustomerPhone } from './phone.ts';

describe('pickCustomerPhone', () => {
  it('reads a Saudi local mobile in the address country', () => {
    expect(pickCustomerPhone([{ raw: '0551234567', countryCode: 'SA' }], [])).toEqual({ phone: '+966551234567', phoneRaw: '0551234567', phoneProblem: null });
  });

  it('reads a Moroccan local mobile through the shipping country fallback', () => {
    expect(pickCustomerPhone([{ raw: '06 12 34 56 78' }], ['MA', 'FR', null])).toEqual({ phone: '+212612345678', phoneRaw: '06 12 34 56 78', phoneProblem: null });
  });

  it('reads an Egyptian local mobile with the store default country', () => {
    expect(pickCustomerPhone([{ raw: '010-0123-4567' }], [null, undefined, 'EG']).phone).toBe('+201001234567');
  });

  it('reads 00 as the international prefix whatever the country', () => {
    expect(pickCustomerPhone([{ raw: '00966 55 123 4567', countryCode: 'EG' }], []).phone).toBe('+966551234567');
  });

  it('reads Arabic-Indic and Persian digits', () => {
    expect(pickCustomerPhone([{ raw: '٠٥٥١٢٣٤٥٦٧', countryCode: 'SA' }], []).phone).toBe('+966551234567');
    expect(pickCustomerPhone([{ raw: '۰۵۵۱۲۳۴۵۶۷', countryCode: 'SA' }], []).phone).toBe('+966551234567');
  });

  it('ignores direction marks pasted with right-to-left text', () => {
    expect(pickCustomerPhone([{ raw: '\u200f+966 55 123 4567\u200e', countryCode: null }], []).phone).toBe('+966551234567');
  });

  it('reads bare digits with a country calling code when no country is known', () => {
    expect(pickCustomerPhone([{ raw: '966500000005' }], [null]).phone).toBe('+966500000005');
  });

  it('accepts a number as Salla sends it', () => {
    expect(pickCustomerPhone([{ raw: 501806978, countryCode: 'SA' }], []).phone).toBe('+966501806978');
  });

  it('reports a landline as not_mobile', () => {
    expect(pickCustomerPhone([{ raw: '0112345678', countryCode: 'SA' }], [])).toEqual({ phone: null, phoneRaw: '0112345678', phoneProblem: 'not_mobile' });
  });

  it('reports junk as invalid', () => {
    expect(pickCustomerPhone([{ raw: '555-555-BILL', countryCode: 'US' }], ['US'])).toEqual({ phone: null, phoneRaw: '555-555-BILL', phoneProblem: 'invalid' });
    expect(pickCustomerPhone([{ raw: '12', countryCode: 'SA' }], []).phoneProblem).toBe('invalid');
  });

  it('reports no candidate, or only blank ones, as missing', () => {
    expect(pickCustomerPhone([], ['SA'])).toEqual({ phone: null, phoneRaw: null, phoneProblem: 'missing' });
    expect(pickCustomerPhone([{ raw: null }, { raw: '   ' }, { raw: undefined }], ['SA'])).toEqual({ phone: null, phoneRaw: null, phoneProblem: 'missing' });
  });

  it('takes the first valid mobile, skipping invalid numbers and landlines before it', () => {
    const result = pickCustomerPhone(
      [
        { raw: 'not a phone', countryCode: 'SA' },
        { raw: '0112345678', countryCode: 'SA' },
        { raw: '0551234567', countryCode: 'SA' },
        { raw: '0561234567', countryCode: 'SA' },
      ],
      [],
    );
    expect(result).toEqual({ phone: '+966551234567', phoneRaw: '0551234567', phoneProblem: null });
  });

  it('prefers the address country over the fallbacks', () => {
    // 0612345678 is a Moroccan mobile, but the candidate's own country (France) reads it first.
    expect(pickCustomerPhone([{ raw: '0612345678', countryCode: 'FR' }], ['MA']).phone).toBe('+33612345678');
  });

  it('reports not_mobile over invalid when some candidate is a real landline', () => {
    expect(pickCustomerPhone([{ raw: 'abc' }, { raw: '+966112345678' }], []).phoneProblem).toBe('not_mobile');
  });
});

describe('normalizePhoneInput', () => {
  it('returns E.164 for an international number, or a local one read in the country', () => {
    expect(normalizePhoneInput('+966 55 123 4567')).toBe('+966551234567');
    expect(normalizePhoneInput('0551234567', 'SA')).toBe('+966551234567');
    expect(normalizePhoneInput('00212612345678', null)).toBe('+212612345678');
  });

  it('returns null for a local form without a country, and for invalid numbers', () => {
    expect(normalizePhoneInput('0551234567')).toBeNull();
    expect(normalizePhoneInput('+1 555 555 5555')).toBeNull();
    expect(normalizePhoneInput('hello')).toBeNull();
  });
});

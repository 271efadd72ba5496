/** What other modules need from order normalization: phones, money, time, COD detection, text. */
export { isCashOnDelivery } from './cod.ts';
export { currencyForCountry, formatMoney, minorDigits } from '../../money.ts';
export { normalizePhoneInput, pickCustomerPhone, type CustomerPhone, type PhoneCandidate } from './phone.ts';
export { cleanText, decodeHtmlEntities, joinText, limitText, toCountryCode, toLanguageCode } from './text.ts';
export { isValidTimezone, toUtcIso } from './time.ts';

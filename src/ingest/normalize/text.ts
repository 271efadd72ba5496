/**
 * Small text helpers shared by the platform adapters: platforms send empty strings, numbers where
 * strings are expected, HTML entities (WooCommerce) and over-long values; the normalized order
 * wants trimmed text or null, within the limits of NormalizedOrderSchema.
 */

/** Trimmed text, or null for null, undefined, and empty or blank strings; numbers become their text. */
export const cleanText = (value: string | number | boolean | null | undefined, maxLength = 1000): string | null => {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (text.length === 0) return null;

  return limitText(text, maxLength);
};

/** Cuts text to at most `maxLength` UTF-16 units without splitting a surrogate pair. */
export const limitText = (text: string, maxLength: number): string => {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength);
  const last = cut.charCodeAt(cut.length - 1);

  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
};

/** Joins the non-empty parts with a separator, or null when none is left. */
export const joinText = (parts: (string | null | undefined)[], separator = ' '): string | null => {
  const kept = parts.map((part) => cleanText(part)).filter((part): part is string => part !== null);

  return kept.length === 0 ? null : kept.join(separator);
};

/** An ISO 3166-1 alpha-2 code in upper case, or null for anything else (country names, blanks). */
export const toCountryCode = (value: string | null | undefined): string | null => {
  const text = value?.trim() ?? '';

  return /^[A-Za-z]{2}$/.test(text) ? text.toUpperCase() : null;
};

/** The two-letter language of a locale tag (`en`, `ar-SA`, `fr_FR`), or null. */
export const toLanguageCode = (value: string | null | undefined): string | null => {
  const match = /^([A-Za-z]{2})(?:[-_][A-Za-z0-9-_]*)?$/.exec(value?.trim() ?? '');

  return match?.[1] ? match[1].toLowerCase() : null;
};

const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map(Object.entries({
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '\u2013',
  mdash: '\u2014',
  hellip: '\u2026',
  times: '\u00d7',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
  laquo: '\u00ab',
  raquo: '\u00bb',
  euro: '\u20ac',
  pound: '\u00a3',
  copy: '\u00a9',
  reg: '\u00ae',
  trade: '\u2122',
  deg: '\u00b0',
}));

/**
 * Decodes the HTML entities WordPress puts in product names (`Ship Your Idea &ndash; Black`), so the
 * customer reads the text and the dashboard escapes it once. Unknown entities stay as they are.
 */
export const decodeHtmlEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/g, (entity, body: string) => {
    if (body.startsWith('#')) {
      const codePoint = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      const isValid = codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff);

      return isValid ? String.fromCodePoint(codePoint) : entity;
    }

    return NAMED_ENTITIES.get(body.toLowerCase()) ?? entity;
  });

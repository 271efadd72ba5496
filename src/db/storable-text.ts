/*
 * Text from outside (webhook bodies, API bodies, store API answers, WhatsApp replies, names) may
 * hold what PostgreSQL refuses to store: U+0000 in text (`invalid byte sequence`), and an unpaired
 * UTF-16 surrogate, which JSON can carry as `\ud800` but PostgreSQL's json and jsonb refuse (and a
 * text parameter turns into U+FFFD on its way). Every entry point cleans what it parsed with the
 * functions here, right after parsing, so the first delivery, a redelivery's lookup, an update and
 * a cancellation all see the same values: NUL removed, each unpaired surrogate replaced by U+FFFD.
 */

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const HAS_UNSTORABLE = new RegExp(UNSTORABLE.source);

/** The text without NUL characters, with U+FFFD for each unpaired surrogate. */
export const storableText = (text: string): string =>
  HAS_UNSTORABLE.test(text) ? text.replace(UNSTORABLE, (character) => (character === '\u0000' ? '' : '\ufffd')) : text;

const isPlainObject = (value: object): value is Record<string, unknown> => {
  const prototype = Object.getPrototypeOf(value) as unknown;

  return prototype === Object.prototype || prototype === null;
};

/**
 * A parsed JSON value with every string (object keys included) made storable; other values, and
 * objects that are not plain (exact numbers of a lossless parser), are left as they are. Returns
 * the same value when nothing needed cleaning.
 */
export const storableValue = <T>(value: T): T => {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => storableValue(item)) as T;
  if (!isPlainObject(value)) return value;
  const cleaned: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) cleaned[storableText(key)] = storableValue(item);

  return cleaned as T;
};

// JSON text can only carry NUL and unpaired surrogates as \u escapes (raw ones are not valid JSON
// or not valid UTF-8): without such an escape, the parsed value needs no walk.
const MAY_HOLD_UNSTORABLE = /\\u(?:0000|[dD][89a-fA-F])/;

/** For a value just parsed from `jsonText`: cleaned, walked only when the text has a suspect escape. */
export const storableJson = <T>(jsonText: string, parsed: T): T => (MAY_HOLD_UNSTORABLE.test(jsonText) ? storableValue(parsed) : parsed);

/**
 * `value` as JSON text for a query parameter, every string storable. JSON.stringify writes NUL and
 * unpaired surrogates as \u escapes, so only a text with such an escape is written again, cleaned.
 */
export const storableJsonText = (value: unknown): string => {
  const text = JSON.stringify(value);

  return MAY_HOLD_UNSTORABLE.test(text) ? JSON.stringify(storableValue(value)) : text;
};

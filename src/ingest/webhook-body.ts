import { isSafeNumber, parse } from 'lossless-json';
import { z } from 'zod';
import { storableJson } from '../db/storable-text.ts';
import { AppError } from '../errors.ts';

/*
 * Reading webhook bodies: JSON parsed so that no number loses digits (Shopify ids exceed 2^53,
 * DESIGN.md §3), then checked with a zod schema per platform. Both failures are AppErrors, so a
 * webhook route answers 400 with `{error:{code,message}}` and never a 500.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Numbers a double holds exactly stay numbers; any other (an id above 2^53, a price with more
 * digits than a double keeps) stays the exact text of the body, as a string.
 */
const parseNumberKeepingDigits = (text: string): number | string => (isSafeNumber(text) ? Number(text) : text);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
// Deeper bodies go to the lossless parser, which refuses absurd nesting as before.
const FAST_PATH_MAX_DEPTH = 256;

const isDigit = (code: number): boolean => code >= ZERO && code <= NINE;
const isNumberCharacter = (code: number): boolean => isDigit(code) || code === DOT || code === MINUS || code === PLUS || code === LOWER_E || code === UPPER_E;
const isJsonWhitespace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/**
 * The text with every number a double cannot hold exactly wrapped in quotes, so JSON.parse reads
 * it as the string lossless-json gives, and the count of object keys in the text (a colon outside
 * strings); null when the scan finds something JSON.parse must not be trusted with alone.
 */
const quoteUnsafeNumbers = (text: string): { text: string; keys: number } | null => {
  const pieces: string[] = [];
  let copiedUpTo = 0;
  let keys = 0;
  let depth = 0;
  let index = 0;
  const length = text.length;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      // Jump to the closing quote: one not preceded by an odd run of backslashes.
      let end = text.indexOf('"', index + 1);
      for (;;) {
        if (end === -1) return null;
        let backslash = end - 1;
        while (text.charCodeAt(backslash) === BACKSLASH) backslash--;
        if ((end - 1 - backslash) % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      index = end + 1;
    } else if (code === COLON) {
      keys++;
      index++;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > FAST_PATH_MAX_DEPTH) return null;
      index++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
      index++;
    } else if (code === MINUS || isDigit(code)) {
      const start = index;
      let isPlainInteger = true;
      index++;
      while (index < length) {
        const next = text.charCodeAt(index);
        if (!isNumberCharacter(next)) break;
        if (!isDigit(next)) isPlainInteger = false;
        index++;
      }
      const digits = code === MINUS ? index - start - 1 : index - start;
      // Up to 15 digits, an integer is always exact in a double.
      if (isPlainInteger && digits <= 15) continue;
      const token = text.slice(start, index);
      // A malformed token is left for JSON.parse to refuse.
      if (!JSON_NUMBER.test(token) || isSafeNumber(token)) continue;
      let after = index;
      while (isJsonWhitespace(text.charCodeAt(after))) after++;
      // A number where a key belongs would become valid JSON once quoted: leave it to be refused.
      if (text.charCodeAt(after) === COLON) continue;
      pieces.push(text.slice(copiedUpTo, start), '"', token, '"');
      copiedUpTo = index;
    } else {
      index++;
    }
  }
  if (pieces.length === 0) return { text, keys };
  pieces.push(text.slice(copiedUpTo));

  return { text: pieces.join(''), keys };
};

/** How many keys the objects of a parsed value hold, all levels together. */
const countKeys = (value: unknown): number => {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const item of node) if (item !== null && typeof item === 'object') pending.push(item);
    } else {
      const record = node as Record<string, unknown>;
      for (const key in record) {
        count++;
        const item = record[key];
        if (item !== null && typeof item === 'object') pending.push(item);
      }
    }
  }

  return count;
};

/**
 * JSON.parse after quoting the unsafe numbers: the same value as the lossless parser at a quarter
 * of its cost. Undefined when the fast path cannot vouch for the result (not JSON, a key given
 * twice, deep nesting): the lossless parser then decides, with its exact errors and rules.
 */
const parseQuickly = (text: string): unknown => {
  const scanned = quoteUnsafeNumbers(text);
  if (scanned === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(scanned.text);
  } catch {
    return undefined;
  }
  // JSON.parse keeps the last of two equal keys, where lossless-json refuses differing ones.
  return countKeys(value) === scanned.keys ? value : undefined;
};

/** The JSON value of a text, numbers kept exact (see parseJsonBody); throws SyntaxError or RangeError. */
export const parseJsonKeepingDigits = (text: string): unknown => parseQuickly(text) ?? parse(text, null, parseNumberKeepingDigits);

/** The JSON value of a body, numbers kept exact; `malformed_json` for anything that is not JSON. */
export const parseJsonBody = (rawBody: Buffer | string): unknown => {
  let text: string;
  try {
    text = typeof rawBody === 'string' ? rawBody : utf8.decode(rawBody);
  } catch (error) {
    throw new AppError('malformed_json', { message: 'The body is not UTF-8 text', cause: error });
  }
  if (text.trim().length === 0) throw new AppError('malformed_json', { message: 'The body is empty; a JSON object was expected' });
  try {
    // The BOM some tools prepend is not part of the JSON text. NUL and unpaired surrogates are
    // cleaned here, before any adapter reads a field, so every path sees the same values.
    return storableJson(text, parseJsonKeepingDigits(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
  } catch (error) {
    // SyntaxError for bad JSON, RangeError for nesting deeper than the stack.
    throw new AppError('malformed_json', { message: `The body is not valid JSON: ${error instanceof SyntaxError ? error.message : 'too deeply nested'}`, cause: error });
  }
};

const describeIssue = (issue: z.core.$ZodIssue): string => {
  const path = issue.path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`)).join('');

  return `${path.length > 0 ? path.slice(path.startsWith('.') ? 1 : 0) : 'body'}: ${issue.message}`;
};

/**
 * The value checked against a platform's schema; `bad_request` naming the first offending fields
 * (field paths and rules only, never the values, which may be personal data).
 */
export const readWithSchema = <Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.output<Schema> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 3).map(describeIssue);

  throw new AppError('bad_request', {
    message: `${what} is not in the expected shape: ${issues.join('; ')}`,
    details: { issues: result.error.issues.slice(0, 10).map((issue) => ({ path: issue.path.map(String), message: issue.message })) },
  });
};

/** The first header among the names that has a non-blank value (names in lower case). */
export const readHeader = (headers: Record<string, string | undefined>, ...names: string[]): string | null => {
  for (const name of names) {
    const value = headers[name]?.trim();
    if (value) return value;
  }

  return null;
};

// Field shapes shared by the platform schemas. Platforms differ in what they send for the same
// thing (a number or a string, null or an empty string), so these accept each and stay typed.

/** An id sent as a number or a string; always a string afterwards. */
export const IdField = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .pipe(z.string().min(1, 'must not be empty').max(200));

/**
 * Free text a platform may send as a number (postcodes, phone numbers) or leave out. PHP platforms
 * write `false` for an empty value, so a boolean reads as no value.
 */
export const TextField = z
  .union([z.string(), z.number(), z.boolean()])
  .nullish()
  .transform((value) => (typeof value === 'boolean' ? null : value));

/** An amount sent as a JSON number or as a decimal string. */
export const AmountField = z.union([z.string(), z.number()]);

/** A non-negative whole quantity, as a number or a string of digits. */
export const QuantityField = z
  .union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int('must be a whole number').min(0).max(1_000_000_000));

/**
 * An optional object that PHP platforms encode as `[]` when it is empty (YouCan's
 * `payment.address`): an array becomes null.
 */
export const optionalObject = <Schema extends z.ZodType>(schema: Schema) =>
  z.preprocess((value) => (Array.isArray(value) ? null : value), schema.nullish());

/** An optional list, null when absent. */
export const optionalList = <Schema extends z.ZodType>(schema: Schema) => z.array(schema).nullish();

/** Throws `bad_request` for a required field the body lacks. */
export const failMissingField = (what: string): never => {
  throw new AppError('bad_request', { message: `${what} is missing` });
};

import { isSafeNumber, parse } from 'lossless-json';
import { z } from 'zod';
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
    // The BOM some tools prepend is not part of the JSON text.
    return parse(text.replace(/^\ufeff/, ''), null, parseNumberKeepingDigits);
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

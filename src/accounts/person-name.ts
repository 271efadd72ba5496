import { z } from 'zod';
import { storableText } from '../db/storable-text.ts';

/** A user's name: what a person types, on one line, short enough for a greeting. */
export const MAXIMUM_NAME_CHARACTERS = 100;

// Whatever a name is longer than this before cleaning is refused unread.
const MAXIMUM_RAW_NAME_CHARACTERS = 1_000;

// Line breaks, tabs and every other control character, bidirectional overrides and isolates
// (which reorder the text around them), zero-width spaces and byte-order marks. Zero-width
// (non-)joiners stay: Persian and other scripts spell names with them.
const WHITESPACE = /[\s\u0085\u2028\u2029]+/g;
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

/** A typed name on one line: one space between words, no control or direction-changing characters. */
export const cleanPersonName = (raw: string): string =>
  storableText(raw)
    .normalize('NFC').replace(WHITESPACE, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim();

export const PersonNameSchema = z
  .string()
  .max(MAXIMUM_RAW_NAME_CHARACTERS, { abort: true, message: `a name has at most ${MAXIMUM_NAME_CHARACTERS} characters` })
  .transform(cleanPersonName)
  .pipe(z.string().min(1, 'a name is required').max(MAXIMUM_NAME_CHARACTERS, `a name has at most ${MAXIMUM_NAME_CHARACTERS} characters`));

/** The cleaned name, or the reason it is refused (for callers that answer in their own error shape). */
export const readPersonName = (raw: unknown): { name: string } | { problem: string } => {
  const parsed = PersonNameSchema.safeParse(raw);

  return parsed.success ? { name: parsed.data } : { problem: `name: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
};

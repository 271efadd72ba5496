/**
 * Text handling shared by reply reading and order-code extraction: script normalization, the
 * Latin "Arabizi" skeleton, tokenization, and the order references a reply may quote.
 */

const ARABIC_INDIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII, so "١" reads as "1". */
const toLatinDigits = (text: string): string =>
  text.replace(ARABIC_INDIC_DIGITS, (digit) => {
    const codePoint = digit.codePointAt(0) ?? 0x30;

    return String(codePoint >= 0x06f0 ? codePoint - 0x06f0 : codePoint - 0x0660);
  });

/**
 * Compatibility forms (Arabic presentation forms, full-width digits), Latin digits, and no invisible
 * format characters (bidi marks that WhatsApp keyboards insert around numbers, zero-width joiners).
 */
export const prepareText = (text: string): string => toLatinDigits(text.normalize('NFKC')).replace(/\p{Cf}/gu, '');

/**
 * Lower-case; no diacritics, tatweel or accents; one form of alef, ya, ta marbuta, kaf, and hamza
 * seats read as their letter (a lone hamza dropped: "لاء" is "لا"); no apostrophes ("d'accord" →
 * "daccord"); punctuation as spaces; emoji as separate words without skin tones; and each run of a
 * repeated letter as one letter ("yesss", "نعمممم"). Vocabulary goes through the same function.
 */
export const normalizeReplyText = (text: string): string =>
  prepareText(text)
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\u0640/g, '')
    .replace(/[\u0649\u06CC]/g, '\u064A')
    .replace(/\u0629/g, '\u0647')
    .replace(/\u06A9/g, '\u0643')
    .replace(/[\u0671\u0622\u0623\u0625]/g, '\u0627')
    .replace(/\u0624/g, '\u0648')
    .replace(/\u0626/g, '\u064A')
    .replace(/\u0621/g, '')
    .replace(/[\u{1F3FB}-\u{1F3FF}\u2640\u2642]/gu, '')
    .replace(/['’‘ʼ`´]/g, '')
    .replace(/\p{Extended_Pictographic}/gu, (emoji) => ` ${emoji} `)
    .replace(/[\p{P}\p{S}]/gu, (character) => (/\p{Extended_Pictographic}/u.test(character) ? character : ' '))
    .replace(/(\p{L})\1+/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * One spelling for the many ways Arabizi writes a sound, so "sa7a", "saha" and "sa77a" meet:
 * digits inside a Latin word become the letters they stand for (2=ء dropped, 3=ع "a", 5=خ "kh",
 * 6=ط "t", 7=ح "h", 8 and 9=ق/ص "q"), "sh" is "ch" (English and French spellings of ش), and "ou"
 * and "oo" are "u" (French and English spellings of the same vowel). Applied to every Latin word,
 * French and English included, and to the vocabulary alike; a word of digits alone ("1", "2") is
 * left as it is.
 */
export const latinSkeleton = (word: string): string => {
  if (!/[a-z]/.test(word)) return word;
  const spelled = word
    .replace(/oo|ou/g, 'u')
    .replace(/sh/g, 'ch')
    .replace(/[235-9]/g, (digit) => ({ '2': '', '3': 'a', '5': 'kh', '6': 't', '7': 'h', '8': 'q', '9': 'q' })[digit] ?? digit);

  return spelled.replace(/([a-z])\1+/g, '$1');
};

/** A word of a reply, as written (for explanations) and as compared (`key`). */
export type ReplyToken = { surface: string; key: string; isBoundary: false } | { isBoundary: true };

const BOUNDARY: ReplyToken = { isBoundary: true };

/** Emoji (with their modifiers and keycaps), words (letters, digits, marks, apostrophes), or punctuation. */
const TOKEN_PATTERN = /(\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}\uFE0F\u200D\p{Extended_Pictographic}]*)|([\p{L}\p{N}\p{M}'’‘ʼ`´]+)|([.,;:!؛،\n]+)/gu;

/**
 * The words of a reply, in order. Punctuation that separates clauses (",", ".", "!", a line break)
 * becomes a boundary marker, so the reader can tell "ما بدي، الغوه" (a refusal, then "cancel it")
 * from "ما بدي الغيه" ("I don't want to cancel it"). A hyphen splits words ("envoyez-la").
 */
export const tokenizeReply = (text: string): ReplyToken[] => {
  const tokens: ReplyToken[] = [];
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    if (match[3] !== undefined) {
      if (tokens.length > 0 && !tokens[tokens.length - 1]?.isBoundary) tokens.push(BOUNDARY);
      continue;
    }
    const surface = match[0];
    for (const key of normalizeReplyText(surface).split(' ')) {
      if (key.length > 0) tokens.push({ surface, key: latinSkeleton(key), isBoundary: false });
    }
  }

  return tokens;
};

/** The keys of a phrase of the vocabulary, compared word by word with a reply's tokens. */
export const phraseKeys = (phrase: string): string[] =>
  tokenizeReply(phrase).flatMap((token) => (token.isBoundary ? [] : [token.key]));

/** Letters and digits of an Akked order code (see orders/ingest-order.ts: "AK" + Crockford-like base 30). */
const AKKED_CODE_PATTERN = /(?<![\p{L}\p{N}])AK-?([2-9A-HJKMNP-TV-Z]{4,10})(?![\p{L}\p{N}])/giu;
/** "#1001", "#ORD-77": the prefilled customer-initiated text always puts "#" before a platform number. */
const HASH_CODE_PATTERN = /#\s?([\p{L}\p{N}][\p{L}\p{N}_-]*)/gu;
const BARE_NUMBER_PATTERN = /(?<![\p{L}\p{N}])\d{3,}(?![\p{L}\p{N}])/gu;

/**
 * An "AK…" code counts when it has a digit, or when it is written in capitals as the prefilled
 * link sends it: a lower-case all-letter word such as "akhbaar" is a word, not a code.
 */
const isAkkedCode = (match: string): boolean => /\d/.test(match) || match === match.toUpperCase();

const findAkkedCodes = (text: string): RegExpMatchArray[] => [...text.matchAll(AKKED_CODE_PATTERN)].filter((match) => isAkkedCode(match[0]));

/** Order references are neutral in a reply: "confirm order #1001" is a confirmation. */
export const removeOrderReferences = (text: string): string => {
  let withoutReferences = text;
  for (const match of findAkkedCodes(text)) withoutReferences = withoutReferences.replace(match[0], ' ');

  return withoutReferences.replace(HASH_CODE_PATTERN, ' ').replace(BARE_NUMBER_PATTERN, ' ');
};

/** Words after which a customer writes an order number: "order 1001", "الطلب رقم 1001", "commande n° 1001". */
const ORDER_KEYWORDS = new Set(
  ['order', 'orders', 'commande', 'cmd', 'number', 'no', 'n°', 'nº', 'numero', 'ref', 'reference', 'طلب', 'الطلب', 'طلبي', 'طلبية', 'الطلبية', 'اوردر', 'الاوردر', 'رقم', 'مرجع'].map((word) =>
    normalizeReplyText(word),
  ),
);

const normalizeCode = (code: string): string => code.replace(/^[-_]+|[-_]+$/g, '').toUpperCase();

/**
 * The order code a customer quotes, upper-case and without "#", or null.
 *
 * The customer-initiated link (templates.ts `buildPrefilledConfirmationText`) prefills
 * "Confirm order AK7F3K2Q" / "Confirmer la commande AK7F3K2Q" / "تأكيد الطلب AK7F3K2Q", or "#1001"
 * for a platform number; customers also edit the text or type it themselves. In order:
 * 1. an Akked code "AK7F3K2Q" (also "ak-7f3k2q" when it has a digit), returned as "AK7F3K2Q";
 * 2. "#" followed by a code: "#1001" → "1001";
 * 3. an order keyword followed within two words by a word with a digit: "الطلب رقم 1001" → "1001";
 * 4. a message that is only a number of 3+ digits: "1001".
 */
export const extractOrderCode = (text: string): string | null => {
  const prepared = prepareText(text);
  const [akkedCode] = findAkkedCodes(prepared);
  if (akkedCode?.[1] !== undefined) return `AK${akkedCode[1].toUpperCase()}`;

  for (const match of prepared.matchAll(HASH_CODE_PATTERN)) {
    const code = normalizeCode(match[1] ?? '');
    if (/^[A-Z0-9_-]{1,40}$/.test(code)) return code;
  }

  const words = prepared.split(/[\s,.:;!?؟،()[\]{}"«»]+/u).filter((word) => word.length > 0);
  for (const [index, word] of words.entries()) {
    if (!ORDER_KEYWORDS.has(normalizeReplyText(word))) continue;
    for (const candidate of words.slice(index + 1, index + 3)) {
      if (/^[A-Za-z0-9_-]{1,40}$/.test(candidate) && /\d/.test(candidate)) return normalizeCode(candidate);
    }
  }

  const [onlyWord, ...otherWords] = words;
  if (onlyWord !== undefined && otherWords.length === 0 && /^\d{3,40}$/.test(onlyWord)) return onlyWord;

  return null;
};

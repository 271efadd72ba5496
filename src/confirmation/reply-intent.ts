/**
 * Reads a customer's WhatsApp reply to a confirmation question: confirm, cancel, or unclear.
 *
 * The rule is conservative on purpose. A wrong "confirm" ships a parcel nobody will pay for, and
 * a wrong "cancel" loses a sale, while "unclear" only costs one clarifying message. So a reply
 * counts only when every word in it is known: a yes/no word or phrase (digits, emoji, Arabic and its
 * dialects in Arabic script and in Latin "Arabizi", English, French), or a harmless filler word
 * ("please", "شكرا", "merci", "the order") or an order reference ("#1001", "AK7F3K2Q"). Any unknown
 * word, a question mark, both signals at once, or a long text makes the reply unclear.
 */
export type ReplyIntent = 'confirm' | 'cancel' | 'unclear';

type Signal = 'confirm' | 'cancel' | 'filler' | 'unclear';

/** Longer texts are conversations, not answers; the clarifying message sorts them out. */
const MAXIMUM_REPLY_CHARACTERS = 200;
const MAXIMUM_REPLY_WORDS = 12;

const CONFIRM_PHRASES = [
  // Digits and emoji. A keycap "1️⃣" normalizes to "1"; skin tones are removed before matching.
  '1', '✅', '✔', '☑', '👍', '👌', '🆗',
  // English
  'yes', 'yeah', 'yea', 'yep', 'yup', 'ok', 'okay', 'okey', 'okie', 'sure', 'of course', 'ofc',
  'confirm', 'confirmed', 'confirming', 'i confirm', 'confirm it', 'please confirm', 'go ahead',
  'alright', 'all right', 'fine', 'correct', 'absolutely', 'definitely', 'sounds good', 'agreed',
  'i agree', 'agree', 'approved', 'perfect', 'deal', 'i want it', 'i still want it', 'send it',
  'ship it', 'no problem', 'no worries',
  // French ("confirmée" and "d'accord" normalize to the same words as "confirme" and "daccord").
  'oui', 'ouais', 'je confirme', 'confirme', 'confirmer', 'confirmez', 'je valide', 'valide',
  'valider', "d'accord", 'dac', 'dak', 'bien sûr', "c'est bon", "c'est ok", 'parfait', 'exact',
  'exactement', 'tout à fait', 'évidemment', 'volontiers', 'avec plaisir', 'pas de problème',
  'pas de souci', 'pas de soucis', 'aucun problème', 'sans problème', 'je la veux', 'je le veux',
  'je veux bien',
  // Arabic: standard, Gulf, Egyptian, Levantine, Maghrebi (hamza, alef and ya forms are unified).
  'نعم', 'اي', 'ايوه', 'ايوة', 'أيوا', 'ايوا', 'إيه', 'اه', 'آه', 'أكيد', 'بالتأكيد', 'طبعا', 'تمام',
  'موافق', 'موافقة', 'أوافق', 'وافقت', 'أكد', 'أكدوا', 'أكده', 'أكدها', 'أؤكد', 'نأكد', 'نأكدو',
  'مأكد', 'مأكدة', 'متأكد', 'مؤكد', 'أكدت', 'تأكيد', 'تم', 'تم التأكيد', 'صح', 'صحيح', 'مظبوط',
  'مضبوط', 'حاضر', 'طيب', 'زين', 'أبشر', 'واخا', 'وخا', 'يب', 'يس', 'اوكي', 'اوك', 'اوكيه', 'ممتاز',
  'أريده', 'أبغاه', 'أبيه', 'بدي ياه', 'بدي اياه', 'عايزه', 'عاوزه', 'بغيتو', 'بغيته', 'بغيتها',
  'ابغى الطلب', 'أبي الطلب', 'أريد الطلب', 'بدي الطلب', 'عايز الطلب', 'بغيت الطلب',
  'لا مشكلة', 'لا مانع', 'لا بأس', 'ما في مشكلة', 'مافي مشكلة', 'مفيش مشكلة', 'ماكاين مشكل',
  // Darija "ماشي مشكل" is "no problem"; plain "ماشي" is handled below as unclear.
  'ماشي مشكل', 'على بركة الله', 'توكلنا على الله',
  // Arabizi
  'ah', 'eyh', 'eih', 'eyeh', 'iyeh', 'aywa', 'aiwa', 'aywah', 'aiwah', 'ayoua', 'na3am', 'naam',
  'wakha', 'waxa', 'wah', 'akid', 'akeed', 'tamam', 'tmam', 'mwafe2', 'mowafek', 'mwafe9', '7ader',
  'tayeb', 'tayb', 'zain',
];

const CANCEL_PHRASES = [
  '2', '❌', '✖', '👎', '🚫', '⛔',
  // English
  'no', 'nope', 'nah', 'no thanks', 'cancel', 'cancelled', 'canceled', 'cancel it', 'please cancel',
  'i cancel', "don't want", "don't want it", "i don't want", "i don't want it", 'do not want',
  'i do not want', 'i do not want it', "i don't need it", "don't need it", 'not interested',
  "i'm not interested", 'i am not interested', 'changed my mind', 'i changed my mind', 'reject',
  'decline',
  // French ("j'annule" and "annulé" normalize to the same words as "jannule" and "annule").
  'non', 'annuler', 'annulez', 'annule', "j'annule", 'annulation', 'je ne veux pas', 'je veux pas',
  'je ne veux plus', 'je veux plus', 'je ne la veux pas', 'je ne la veux plus', 'je ne le veux pas',
  'pas intéressé', 'plus intéressé', 'je ne suis pas intéressé', 'je refuse', 'refuse',
  "j'ai changé d'avis",
  // Arabic
  'لا', 'لاء', 'نو', 'لا شكرا', 'لا أريد', 'لا أريده', 'لا ابغى', 'لا ابغاه', 'لا ابي', 'ما ابي',
  'مابي', 'ما ابغى', 'ماابغى', 'ما ابغاه', 'ما أريد', 'ما أريده', 'ما بدي', 'مابدي', 'ما بدي ياه',
  'ما بدي اياه', 'مش عايز', 'مش عايزه', 'مش عاوز', 'مش عاوزه', 'مش محتاج', 'مش محتاجه', 'مو محتاج',
  'مش موافق', 'مو موافق', 'غير موافق', 'ما بغيتش', 'مابغيتش', 'ما بغيتهاش', 'مابغيتهاش',
  'ما بغيتوش', 'مابغيتوش', 'ما بقيتش باغي', 'مابقيتش باغي', 'إلغاء', 'ألغي', 'ألغيه', 'ألغيها',
  'الغوه', 'ألغوا', 'الغ', 'ملغي', 'كنسل', 'كانسل', 'كنسله', 'كنسلو', 'كنسلوه', 'رافض', 'أرفض',
  'غيرت رأيي', 'بطلت',
  // Arabizi ("la" alone is "no"; French "la commande" is a filler phrase matched first).
  'la', 'la2', 'la shukran', 'la chokran', 'la merci', 'mabghitch', 'ma bghitch', 'mabghitsh',
  'mesh 3ayez', 'msh 3ayez', 'mish 3ayez', 'mosh 3ayez', 'msh 3ayz', 'mesh 3ayza', 'msh 3ayza',
  'mabdi', 'ma baddi', 'ma bdi', 'ma abi', 'mabi', 'elghi', 'ilghi', 'alghi', 'kansel', 'ilgha2',
];

/**
 * Words that mean neither yes nor no but may surround an answer ("yes please", "نعم شكرا",
 * "oui merci", "confirm my order"). Negators ("not", "pas", "مش", "ما") are deliberately absent: a
 * negation outside a known phrase ("don't cancel") makes the reply unclear.
 */
const FILLER_PHRASES = [
  '🙏', '❤', '🌹', '💐', '😊', '🙂', '☺', '😀', '😃', '🥰', '😍', '🤗',
  'please', 'pls', 'plz', 'thanks', 'thank you', 'thank u', 'thx', 'ty', 'thanks a lot',
  'many thanks', 'order', 'my order', 'the order', 'this order', 'it', 'i', 'hi', 'hello', 'hey',
  'sir', 'madam', 'dear', 'i want to', 'i would like to', 'want to', 'for',
  'merci', 'merci beaucoup', 'svp', 'stp', "s'il vous plaît", "s'il te plaît", 'bonjour', 'bonsoir',
  'salut', 'la commande', 'ma commande', 'commande', 'cette commande', 'je', 'monsieur', 'madame',
  'je veux', 'je voudrais',
  'شكرا', 'شكرا لك', 'شكرا جزيلا', 'مشكور', 'مشكورين', 'يعطيك العافية', 'الله يعطيك العافية',
  'الله يسلمك', 'جزاك الله خير', 'من فضلك', 'لو سمحت', 'لو سمحتي', 'لو سمحتو', 'بليز', 'ياريت',
  'الطلب', 'طلبي', 'الطلبية', 'طلبيتي', 'الاوردر', 'اوردر', 'السلام عليكم', 'وعليكم السلام', 'سلام',
  'مرحبا', 'أهلا', 'هلا', 'صباح الخير', 'مساء الخير', 'أخي', 'أختي', 'حبيبي', 'يا', 'أنا', 'رقم',
  'الرقم', 'و', 'ابغى', 'أبي', 'أريد', 'بدي', 'عايز', 'عاوز', 'بغيت', 'حاب',
  'shukran', 'shokran', 'chokran', 'choukran', 'salam', 'habibi', 'khoya', 'khouya', 'akhi', 'ya',
];

/**
 * Phrases that make a reply unclear even next to a clear word, with the reason.
 * - "ماشي"/"mashi": "OK" in Egyptian and Levantine Arabic, but the negation "not" in Darija
 *   ("ماشي دابا" = "not now"). We cannot tell the dialect, so we ask.
 * - "خلاص": "done, fine" or "forget it" depending on tone.
 * - "إن شاء الله": often a polite non-commitment; not a confirmation.
 * - "not now", "later", "بعدين", "plus tard", "wait", "maybe": the customer has not decided.
 */
const UNCLEAR_PHRASES = [
  'ماشي', 'mashi', 'machi', 'ماشي دابا', 'خلاص', 'khalas', 'khlas',
  'إن شاء الله', 'انشالله', 'ان شاء الله', 'inshallah', 'inchallah', 'nchallah', 'insha allah',
  'بإذن الله', 'not now', 'later', 'wait', 'maybe', 'pas maintenant', 'plus tard', 'attendez',
  'peut être', 'بعدين', 'بعد شوي', 'مش دلوقتي', 'مش الحين', 'مو الحين', 'استنى', 'انتظر', 'لحظة',
  'ربما', 'يمكن', 'ممكن',
];

const ARABIC_INDIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII, so "١" reads as "1". */
const toLatinDigits = (text: string): string =>
  text.replace(ARABIC_INDIC_DIGITS, (digit) => {
    const codePoint = digit.codePointAt(0) ?? 0x30;

    return String(codePoint >= 0x06f0 ? codePoint - 0x06f0 : codePoint - 0x0660);
  });

/**
 * The first steps shared by reply reading and order-code extraction: compatibility forms
 * (Arabic presentation forms, full-width digits), Latin digits, and no invisible format
 * characters (bidi marks that WhatsApp keyboards insert around numbers, zero-width joiners).
 */
const prepareText = (text: string): string => toLatinDigits(text.normalize('NFKC')).replace(/\p{Cf}/gu, '');

/**
 * Lower-case; no diacritics, hamza seats, tatweel or accents; one form of alef, ya, ta marbuta,
 * kaf; no apostrophes ("d'accord" → "daccord"); punctuation as spaces; emoji as separate words
 * without skin tones; and each run of a repeated letter as one letter ("yesss", "نعمممم"). The
 * vocabulary goes through the same function, so a doubled letter in a real word still matches.
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
    .replace(/[\u{1F3FB}-\u{1F3FF}\u2640\u2642]/gu, '')
    .replace(/['’‘ʼ`´]/g, '')
    .replace(/\p{Extended_Pictographic}/gu, (emoji) => ` ${emoji} `)
    .replace(/[\p{P}\p{S}]/gu, (character) => (/\p{Extended_Pictographic}/u.test(character) ? character : ' '))
    .replace(/(\p{L})\1+/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();

type Vocabulary = { phrases: ReadonlyMap<string, Signal>; longestPhraseWords: number };

const buildVocabulary = (): Vocabulary => {
  const phrases = new Map<string, Signal>();
  const lists: [Signal, readonly string[]][] = [
    ['confirm', CONFIRM_PHRASES],
    ['cancel', CANCEL_PHRASES],
    ['filler', FILLER_PHRASES],
    ['unclear', UNCLEAR_PHRASES],
  ];
  let longestPhraseWords = 1;
  for (const [signal, list] of lists) {
    for (const phrase of list) {
      const normalized = normalizeReplyText(phrase);
      const existing = phrases.get(normalized);
      // Two lists claiming one phrase is a mistake in this file; fail loudly in tests.
      if (existing !== undefined && existing !== signal) throw new Error(`reply phrase "${phrase}" is both ${existing} and ${signal}`);
      phrases.set(normalized, signal);
      longestPhraseWords = Math.max(longestPhraseWords, normalized.split(' ').length);
    }
  }

  return { phrases, longestPhraseWords };
};

const VOCABULARY = buildVocabulary();

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
const removeOrderReferences = (text: string): string => {
  let withoutReferences = text;
  for (const match of findAkkedCodes(text)) withoutReferences = withoutReferences.replace(match[0], ' ');

  return withoutReferences.replace(HASH_CODE_PATTERN, ' ').replace(BARE_NUMBER_PATTERN, ' ');
};

/** Reads a customer's reply as confirm, cancel or unclear (see the file comment for the rules). */
export const parseReplyIntent = (text: string): ReplyIntent => {
  const prepared = prepareText(text).trim();
  if (prepared.length === 0 || prepared.length > MAXIMUM_REPLY_CHARACTERS) return 'unclear';
  // A question is never an answer ("ok?", "can I change the address?", "نعم؟").
  if (/[?؟¿⁇❓❔]/u.test(prepared)) return 'unclear';
  const normalized = normalizeReplyText(removeOrderReferences(prepared));
  if (normalized.length === 0) return 'unclear';
  const words = normalized.split(' ');
  if (words.length > MAXIMUM_REPLY_WORDS) return 'unclear';

  const signals = new Set<Signal>();
  let position = 0;
  while (position < words.length) {
    let matched = false;
    // Longest phrase first, so "no problem" wins over "no" and "la commande" over "la".
    for (let length = Math.min(VOCABULARY.longestPhraseWords, words.length - position); length >= 1; length -= 1) {
      const signal = VOCABULARY.phrases.get(words.slice(position, position + length).join(' '));
      if (signal === undefined) continue;
      signals.add(signal);
      position += length;
      matched = true;
      break;
    }
    if (!matched) return 'unclear';
  }
  if (signals.has('unclear')) return 'unclear';
  const confirms = signals.has('confirm');
  const cancels = signals.has('cancel');
  if (confirms === cancels) return 'unclear';

  return confirms ? 'confirm' : 'cancel';
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

/**
 * Reads a customer's WhatsApp reply to a confirmation question: confirm, cancel, or unclear, and
 * for what is not a decision, its topic (a question, a change of address or day, "stop messaging
 * me", or something else).
 *
 * The rule is conservative on purpose. A wrong "confirm" ships a parcel nobody will pay for, and a
 * wrong "cancel" loses a sale, while "unclear" only costs one clarifying message. So a reply is
 * decided only when every word in it is known (reply-vocabulary.ts): yes/no words and phrases in
 * the dialects of our markets (Arabic script and Latin "Arabizi"), French and English, digits and
 * emoji, and words that change nothing (greetings, thanks, forms of address, "the order", an order
 * reference). Any unknown word, a question mark, a hedge, a question, address or date word, both
 * answers at once, or a negated "want" right before a verb leaves the reply unclear. The reading
 * names the words that decided it (`matched`), those that set its topic (`cues`) and those it did
 * not know (`unknown`), so support can say why.
 */
import {
  ADDRESS_CUES,
  ADDRESS_STEMS,
  CANCEL_PHRASES,
  CONFIRM_PHRASES,
  DATE_CUES,
  FILLER_PHRASES,
  HEDGE_PHRASES,
  KUNYA_WORDS,
  LANGUAGE_CONFIRM_PHRASES,
  NEGATED_WANT_PHRASES,
  NOT_NAME_WORDS,
  OPT_OUT_PHRASES,
  QUESTION_CUES,
  VOCATIVE_WORDS,
  WANT_FILLER_PHRASES,
  WANT_ORDER_PHRASES,
  WEAK_CONFIRM_PHRASES,
} from './reply-vocabulary.ts';
import { phraseKeys, prepareText, removeOrderReferences, tokenizeReply, type ReplyToken } from './reply-text.ts';

export type ReplyIntent = 'confirm' | 'cancel' | 'unclear';
export const REPLY_TOPICS = ['question', 'change_address', 'change_date', 'opt_out', 'other'] as const;
export type ReplyTopic = (typeof REPLY_TOPICS)[number];
export const REPLY_LANGUAGES = ['ar', 'en', 'fr'] as const;
export type ReplyLanguage = (typeof REPLY_LANGUAGES)[number];
export const NON_TEXT_KINDS = ['voice', 'audio', 'image', 'video', 'sticker', 'location', 'document', 'contact', 'other'] as const;
export type NonTextKind = (typeof NON_TEXT_KINDS)[number];

/** A reply as received: its text, or a message without text (a voice note, an image, a location...). */
export type ReplyMessage = { text: string } | { nonText: NonTextKind };

/** Why a reply was left undecided. */
export type UnclearReason =
  | 'empty'
  | 'non_text'
  | 'too_long'
  | 'question'
  | 'unknown_words'
  | 'hedge'
  | 'change_request'
  | 'negation'
  | 'contradiction'
  | 'opt_out'
  | 'no_answer';

export type ReplyReading = {
  intent: ReplyIntent;
  /** null for a decision; for an undecided reply what it is about. A refusal that also asks to stop messages has `opt_out`. */
  topic: ReplyTopic | null;
  /** The yes/no words of the reply as written ("نعم", "ابعتوه"): what decided it, or what contradicted itself. */
  matched: string[];
  /** The words behind the topic or the hesitation ("؟" aside): "بكرة", "العنوان", "stop", "inshallah". */
  cues: string[];
  /** Words not in the vocabulary; any of them leaves the reply undecided. */
  unknown: string[];
  /** Why the reply is unclear; null when it is decided. */
  reason: UnclearReason | null;
};

/** Longer texts are conversations, not answers; a person reads them. */
const MAXIMUM_REPLY_CHARACTERS = 200;
const MAXIMUM_REPLY_WORDS = 20;
const QUESTION_MARK = /[?؟¿⁇❓❔]/u;

type Signal = 'confirm' | 'cancel' | 'weak_confirm' | 'filler' | 'hedge' | 'opt_out' | 'question' | 'address' | 'date';
type Entry = { signal: Signal; isNegatedWant: boolean };
type PhraseTable = Map<string, Entry>;

const addPhrases = (table: PhraseTable, signal: Signal, phrases: readonly string[], isNegatedWant = false): void => {
  for (const phrase of phrases) {
    const key = phraseKeys(phrase).join(' ');
    const existing = table.get(key);
    // Two meanings for one phrase is a mistake in the vocabulary; fail loudly in tests.
    if (existing !== undefined && existing.signal !== signal) throw new Error(`reply phrase "${phrase}" is both ${existing.signal} and ${signal}`);
    table.set(key, { signal, isNegatedWant: isNegatedWant || (existing?.isNegatedWant ?? false) });
  }
};

const buildTable = (): PhraseTable => {
  const table: PhraseTable = new Map();
  addPhrases(table, 'confirm', [...CONFIRM_PHRASES, ...WANT_ORDER_PHRASES]);
  addPhrases(table, 'weak_confirm', WEAK_CONFIRM_PHRASES);
  addPhrases(table, 'cancel', CANCEL_PHRASES);
  addPhrases(table, 'cancel', NEGATED_WANT_PHRASES, true);
  addPhrases(table, 'opt_out', OPT_OUT_PHRASES);
  addPhrases(table, 'hedge', HEDGE_PHRASES);
  addPhrases(table, 'filler', [...FILLER_PHRASES, ...WANT_FILLER_PHRASES, ...VOCATIVE_WORDS]);
  addPhrases(table, 'question', QUESTION_CUES);
  addPhrases(table, 'address', ADDRESS_CUES);
  addPhrases(table, 'date', DATE_CUES);

  return table;
};

const CONJUNCTION = 'و';

/**
 * The vocabulary's lookup tables, built on the first reply read (~0.1 s of CPU): a process that
 * never reads a reply (an api) never builds them, and no process pays for them at start.
 */
const buildVocabulary = () => {
  const table = buildTable();

  return {
    table,
    languageTables: Object.fromEntries(
      REPLY_LANGUAGES.map((language) => {
        const languageTable: PhraseTable = new Map();
        addPhrases(languageTable, 'confirm', LANGUAGE_CONFIRM_PHRASES[language]);

        return [language, languageTable];
      }),
    ) as Record<ReplyLanguage, PhraseTable>,
    longestPhrase: Math.max(...[...table.keys()].map((key) => key.split(' ').length)),
    firstWords: new Set([...table.keys()].map((key) => key.split(' ')[0])),
    vocatives: new Set(VOCATIVE_WORDS.flatMap(phraseKeys)),
    kunyas: new Set(KUNYA_WORDS.flatMap(phraseKeys)),
    notNames: new Set(NOT_NAME_WORDS.flatMap(phraseKeys)),
    addressStemKeys: ADDRESS_STEMS.flatMap(phraseKeys),
  };
};

let builtVocabulary: ReturnType<typeof buildVocabulary> | undefined;
const vocabulary = (): ReturnType<typeof buildVocabulary> => (builtVocabulary ??= buildVocabulary());

type Word = Extract<ReplyToken, { isBoundary: false }>;
/** A run of words read as one phrase; `afterBoundary` says punctuation came right before it. */
type Reading = { signal: Signal | 'unknown' | 'name'; isNegatedWant: boolean; surface: string; key: string; afterBoundary: boolean };

const surfaceOf = (words: Word[]): string => words.map((word) => word.surface).filter((surface, index, all) => surface !== all[index - 1]).join(' ');

const lookUp = (keys: string, language: ReplyLanguage | null): Entry | undefined => (language ? vocabulary().languageTables[language].get(keys) : undefined) ?? vocabulary().table.get(keys);

/** Splits the reply into phrases, longest first, within each clause (punctuation ends a phrase). */
const readPhrases = (tokens: ReplyToken[], language: ReplyLanguage | null): Reading[] => {
  const clauses: Word[][] = [[]];
  for (const token of tokens) {
    if (token.isBoundary) clauses.push([]);
    else clauses[clauses.length - 1]?.push(token);
  }
  const readings: Reading[] = [];
  for (const words of clauses) {
    let position = 0;
    while (position < words.length) {
      const afterBoundary = position === 0 && readings.length > 0;
      let length = Math.min(vocabulary().longestPhrase, words.length - position);
      let entry: Entry | undefined;
      for (; length >= 1; length -= 1) {
        entry = lookUp(words.slice(position, position + length).map((word) => word.key).join(' '), language);
        if (entry) break;
      }
      // "and" is written joined to the next word: "ولا ترسلون" is "و" + "لا ترسلون".
      const word = words[position];
      if (!entry && word && word.key.startsWith(CONJUNCTION) && vocabulary().firstWords.has(word.key.slice(1))) {
        words.splice(position, 1, { ...word, key: CONJUNCTION }, { ...word, key: word.key.slice(1) });
        continue;
      }
      const phrase = words.slice(position, position + Math.max(length, 1));
      const key = phrase.map((word) => word.key).join(' ');
      const signal = entry?.signal ?? (vocabulary().addressStemKeys.some((stem) => key.includes(stem)) ? 'address' : 'unknown');
      readings.push({ signal, isNegatedWant: entry?.isNegatedWant ?? false, surface: surfaceOf(phrase), key, afterBoundary });
      position += phrase.length;
    }
  }

  return absorbNames(readings);
};

const isNameWord = (reading: Reading | undefined): boolean =>
  reading?.signal === 'unknown' && !vocabulary().notNames.has(reading.key) && /^[\p{L}\d]{2,15}$/u.test(reading.surface) && /\p{L}/u.test(reading.surface);

/** "نعم يا محمد", "تمام يا بو علي": the unknown word after a vocative is a name, not a condition. */
const absorbNames = (readings: Reading[]): Reading[] =>
  readings.map((reading, index) => {
    const previous = readings[index - 1];
    const beforePrevious = readings[index - 2];
    const isAfterVocative = previous !== undefined && vocabulary().vocatives.has(previous.key) && !reading.afterBoundary;
    const isKunya = isAfterVocative && vocabulary().kunyas.has(reading.key);
    const isAfterKunya = beforePrevious !== undefined && vocabulary().vocatives.has(beforePrevious.key) && previous !== undefined && vocabulary().kunyas.has(previous.key) && !reading.afterBoundary;
    if (isNameWord(reading) && (isAfterVocative || isKunya || isAfterKunya)) return { ...reading, signal: 'name' };

    return reading;
  });

const surfacesWith = (readings: Reading[], signals: readonly Reading['signal'][]): string[] =>
  readings.filter((reading) => signals.includes(reading.signal)).map((reading) => reading.surface);

const topicOf = (readings: Reading[], hasQuestionMark: boolean): ReplyTopic => {
  const signals = new Set(readings.map((reading) => reading.signal));
  if (signals.has('opt_out')) return 'opt_out';
  if (signals.has('address')) return 'change_address';
  if (signals.has('date')) return 'change_date';
  if (hasQuestionMark || signals.has('question')) return 'question';

  return 'other';
};

/** A negated "want" directly before a yes/no verb negates that verb: "ما بدي الغي", "مش عايز أأكد". */
const hasNegatedVerb = (readings: Reading[]): boolean =>
  readings.some((reading, index) => {
    const next = readings[index + 1];

    return reading.isNegatedWant && next !== undefined && !next.afterBoundary && (next.signal === 'confirm' || next.signal === 'cancel');
  });

const whyUndecided = (readings: Reading[], hasQuestionMark: boolean): UnclearReason | null => {
  const signals = new Set(readings.map((reading) => reading.signal));
  if (hasQuestionMark) return 'question';
  if (signals.has('unknown')) return 'unknown_words';
  if (signals.has('hedge')) return 'hedge';
  if (signals.has('question')) return 'question';
  if (signals.has('address') || signals.has('date')) return 'change_request';
  if (hasNegatedVerb(readings)) return 'negation';
  if (signals.has('confirm') && (signals.has('cancel') || signals.has('opt_out'))) return 'contradiction';
  if (!signals.has('confirm') && !signals.has('cancel')) {
    if (signals.has('opt_out')) return 'opt_out';
    if (!signals.has('weak_confirm')) return 'no_answer';
  }

  return null;
};

const unclear = (reason: UnclearReason, topic: ReplyTopic, readings: Reading[] = []): ReplyReading => ({
  intent: 'unclear',
  topic,
  matched: surfacesWith(readings, ['confirm', 'cancel', 'weak_confirm']),
  cues: surfacesWith(readings, ['hedge', 'opt_out', 'question', 'address', 'date']),
  unknown: surfacesWith(readings, ['unknown']),
  reason,
});

const readText = (text: string, language: ReplyLanguage | null): ReplyReading => {
  const prepared = prepareText(text).trim();
  if (prepared.length === 0) return unclear('empty', 'other');
  const hasQuestionMark = QUESTION_MARK.test(prepared);
  const readings = readPhrases(tokenizeReply(removeOrderReferences(prepared)), language);
  if (readings.length === 0) return unclear(hasQuestionMark ? 'question' : 'empty', hasQuestionMark ? 'question' : 'other');
  const topic = topicOf(readings, hasQuestionMark);
  if (prepared.length > MAXIMUM_REPLY_CHARACTERS || readings.length > MAXIMUM_REPLY_WORDS) return unclear('too_long', topic, readings);
  const reason = whyUndecided(readings, hasQuestionMark);
  if (reason !== null) return unclear(reason, topic, readings);
  const signals = new Set(readings.map((reading) => reading.signal));
  const intent: ReplyIntent = signals.has('cancel') ? 'cancel' : 'confirm';
  // Beside a real answer, "safi"/"يلا" are only emphasis ("la safi" is a refusal).
  const decisive: Reading['signal'][] = signals.has('confirm') || signals.has('cancel') ? [intent] : ['weak_confirm'];

  return {
    intent,
    topic: signals.has('opt_out') ? 'opt_out' : null,
    matched: surfacesWith(readings, decisive),
    cues: surfacesWith(readings, ['opt_out']),
    unknown: [],
    reason: null,
  };
};

/**
 * Reads one reply (see the file comment). `language` is the language the question was asked in;
 * it only adds the few words that mean yes in that language alone (French "si").
 */
export const readReply = (message: string | ReplyMessage, options: { language?: ReplyLanguage } = {}): ReplyReading => {
  if (typeof message !== 'string' && 'nonText' in message) return unclear('non_text', 'other');

  return readText(typeof message === 'string' ? message : message.text, options.language ?? null);
};

/** The intent alone, for callers that only decide (see readReply). */
export const parseReplyIntent = (text: string): ReplyIntent => readReply(text).intent;

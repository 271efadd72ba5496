import { describe, expect, it } from 'vitest';
import { parseReplyIntent, readReply, type ReplyIntent } from './reply-intent.ts';
import { extractOrderCode, normalizeReplyText } from './reply-text.ts';

const CASES: [text: string, intent: ReplyIntent, why: string][] = [
  // Digits, in every script
  ['1', 'confirm', 'the digit one'],
  ['2', 'cancel', 'the digit two'],
  ['١', 'confirm', 'Arabic-Indic one'],
  ['٢', 'cancel', 'Arabic-Indic two'],
  ['۱', 'confirm', 'Persian one'],
  ['۲', 'cancel', 'Persian two'],
  ['１', 'confirm', 'full-width one'],
  [' 1. ', 'confirm', 'one with spaces and a dot'],
  ['1️⃣', 'confirm', 'keycap one'],
  ['2️⃣', 'cancel', 'keycap two'],
  ['\u200F١\u200F', 'confirm', 'one wrapped in right-to-left marks'],
  ['12', 'unclear', 'both digits run together'],
  ['1 2', 'unclear', 'both digits'],
  ['3', 'unclear', 'a digit that is no option'],
  // Emoji
  ['✅', 'confirm', 'check mark button'],
  ['👍', 'confirm', 'thumbs up'],
  ['👍🏽', 'confirm', 'thumbs up with a skin tone'],
  ['👍🏿👍🏿👍🏿', 'confirm', 'repeated thumbs up'],
  ['👌🏻', 'confirm', 'OK hand with a skin tone'],
  ['✔️', 'confirm', 'heavy check mark with variation selector'],
  ['❌', 'cancel', 'cross mark'],
  ['👎', 'cancel', 'thumbs down'],
  ['👎🏾', 'cancel', 'thumbs down with a skin tone'],
  ['✖️', 'cancel', 'heavy multiplication x'],
  ['👍 🙏', 'confirm', 'thumbs up and thanks'],
  ['👍❌', 'unclear', 'both emoji'],
  ['😂', 'unclear', 'an unrelated emoji'],
  // English
  ['yes', 'confirm', 'yes'],
  ['Yes', 'confirm', 'capitalized'],
  ['YESSS!!!', 'confirm', 'shouted with repeated letters'],
  ['yep', 'confirm', 'yep'],
  ['ok', 'confirm', 'ok'],
  ['Okay thanks', 'confirm', 'okay with thanks'],
  ['sure', 'confirm', 'sure'],
  ['I confirm', 'confirm', 'I confirm'],
  ['Yes please confirm my order', 'confirm', 'a full confirming sentence'],
  ['no problem', 'confirm', 'no problem means fine'],
  ['no', 'cancel', 'no'],
  ['Nooo', 'cancel', 'no with repeated letters'],
  ['No thanks', 'cancel', 'no thanks'],
  ['cancel', 'cancel', 'cancel'],
  ['Please cancel the order', 'cancel', 'a full cancelling sentence'],
  ["I don't want it", 'cancel', 'does not want it'],
  ['I don’t want it anymore', 'cancel', '"anymore" only strengthens a refusal'],
  ['I don’t want it delivered', 'unclear', 'an extra word we do not know'],
  ['not interested', 'cancel', 'not interested'],
  // French
  ['oui', 'confirm', 'oui'],
  ['Ouiii', 'confirm', 'oui with repeated letters'],
  ["d'accord", 'confirm', "d'accord"],
  ['D’accord merci', 'confirm', "d'accord with a typographic apostrophe"],
  ['Oui, je confirme !', 'confirm', 'je confirme'],
  ['oui je confirme la commande', 'confirm', 'la commande is not the Arabizi no'],
  ['Confirmée ✅', 'confirm', 'confirmée with an accent'],
  ['confirmee', 'confirm', 'confirmée without the accent'],
  ['c’est bon', 'confirm', "c'est bon"],
  ['pas de problème', 'confirm', 'no problem in French'],
  ['non', 'cancel', 'non'],
  ['Non merci', 'cancel', 'non merci'],
  ['annuler svp', 'cancel', 'annuler'],
  ["J'annule la commande", 'cancel', "j'annule"],
  ['je ne veux plus', 'cancel', 'no longer wants it'],
  // Arabic, standard and dialects
  ['نعم', 'confirm', 'MSA yes'],
  ['نعمممم', 'confirm', 'yes with repeated letters'],
  ['نَعَم', 'confirm', 'yes with diacritics'],
  ['نعـــم', 'confirm', 'yes with tatweel'],
  ['ايوه', 'confirm', 'Egyptian/Gulf yes'],
  ['أيوة', 'confirm', 'yes with hamza and ta marbuta'],
  ['أيوا', 'confirm', 'yes with final alef'],
  ['اكيد', 'confirm', 'sure'],
  ['أكّد', 'confirm', 'confirm, with shadda'],
  ['مأكد', 'unclear', 'Gulf "confirmed", but the same letters as "ما أكد" without its hamza and space'],
  ['تمام', 'confirm', 'fine'],
  ['تمام شكرا', 'confirm', 'fine, thanks'],
  ['موافق', 'confirm', 'agreed'],
  ['إيه', 'confirm', 'Levantine yes'],
  ['اي نعم', 'confirm', 'Gulf yes'],
  ['واخا', 'confirm', 'Darija OK'],
  ['يب', 'confirm', 'yep in Arabic letters'],
  ['اوكي', 'confirm', 'OK in Arabic letters'],
  ['أوكى', 'confirm', 'OK with alef maksura'],
  ['نعم أكد الطلب من فضلك', 'confirm', 'a full confirming sentence'],
  ['لا مانع', 'confirm', 'no objection'],
  ['ماشي مشكل', 'confirm', 'Darija no problem'],
  ['لا', 'cancel', 'no'],
  ['لأ', 'cancel', 'Egyptian no with hamza'],
  ['لااا', 'cancel', 'no with repeated letters'],
  ['ﻻ', 'cancel', 'no as the lam-alef ligature'],
  ['لا شكراً', 'cancel', 'no thanks'],
  ['مش عايز', 'cancel', 'Egyptian: I do not want'],
  ['لا مش عايزه', 'cancel', 'Egyptian: no, I do not want it'],
  ['ما بغيتش', 'cancel', 'Darija: I do not want'],
  ['ما بدي', 'cancel', 'Levantine: I do not want'],
  ['ما ابي', 'cancel', 'Gulf: I do not want'],
  ['إلغاء', 'cancel', 'cancellation'],
  ['الغي الطلب', 'cancel', 'cancel the order'],
  ['كنسل', 'cancel', 'cancel, borrowed'],
  ['نعم لا', 'unclear', 'both signals'],
  // Arabizi
  ['wakha', 'confirm', 'Darija OK'],
  ['ah', 'confirm', 'yes'],
  ['aywa', 'confirm', 'Egyptian yes'],
  ['eyh', 'confirm', 'Levantine yes'],
  ['na3am', 'confirm', 'yes with the 3 for ain'],
  ['la', 'cancel', 'no'],
  ['laaa', 'cancel', 'no with repeated letters'],
  ['la2', 'cancel', 'no with the 2 for hamza'],
  ['mabghitch', 'cancel', 'Darija: I do not want'],
  ['mesh 3ayez', 'cancel', 'Egyptian: I do not want'],
  // Negations, hedges and decisions we leave to a human
  ['ماشي', 'unclear', 'OK in Egypt, "not" in Morocco'],
  ['ماشي دابا', 'unclear', 'Darija: not now'],
  ['not now', 'unclear', 'not now'],
  ['later', 'unclear', 'later'],
  ['plus tard', 'unclear', 'plus tard'],
  ['بعدين', 'unclear', 'later'],
  ['إن شاء الله', 'unclear', 'God willing, a polite non-commitment'],
  ['inshallah', 'unclear', 'God willing in Latin letters'],
  ['خلاص', 'unclear', 'done, or forget it'],
  ["don't cancel", 'unclear', 'a negated cancel'],
  ["I don't want to cancel", 'unclear', 'a negated cancel inside a sentence'],
  ['yes cancel', 'unclear', 'both signals'],
  ['ok no', 'unclear', 'both signals'],
  ['ah no', 'unclear', 'both signals'],
  ['oui la', 'unclear', 'French yes and Arabizi no'],
  // Questions and conversations
  ['Can I change the address?', 'unclear', 'a question'],
  ['yes?', 'unclear', 'a question mark turns yes into a question'],
  ['نعم؟', 'unclear', 'an Arabic question mark'],
  ['can I change the address', 'unclear', 'a question without a question mark'],
  ['yes but change the address', 'unclear', 'yes with a condition'],
  ['متى يوصل الطلب', 'unclear', 'when does it arrive'],
  ['طيب متى يوصل', 'unclear', 'fine, but when does it arrive'],
  ['hello', 'unclear', 'a greeting'],
  ['شكرا', 'unclear', 'thanks alone'],
  ['', 'unclear', 'nothing'],
  ['   ', 'unclear', 'only spaces'],
  ['yes '.repeat(21), 'unclear', 'too many words'],
  ['ok '.repeat(80), 'unclear', 'too long'],
  // Negation: a negated "want" before a verb negates the verb; a negative imperative is never an answer
  ['مش عايز الغي', 'unclear', 'Egyptian: I do not want to cancel'],
  ['ما بدي الغي الطلب', 'unclear', 'Levantine: I do not want to cancel the order'],
  ['لا أريد إلغاء الطلب', 'unclear', 'I do not want the cancellation'],
  ['je ne veux pas annuler', 'unclear', 'I do not want to cancel'],
  ['ما بدي، الغوه', 'cancel', 'a refusal, then "cancel it"'],
  ['لا تلغيه', 'unclear', 'do not cancel it'],
  ['ما تلغيهاش', 'unclear', 'Darija: do not cancel it'],
  ["n'annulez pas", 'unclear', 'do not cancel'],
  ['لا ترسلوه', 'unclear', 'do not send it'],
  ['ماشي أكيد', 'unclear', 'Darija: not sure'],
  ['machi akid', 'unclear', 'Darija: not sure, in Latin letters'],
  ['ماشي ابعته', 'confirm', 'Egyptian: OK, send it'],
  ['مش موافق', 'cancel', 'I do not agree'],
  // Words whose meaning depends on their neighbours
  ['ماكو', 'cancel', 'Iraqi: there is none'],
  ['ماكو مشكلة', 'confirm', 'Iraqi: no problem'],
  ['خلاص لا', 'cancel', 'a refusal with a word of finality'],
  ['لا نهائيا', 'cancel', 'no, definitely'],
  ['safi', 'confirm', 'Darija: that is settled'],
  ['la safi', 'cancel', '"safi" beside a refusal only strengthens it'],
  ['نعم إن شاء الله', 'unclear', 'a hedge next to yes'],
  ['تمام ولا لا', 'unclear', 'OK or not: both answers'],
  ['ماأكد', 'unclear', '"did not confirm" typed without a space (also how Gulf "مأكد" looks without hamza)'],
  ['eh bien', 'unclear', 'French hesitation, not Levantine "eh"'],
  // Forms of address, names and joined "and"
  ['نعم يا محمد', 'confirm', 'a name after a vocative'],
  ['لا يا ابو علي', 'cancel', 'a kunya after a vocative'],
  ['ok ya 7aj', 'confirm', 'a form of address in Arabizi'],
  ['oui chef', 'confirm', 'French form of address'],
  ['ok ya but', 'unclear', 'a contrast word is never taken for a name'],
  ['واخا خويا', 'confirm', 'Darija: OK, brother'],
  ['لا ما ابي ولا ترسلون لي', 'cancel', 'a refusal with an opt-out joined by "و"'],
  // Send-it verbs and Maghrebi yes-words
  ['دزوها', 'confirm', 'Iraqi: send it'],
  ['صيفطوها', 'confirm', 'Darija: send it'],
  ['ابعثوها', 'confirm', 'Algerian/Tunisian: send it'],
  ['ey behi', 'confirm', 'Tunisian: yes, fine'],
  ['wah sa7a', 'confirm', 'Algerian: yes, OK'],
  ['le ma n7ebech', 'cancel', 'Tunisian: no, I do not want'],
  ['لا ما أريد', 'cancel', 'Iraqi: no, I do not want'],
  // Order references are neutral
  ['confirm order #1001', 'confirm', 'confirm with a platform number'],
  ['Confirm order #AK7F3K2Q', 'confirm', 'the English prefilled text'],
  ['تأكيد الطلب #AK7F3K2Q', 'confirm', 'the Arabic prefilled text'],
  ['Confirmer la commande #AK7F3K2Q', 'confirm', 'the French prefilled text'],
  ['cancel order AK7F3K2Q', 'cancel', 'cancel with an Akked code'],
  ['1001', 'unclear', 'a number alone says nothing'],
];

describe('parseReplyIntent', () => {
  it('has a large table of cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
  });

  it.each(CASES)('reads %j as %s (%s)', (text, intent) => {
    expect(parseReplyIntent(text)).toBe(intent);
  });
});

describe('readReply', () => {
  it('names the words that decided a reply', () => {
    expect(readReply('نعم يا حبيبي ابعتوها 🙏')).toEqual({ intent: 'confirm', topic: null, matched: ['نعم', 'ابعتوها'], cues: [], unknown: [], reason: null });
  });

  it('gives an undecided reply its topic, its cues and the words it did not know', () => {
    expect(readReply('نعم بس غيروا العنوان')).toEqual({
      intent: 'unclear',
      topic: 'change_address',
      matched: ['نعم'],
      cues: ['العنوان'],
      unknown: ['بس', 'غيروا'],
      reason: 'unknown_words',
    });
    expect(readReply('yes but deliver tomorrow')).toMatchObject({ intent: 'unclear', topic: 'change_date', cues: ['tomorrow'] });
    expect(readReply('when will it arrive?')).toMatchObject({ intent: 'unclear', topic: 'question', reason: 'question' });
    expect(readReply('ok?')).toMatchObject({ intent: 'unclear', topic: 'question', reason: 'question' });
    expect(readReply('inshallah')).toMatchObject({ intent: 'unclear', topic: 'other', reason: 'hedge', cues: ['inshallah'] });
    expect(readReply('yes no')).toMatchObject({ intent: 'unclear', topic: 'other', reason: 'contradiction', matched: ['yes', 'no'] });
    expect(readReply('مش عايز الغي')).toMatchObject({ intent: 'unclear', reason: 'negation' });
    expect(readReply('مرحبا')).toMatchObject({ intent: 'unclear', topic: 'other', reason: 'no_answer' });
  });

  it.each(['STOP', 'stop svp', 'توقف', 'وقف الرسائل', 'ما تبعتليش', 'arrête', 'désabonner', 'unsubscribe', 'إلغاء الاشتراك'])(
    'reads %j as a request to stop messaging, not as a decision',
    (text) => {
      expect(readReply(text)).toMatchObject({ intent: 'unclear', topic: 'opt_out', reason: 'opt_out' });
    },
  );

  it('decides a refusal that also opts out, with the topic opt_out', () => {
    expect(readReply('la ma bghitch w stop')).toEqual({ intent: 'cancel', topic: 'opt_out', matched: ['la', 'ma bghitch'], cues: ['stop'], unknown: [], reason: null });
    expect(readReply('yes stop')).toMatchObject({ intent: 'unclear', topic: 'opt_out', reason: 'contradiction' });
  });

  it('leaves a message without text to a person', () => {
    expect(readReply({ nonText: 'voice' })).toEqual({ intent: 'unclear', topic: 'other', matched: [], cues: [], unknown: [], reason: 'non_text' });
    expect(readReply({ text: 'oui' })).toMatchObject({ intent: 'confirm' });
  });

  it('reads French "si" as yes only when the question was asked in French', () => {
    expect(readReply('si', { language: 'fr' })).toMatchObject({ intent: 'confirm', matched: ['si'] });
    expect(readReply('si')).toMatchObject({ intent: 'unclear', reason: 'unknown_words' });
    expect(readReply('si', { language: 'en' })).toMatchObject({ intent: 'unclear' });
  });
});

/** Replies a careful agent would not decide: conditions, contrasts, hedges, negations, contradictions. */
const NEVER_DECIDED = [
  'نعم بس مش دلوقتي', 'la wakha', 'wakha ila', 'ok but', 'oui mais non', 'ok if you deliver today', 'تمام لو وصل بكرة',
  'اذا وصل اليوم تمام', 'نعم اذا', 'no problem but later', 'لا تمام', 'مش عايز اكد', 'ما بغيتش نأكد', "I don't want to confirm",
  'ne pas confirmer', "pas d'accord", 'not ok', 'اه لا', 'مش تمام', 'mashi tamam', 'mch behi', 'موش باهي', 'la2 ab3atoh',
  'cancel? no', 'no, confirm', '2 ✅', '❌👍', 'ماشي مشكل بس بدلو العنوان', "d'accord mais pas maintenant", 'ok later',
  'yes, next week', 'ايوه بكره', 'نعم ولكن', 'oui je confirme pas', 'not yet', 'yes not now', 'confirm tomorrow',
  'Annulation confirmée', 'yes please cancel', 'ما اكدت', 'مش اكيد', 'mesh akid', 'الشحن غالي', 'ما طلبت غير واحد',
  'لم أطلب هذا اللون', 'ok ya but', 'ok ya maybe', 'wakha walakin', 'ey ama', 'oh no', 'ok ila', 'نعم بشرط', 'ماشي',
  'la ok', 'oui si', 'ok si', 'no yes', '1 لا', 'eh bien', 'ah bon', 'mouch tawa', 'نعم stop', 'yalla no ok',
];

describe('readReply never decides', () => {
  it.each(NEVER_DECIDED)('%j', (text) => {
    expect(readReply(text).intent).toBe('unclear');
  });
});

describe('normalizeReplyText', () => {
  it('unifies Arabic letter forms and strips diacritics and tatweel', () => {
    expect(normalizeReplyText('أُكِّدَتْ إلـغـاء آه مؤمنة ى لاء')).toBe('اكدت الغا اه مومنه ي لا');
  });

  it('collapses repeated letters but keeps repeated digits', () => {
    expect(normalizeReplyText('Yesss 1001 نعمم')).toBe('yes 1001 نعم');
  });

  it('separates emoji from words and removes skin tones', () => {
    expect(normalizeReplyText('ok👍🏽!')).toBe('ok 👍');
  });
});

describe('extractOrderCode', () => {
  it.each([
    ['Confirm order #AK7F3K2Q', 'AK7F3K2Q'],
    ['AK7F3K2Q', 'AK7F3K2Q'],
    ['ak-7f3k2', 'AK7F3K2'],
    ['AK-7F3K2', 'AK7F3K2'],
    ['confirm order #1001', '1001'],
    ['تأكيد الطلب 1001', '1001'],
    ['تأكيد الطلب #١٠٠١', '1001'],
    ['الطلب رقم 1001 من فضلك', '1001'],
    ['commande n° 1001', '1001'],
    ['order ORD-77', 'ORD-77'],
    ['#ab-12', 'AB-12'],
    ['1001', '1001'],
  ])('finds the code in %j', (text, code) => {
    expect(extractOrderCode(text)).toBe(code);
  });

  it.each(['yes', '1', '12', 'la2', 'wakha', 'akhbaar', 'Thanks for the order', 'order please'])('finds no code in %j', (text) => {
    expect(extractOrderCode(text)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { extractOrderCode, normalizeReplyText, parseReplyIntent, type ReplyIntent } from './reply-intent.ts';

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
  ['I don’t want it anymore', 'unclear', 'an extra word we do not know'],
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
  ['مأكد', 'confirm', 'confirmed (Gulf)'],
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
  ['yes '.repeat(20), 'unclear', 'too many words'],
  ['ok '.repeat(80), 'unclear', 'too long'],
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

describe('normalizeReplyText', () => {
  it('unifies Arabic letter forms and strips diacritics and tatweel', () => {
    expect(normalizeReplyText('أُكِّدَتْ إلـغـاء آه مؤمنة ى')).toBe('اكدت الغاء اه مومنه ي');
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

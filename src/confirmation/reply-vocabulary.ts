/**
 * The words Akked knows in customers' replies, by what they mean (reply-intent.ts reads them).
 *
 * Every phrase goes through the same normalization as a reply (reply-text.ts): letter forms,
 * accents, repeated letters and Arabizi digits do not need their own entries, but real spelling
 * variants do. A phrase is matched word by word, longest first, so "no problem" wins over "no",
 * "ماكو مشكلة" over "ماكو" and "إلغاء الاشتراك" (unsubscribe) over "إلغاء" (cancel).
 *
 * Rules for adding a word (a reviewer checks them):
 * - A confirm or cancel phrase must keep its meaning wherever it stands. Verbs are listed in forms
 *   that cannot be negated by a word before them: imperatives ("ابعتوه", "الغيه"), never the
 *   second-person forms a negation uses ("لا تلغيه", "ما تبعتوش" stay unknown, hence unclear).
 * - A negated "want" ("ما بدي", "مش عايز", "je ne veux pas", "I don't want") goes in
 *   NEGATED_WANT_PHRASES: followed directly by a verb it negates that verb ("ما بدي الغي" is "I
 *   don't want to cancel"), and the reader then decides nothing.
 * - Filler words change nothing (greetings, thanks, forms of address, "the order"). Never make a
 *   filler of a negation ("not", "pas", "مش", "ما", "ماشي"), a condition or contrast ("but", "if",
 *   "بس", "mais", "ama", "walakin"), or a time or place word: those must leave a reply undecided.
 */

export const CONFIRM_PHRASES = [
  // Digits and emoji. A keycap "1️⃣" normalizes to "1"; skin tones are removed before matching.
  '1', '✅', '✔', '☑', '👍', '👌', '🆗', '💯', '🤝',
  // English
  'yes', 'yeah', 'yea', 'yep', 'yup', 'ye', 'aye', 'ay', 'ok', 'okay', 'okey', 'okie', 'oki', 'k', 'sure', 'sure thing',
  'of course', 'ofc', 'confirm', 'confirmed', 'confirming', 'i confirm', 'confirm it', 'please confirm',
  'go ahead', 'go on', 'proceed', 'alright', 'all right', 'all good', 'fine', 'correct', 'right', 'thats right',
  'exactly', 'absolutely', 'definitely', 'certainly', 'indeed', 'sounds good', 'agreed', 'i agree', 'agree',
  'accept', 'i accept', 'approved', 'perfect', 'great', 'deal', 'done', 'i want it', 'i still want it',
  'i need it', 'no problem', 'no worries', 'send it', 'send', 'send it to me', 'send it over', 'ship it',
  'ship', 'deliver it', 'deliver', 'bring it',
  // French ("confirmée" and "d'accord" normalize to the same words as "confirme" and "daccord").
  'oui', 'ouais', 'ouai', 'wi', 'je confirme', 'jconfirme', 'j confirme', 'confirme', 'confirmer', 'confirmez',
  'je valide', 'valide', 'valider', 'validez', "c'est bon", 'c bon', 'cbon', "c'est ok", 'c ok', "c'est parfait",
  "c'est ça", "c'est bon pour moi", "c'est ok pour moi", 'ok pour moi', "d'accord", 'd accord', 'dac', 'dak',
  "d'acc", 'bien sûr', 'évidemment', 'parfait', 'nickel', 'ça marche', 'ça me va', 'très bien', 'exact',
  'exactement', 'tout à fait', 'volontiers', 'avec plaisir', 'pas de problème', 'pas de pb', 'pas de souci',
  'pas de soucis', 'aucun problème', 'aucun souci', 'sans problème', 'je la veux', 'je le veux', 'je veux bien',
  'je la prends', 'je le prends', 'je prends', 'envoyez', 'envoyer', 'envoie', 'envoyez la', 'envoyez le',
  'envoyez moi', 'envoie la', 'envoie le', 'vous pouvez envoyer', "vous pouvez l'envoyer", 'expédiez',
  'expédier', 'vous pouvez expédier', 'livrez', 'livrez moi', 'livrez la', 'vous pouvez livrer',
  // Arabic yes-words: standard, Gulf, Iraqi, Egyptian, Levantine, Maghrebi (letter forms are unified).
  'نعم', 'اي', 'ايه', 'ايوه', 'ايوا', 'اه', 'واه', 'اي نعم', 'ايه نعم', 'يب', 'يس', 'اوكي', 'اوك', 'اوكيه',
  'أكيد', 'بالتأكيد', 'طبعا', 'تمام', 'تمام التمام', 'حسنا', 'موافق', 'موافقه', 'أوافق', 'وافقت', 'صح',
  'صحيح', 'مظبوط', 'مضبوط', 'حاضر', 'طيب', 'زين', 'عادي', 'ممتاز', 'منيح', 'مليح', 'مزيان', 'باهي',
  'مريقل', 'مريڨل', 'واخا', 'وخا', 'صحه', 'صار', 'أبشر', 'ابشر بعزك', 'تدلل', 'على راسي', 'من عيوني',
  'ولا يهمك', 'على بركة الله', 'على خيرة الله', 'توكلنا على الله', 'ماشي الحال',
  // "I want it": a want word with the object attached.
  'أريده', 'أريدها', 'ابيه', 'ابيها', 'أبغاه', 'ابغاها', 'عايزه', 'عايزاه', 'عايزها', 'عاوزه', 'عاوزها', 'بغيتو',
  'بغيته', 'بغيتها', 'بغيتهم', 'نحبها', 'نحبو', 'نحبه', 'حابه', 'areeda', 'areedo', 'ariduh', 'abeeh', 'abih',
  'abiha', 'abghah', 'abghaha', '3ayzo', '3ayzah', '3ayzha', '3awzo', 'bghitha', 'bghito', 'bghitou', 'n7ebha',
  'n7abha', 'n7ebo', 'n7abo', 'nhebha', 'baddi yeh', 'baddi yeha', 'bade yeh',
  // "Confirm" verbs and participles. Not Gulf "مأكد": without its hamza it is "ماكد", which is also
  // "ما أكد" ("did not confirm") typed without a space.
  'أكد', 'أكدوا', 'أكدوه', 'أكده', 'أكدها', 'أكدوها', 'أؤكد', 'اأكد', 'نأكد', 'نأكدو', 'متأكد',
  'مؤكد', 'أكدت', 'تأكيد', 'تم', 'تم التأكيد', 'نكونفيرمي', 'كونفيرمي',
  // "Send it", "bring it", "deliver it": imperatives only (see the rules above).
  'ابعت', 'ابعته', 'ابعتها', 'ابعتوه', 'ابعتوها', 'ابعتوا', 'ابعتلي', 'ابعتولي', 'ابعتيه', 'ابعتيها', 'بعتوه',
  'بعتوها', 'ابعتولي ياه', 'ارسل', 'ارسله', 'ارسلها', 'ارسلوه', 'ارسلوها', 'ارسلوا', 'ارسلولي', 'أرسلوه لي',
  'ارسلوا لي', 'يرجى الارسال', 'ارجو الارسال', 'أرجو إرسال', 'يرجى إرسال', 'يرجى الشحن', 'أرجو الشحن',
  'أوافق على', 'موافق على', 'موافقه على', 'أرجو التأكيد', 'دز', 'دزه', 'دزها', 'دزوه', 'دزوها', 'دزوا', 'دزولي',
  'ابعث', 'ابعثه', 'ابعثها', 'ابعثوه', 'ابعثوها', 'ابعثوا', 'ابعثولي', 'ابعثهالي', 'صيفط', 'صيفطه', 'صيفطها',
  'صيفطوه', 'صيفطوها', 'صيفطو', 'صيفطوا', 'صيفطو ليا', 'صيفطها ليا', 'صيفطوها ليا', 'سيفطوها', 'جيبها',
  'جيبه', 'جيبوها', 'جيبوه', 'جيبو', 'جيبولي', 'جيبوهالي', 'هاته', 'هاتها', 'هاتوه', 'هاتوها', 'وصلها',
  'وصله', 'وصلوها', 'وصلوه', 'وصلولي', 'اشحنه', 'اشحنها', 'اشحنوه', 'اشحنوها', 'ماشي ابعته', 'ماشي ابعتوه',
  'ماشي ابعتها', 'ماشي ابعتوها',
  // "No problem", "no objection".
  'لا مشكلة', 'لا مانع', 'لا مانع لدي', 'لا بأس', 'ما في مشكلة', 'مافي مشكلة', 'ما في مشكل', 'مفيش مشكلة',
  'مفيش مشكله', 'ماكو مشكلة', 'ماكو مانع', 'ماكو مشكل', 'ماكاين مشكل', 'ما كاين مشكل', 'ماشي مشكل',
  'ماكاش مشكل', 'موش مشكل', 'مش مشكل', 'ما عندي مانع', 'ابد ما عندي مانع', 'ما عندي مشكلة',
  // Arabizi yes-words and verbs (digits and "sh/ch", "ou/u" spellings meet in reply-text.ts).
  'ah', 'eh', 'ee', 'ey', 'eyy', 'iy', 'ih', 'eyh', 'eih', 'eyeh', 'iyeh', 'iyyeh', 'aywa', 'aiwa', 'aywah',
  'ayoua', 'na3am', 'naam', 'wakha', 'waxa', 'wkha', 'ouakha', 'wah', 'akid', 'akeed', 'akked', 'akkid',
  'tamam', 'tmam', 'tamem', 'tm', 'mwafe2', 'mowafek', 'mwafe9', 'mwafeq', '7ader', 'tayeb', 'tayb', 'tayyeb',
  'zain', 'zein', 'zen', 'mni7', 'mli7', 'mlih', 'mzyan', 'mezyan', 'mzian', 'behi', 'bhi', 'mrigl', 'mrigel',
  'mriguel', 'sa7a', 'saha', 'sar', 'abshir', 'abchir', 'tab3an', 'nconfirmi', 'confirmi', 'confirmit',
  'machi mochkil', 'machi mouchkil', 'makach mochkil', 'mouch mochkla', 'mako mochkila', 'ma fi mochkle',
  'ab3at', 'ab3ato', 'ab3atoh', 'ab3atouh', 'ab3atha', 'ab3athha', 'ab3atouha', 'ab3athouha', 'ab3thouha',
  'ab3tha', 'ab3th', 'ab3athom', 'b3atha', 'b3atoh', 'arsloh', 'arsilo', 'arseloh', 'arsilha', 'arsiloh',
  'dezha', 'dizha', 'dizoh', 'dezoh', 'dizoha', 'dizouh', 'sifetha', 'siftha', 'sifetouha', 'siftoha',
  'siftouha', 'dizoha', 'sifto', 'sifto liya', 'sift liya', 'sifthom', 'sifetli', 'jibha', 'jibouha', 'jiboha', 'jibo',
  'jiboh', 'wasalha', 'wasloha', 'waslouha', 'wasloh',
];

/** Replies that decide only alone or beside fillers: with another answer they are neutral ("la safi"). */
export const WEAK_CONFIRM_PHRASES = ['صافي', 'safi', 'يلا', 'yalla', 'yallah'];

export const CANCEL_PHRASES = [
  '2', '❌', '✖', '👎', '🚫', '⛔', '❎', '🙅',
  // English
  'no', 'nope', 'nah', 'cancel', 'cancelled', 'canceled', 'cancel it',
  'please cancel', 'i cancel', 'not interested', "i'm not interested", 'i am not interested', 'changed my mind',
  'i changed my mind', 'reject', 'decline', 'refuse', 'i refuse', 'never', 'no never', 'definitely not', 'no way',
  "i didn't order", 'i did not order', "didn't order", "i didn't order this", "i didn't order anything",
  'wrong number', 'not mine',
  // French ("j'annule" and "annulé" normalize to the same words as "jannule" and "annule").
  'non', 'annuler', 'annulez', 'annule', "j'annule", 'annulation', 'pas intéressé', 'plus intéressé',
  'je ne suis pas intéressé', 'je ne suis plus intéressé', 'je suis pas intéressé', 'je refuse', 'refuse',
  "j'ai changé d'avis", "changé d'avis", 'laissez tomber', 'laisse tomber', 'pas besoin', 'plus besoin',
  'je ne confirme pas', 'je confirme pas', "non c'est bon", 'non c bon', 'non ça va', 'jamais', 'pas du tout',
  // Arabic
  'لا', 'لالا', 'لالالا', 'نو', 'أرجو إلغاء', 'يرجى إلغاء', 'أرجو الإلغاء', 'يرجى الإلغاء', 'مش موافق', 'مو موافق', 'غير موافق', 'إلغاء', 'ألغي', 'ألغيه',
  'ألغيها', 'الغوه', 'ألغوا', 'ألغوها', 'الغ', 'الغه', 'ملغي', 'ملغى', 'كنسل', 'كانسل', 'كنسله', 'كنسلها',
  'كنسلو', 'كنسلوه', 'كنسلوا', 'لغي', 'لغيه', 'لغيها', 'لغيوها', 'لغيوه', 'انولي', 'رافض', 'أرفض',
  'غيرت رأيي', 'بطلت', 'بلاش', 'فكك', 'ماكو', 'ماكو داعي', 'ماكو حاجة', 'مش محتاج', 'مش محتاجه', 'مو محتاج',
  'ما محتاجش', 'ما احتاجه', 'ما احتاج', 'ما نسحقهاش', 'ما نسحقش', 'ما طلبت', 'ما طلبت شي',
  'مطلبتش', 'ما طلبتش', 'لم أطلب', 'لم أطلب شيئا', 'نهائيا لا',
  // Arabizi
  'la', 'la2', 'lla', 'le', 'lala', 'lalala', 'mako',
  'mako 7aja', 'mako da3i', 'elghi', 'ilghi', 'alghi', 'elghih', 'elghiha', 'lghiha', 'lghih', 'kansel', 'ilgha2',
  'annuli', 'blech', 'blesh', 'fakes', 'fakkes', 'ma nes7a9hach', 'ma nes7a9ch',
];

/**
 * "I don't want (it)" in every dialect. A refusal on its own; followed directly by a verb it
 * negates the verb ("ما بدي الغي" = "I don't want to cancel"), so the reader decides nothing then.
 */
export const NEGATED_WANT_PHRASES = [
  "don't want", "don't want it", "i don't want", "i don't want it", 'do not want', 'i do not want',
  'i do not want it', "i don't need it", "don't need it", "i don't need", 'je ne veux pas', 'je veux pas',
  'je ne veux plus', 'je veux plus', 'je ne la veux pas', 'je ne la veux plus', 'je ne le veux pas',
  'je ne le veux plus', "j'en veux plus", "je n'en veux plus", "je n'en veux pas",
  'لم أعد أرغب', 'لم أعد أرغب في', 'لم أعد أريد', 'لم أعد أريده', 'لا أريد', 'لا أريده', 'لا أريدها', 'لا ابغى', 'لا ابغاه', 'لا ابي', 'لا ابيه', 'لا أرغب', 'لا ارغب في',
  'ما ابي', 'مابي', 'ما ابيه', 'ما ابيها', 'ما ابغى', 'ماابغى', 'ما ابغاه', 'ما ابغاها', 'ما ابي شي',
  'ما ابغى شي', 'ما أريد', 'ما أريده', 'ما أريدها', 'ماريد', 'ماريده', 'ما بدي', 'مابدي', 'ما بدي ياه',
  'ما بدي اياه', 'ما بدي ياها', 'ما عاد بدي', 'ما عدت بدي', 'مش عايز', 'مش عايزه', 'مش عاوز', 'مش عاوزه',
  'مش عايزاه', 'مش عايز حاجة', 'مش حابب', 'مو حابب', 'ما حاب', 'ما بغيتش', 'مابغيتش', 'ما بغيتهاش',
  'مابغيتهاش', 'ما بغيتوش', 'مابغيتوش', 'ما بقيتش باغي', 'مابقيتش باغي', 'ما بقيتش باغيها', 'ماباغيش',
  'ما باغيش', 'ما نحبش', 'مانحبش', 'ما نحبهاش', 'ما نحبوش', 'ما عادش نحبها', 'ما عادش نحب', 'ما حبيتش',
  'mabghitch', 'ma bghitch', 'mabaghich', 'ma baghich', 'mesh 3ayez', 'msh 3ayez', 'mish 3ayez', 'mosh 3ayez',
  'msh 3ayz', 'mesh 3ayza', 'msh 3ayza', 'mosh 3ayzo', 'msh 3ayzo', 'mabdi', 'ma baddi', 'ma bdi', 'ma bde',
  'mabadde', 'ma badde', 'ma abi', 'mabi', 'ma abgha', 'ma areed', 'ma arid', 'ma n7ebch', 'ma n7ebech',
  'manhebech', 'manhebch', 'manhabch', 'manhabech', 'ma n7abch', 'ma n7abhach', 'ma n7ebhach', 'ma n7ebhech',
  'ma3adech n7ebha', 'ma3adech n7eb',
];

/**
 * "Stop messaging me" (DESIGN.md §7.3). STOP, ARRET and UNSUBSCRIBE follow the SMS opt-out
 * keywords (see the corpus sources); CANCEL, which SMS services also read as an opt-out, is an
 * order word here. A refusal with an opt-out is decided as a refusal with the topic opt_out.
 */
export const OPT_OUT_PHRASES = [
  'stop', 'stop svp', 'stop please', 'stop messages', 'stop les messages', 'stop messaging', 'stop messaging me',
  'stop sending', 'stop sending me messages', 'stop texting', 'unsubscribe', 'opt out', 'optout', 'remove me',
  "don't message me", "don't text me", "don't text me again", 'do not contact me', "don't contact me",
  'no more messages', 'arrêt', 'arrête', 'arrêtez', 'arrêtez les messages', "arrêtez de m'envoyer",
  'désabonner', 'désabonnez moi', 'désinscrire', "ne m'envoyez plus", 'ne plus recevoir', 'plus de messages',
  'توقف', 'توقفوا', 'وقف', 'وقفوا', 'وقف الرسائل', 'وقفوا الرسائل', 'أوقف الرسائل', 'أوقفوا الرسائل',
  'ايقاف الرسائل', 'إلغاء الاشتراك', 'الغاء الاشتراك', 'لا ترسلوا', 'لا ترسل', 'لا ترسلون', 'لا ترسلولي',
  'لا تراسلني', 'لا تراسلوني', 'ما ترسلون', 'ما عاد ترسلون', 'لا تبعتولي', 'لا تبعتلي', 'ما تبعتليش',
  'ماتبعتليش', 'متبعتليش', 'ما تبعتوليش', 'متبعتوليش', 'ما تبعتولي', 'ما تبعثوليش', 'ما تبعثليش',
  'ماتبعثوليش', 'متبعتليش تاني', 'بطلوا تبعتولي', 'بطلوا ترسلون', 'بطلوا ترسلوا', 'بطل ترسل', 'ما تبقاوش تصيفطو',
  'ما تبقاش تصيفط', 'بلا ما تصيفطو', 'لا تدزولي', 'لا تتصلون', 'يزي م الميساجات', 'يزي من الميساجات',
  'توقفوا عن مراسلتي', 'matb9awch tsifto', 'ma tb9awch tsifto', 'baraka mel messages', 'baraka men les messages',
  'matab3thouli', 'ma tab3thouli', 'matab3atlich', 'ma teb3atlich',
];

/** Hedges: the customer has not decided ("maybe", "later", "God willing"). */
export const HEDGE_PHRASES = [
  'maybe', 'not now', 'later', 'later on', 'wait', 'let me think', "i'll think", "i'll see", 'not sure',
  "i don't know", 'idk', 'dunno', 'peut être', 'pas maintenant', 'plus tard', 'attendez', 'attends',
  'je sais pas', 'je ne sais pas', 'chai pas', 'je vais voir', 'je vais réfléchir', 'je réfléchis', 'pas sûr',
  'pas encore', 'on verra', 'eh bien', 'ah bon',
  // "ماشي" is "OK" in Egypt and the Levant but "not" in the Maghreb; we cannot tell the dialect.
  'ماشي', 'machi', 'mashi', 'mechi', 'ماشي دابا', 'machi daba', 'mechi tawa', 'موش توا',
  'إن شاء الله', 'انشالله', 'ان شاء الله', 'انشاء الله', 'إن شاء الله خير', 'inshallah', 'inchallah',
  'nchallah', 'insha allah', 'inshaallah', 'inchalah', 'بإذن الله', 'بعدين', 'بعد شوي', 'مش دلوقتي',
  'مش الحين', 'مو الحين', 'مش هلق', 'مش هلأ', 'مو هسه', 'استنى', 'انتظر', 'لحظة', 'ربما', 'يمكن', 'ممكن',
  'بفكر', 'بشوف', 'نشوف', 'هشوف', 'سأفكر', 'خلني افكر', 'خليني افكر', 'خلي افكر', 'مدري', 'ما ادري',
  'مش عارف', 'ما نعرفش', 'ما عارفش', 'مازال', 'مزال', 'لسه', 'لسا', 'من بعد', 'mba3d', 'mba3ed', 'men ba3d',
  'mazal', 'taw nchouf', 'nchouf', 'nchof', 'ba3dein', 'ba3den', 'lessa', 'mish 3aref', 'mdri',
];

/**
 * Words around an answer that change nothing: greetings, thanks, blessings, forms of address and
 * terms of endearment, "the order", intensifiers ("خلاص لا" is still "no").
 */
export const FILLER_PHRASES = [
  '🙏', '❤', '🌹', '💐', '😊', '🙂', '☺', '😀', '😃', '😄', '😁', '🥰', '😍', '🤗', '💕', '💖', '💗', '💙', '💚',
  '💛', '🧡', '💜', '🤍', '😘', '🌸', '🌺', '🌷', '🤲', '✨', '😇', '🙌', '👋',
  // English
  'please', 'pls', 'plz', 'plse', 'thanks', 'thank you', 'thank u', 'thx', 'ty', 'tnx', 'thanx', 'thanks a lot',
  'many thanks', 'thank you so much', 'order', 'my order', 'the order', 'this order', 'it', 'i', 'hi', 'hello',
  'hey', 'good morning', 'good evening', 'sir', 'madam', 'dear', 'bro', 'brother', 'sis', 'sister', 'boss',
  'my friend', 'friend', 'i want to', 'i would like to', 'want to', 'for', 'and', 'anymore', 'any more', 'still',
  // French
  'merci', 'merci beaucoup', 'merci bcp', 'mrc', 'svp', 'stp', "s'il vous plaît", "s'il te plaît",
  's il vous plait', 'bonjour', 'bonsoir', 'bjr', 'bsr', 'salut', 'slt', 'cc', 'coucou', 'la commande',
  'ma commande', 'commande', 'cette commande', 'le colis', 'colis', 'le produit', 'je', 'moi', 'monsieur',
  'madame', 'mademoiselle', 'chef', 'frère', 'mon frère', 'ma soeur', 'mon ami', 'ami', 'et', 'je veux',
  'je voudrais', 'bien', 'définitivement', 'vraiment',
  // Arabic
  'شكرا', 'شكرا لك', 'شكرا لكم', 'شكرا جزيلا', 'شكرا بزاف', 'مشكور', 'مشكوره', 'مشكورين', 'ممنون',
  'يعطيك العافية', 'الله يعطيك العافية', 'يعطيكم العافية', 'الله يعطيكم العافية', 'يسلمو', 'تسلم', 'تسلمي',
  'الله يسلمك', 'جزاك الله خير', 'جزاكم الله خير', 'جزاك الله خيرا', 'بارك الله فيك', 'بارك الله فيكم',
  'الله يبارك فيك', 'الله يخليك', 'الله يخليكم', 'الله يعافيك', 'الله يعافيكم', 'الله يحفظك', 'الله يسعدك',
  'عافاك', 'عفاك', 'من فضلك', 'لو سمحت', 'لو سمحتي', 'لو سمحتو', 'لو سمحتم', 'اذا سمحت', 'بليز', 'ياريت',
  'يا ريت', 'من فضلكم', 'ذلك', 'أعتذر', 'آسف', 'آسفه', 'معليش', 'معلش', 'سامحني', 'سمحلي', 'عيشك', 'يعيشك', 'يعطيك الصحة', 'السلام عليكم', 'سلام عليكم', 'وعليكم السلام', 'سلام',
  'مرحبا', 'اهلا', 'اهلين', 'هلا', 'هلو', 'هلا والله', 'هلا بك', 'حياك الله', 'حياك', 'صباح الخير',
  'مساء الخير', 'صباح النور', 'مساء النور', 'عسلامة', 'الحمد لله', 'ما شاء الله', 'طال عمرك',
  'الطلب', 'طلبي', 'الطلبيه', 'طلبيتي', 'الاوردر', 'اوردر', 'الكوموند', 'الكومند', 'لكوموند', 'الكولي',
  'الطرد', 'الشحنه', 'المنتج', 'الحاجه', 'أنا', 'رقم', 'لي', 'ليا', 'و',
  'أخي', 'اخوي', 'اخويا', 'خويا', 'خوي', 'ياخي', 'أختي', 'اختي', 'حبيبي', 'حبيبتي', 'حبي', 'يا', 'الغالي', 'عيني', 'عيوني', 'عمي', 'عمو', 'خالي', 'خالتي', 'حجي', 'حجيه', 'باشا', 'فندم', 'يا فندم', 'معلم',
  'ريس', 'قلبي', 'ست الكل', 'الشريف', 'الحبيب', 'صاحبي', 'خيي', 'خيو',
  // "Now" is when the order goes anyway; "not now" and its kin are hedges (matched first).
  'now', 'right now', 'maintenant', 'tout de suite', 'daba', 'tawa', 'دابا', 'توا', 'دلوقتي', 'الحين', 'هسه', 'هلق', 'الآن',
  'خلاص', 'خلص', 'نهائيا', 'نهائي', 'ابدا', 'والله', 'والنبي', 'بجد', 'بزاف', 'برشا', 'كتير', 'جدا', 'كده', 'كدا',
  'مره ثانيه', 'مره تانيه', 'تاني', 'ثاني', 'حاجه', 'شي', 'صحيت', 'ça va', 'cv',
  // Arabizi
  'shukran', 'shokran', 'chokran', 'choukran', 'shukran jazilan', 'merci bzaf', 'merci ktir', 'yeslamo',
  '3aychek', 'y3aychek', 'ya3tik sa7a', 'yaatik saha', 'ya3tik saha', '3afak', 'afak', 'salam', 'slm',
  'salam alaykom', 'salamo alaykom', 'salam 3alikom', 'assalamu alaikum', 'aslema', 'asslema', 'ahlan',
  'marhaba', 'mar7aba', 'hala', 'hamdoulah', 'hamdullah', 'alhamdulillah', 'habibi', '7abibi', 'habibti',
  '7abibti', '7ubi', 'khoya', 'khouya', 'khoui', 'akhi', 'akhoy', 'okhti', 'ukhti', 'khti', 'sahbi', 'sa7bi',
  'khayye', '3ayni', '3yooni', '3youni', '3ammi', '3ammo', 'khali', '7ajji', 'basha', 'fandem', 'm3alem',
  'm3allem', 'ya', 'a khoya', 'a sahbi', 'a sidi', 'a khti', 'el order', 'ltalab', 'lcommande',
  'khalas', 'khlas', 'wallah', 'walah', 'wlh', 'bzaf', 'barcha', 'ktir', 'w', 'wa', 'ana', 'liya', 'lia', 'li',
  'sahit', 'sa7it', 'again', 'kda', 'keda', '3eni', '3ini', '3yoni', 'sorry', 'désolé', 'désolée', 'pardon',
  'smahli', 'ma3lich', 'ma3lesh',
];

/** Vocatives: one unknown word right after one is a name ("نعم يا محمد"), two after "يا أبو …". */
export const VOCATIVE_WORDS = ['يا', 'ya'];
/** Never a name after a vocative: contrast, condition, negation and restriction words. */
export const NOT_NAME_WORDS = [
  'but', 'if', 'not', 'only', 'except', 'until', 'without', 'mais', 'si', 'pas', 'sauf', 'sans', 'jusqu', 'بس', 'لكن',
  'ولكن', 'اذا', 'لو', 'مش', 'ما', 'مو', 'موش', 'مب', 'غير', 'بلا', 'بدون', 'حتى', 'الا', 'bas', 'bass', 'ama', 'amma',
  'walakin', 'lakin', 'ila', 'law', 'kan', 'mesh', 'mich', 'mouch', 'mo', 'ghir', 'bla', 'hatta', 'illa',
];
export const KUNYA_WORDS = ['ابو', 'بو', 'ام', 'abu', 'abou', 'bou', 'om', 'oum', 'umm'];

/** Words that make a reply a question (with any "?" or "؟"). */
export const QUESTION_CUES = [
  'when', 'how', 'what', 'whats', 'where', 'why', 'who', 'which', 'can', 'could', 'quand', 'comment',
  'combien', 'pourquoi', 'quel', 'quelle', 'quoi', 'qui', 'est ce', 'متى', 'امتى', 'امتا', 'ايمتى', 'وقتاش',
  'وقتاه', 'فوقاش', 'شوكت', 'كم', 'بكم', 'بكام', 'بيش', 'قديش', 'قداش', 'شحال', 'بشحال', 'كيف', 'كيفاش',
  'شلون', 'ليش', 'ليه', 'علاش', 'لماذا', 'وين', 'فين', 'منين', 'مين', 'منو', 'شكون', 'شنو', 'شنوه', 'شو',
  'وش', 'ايش', 'اش', 'واش', 'هل', 'ماذا', 'ينفع', 'emta', 'imta', 'imata', 'waqtach', 'waqtech', 'wa9tach',
  'wa9tah', 'fo9ach', '9adech', '9adeh', 'qaddech', 'ch7al', 'chhal', 'b9adach', 'bch7al', 'bkam', 'bikam',
  'kam', 'kifach', 'kifech', 'chno', 'chnou', 'chnowa', 'wach', '3lach', 'fin', 'win', 'chkoun', 'menhou',
  'minu', 'chou', 'on peut', 'je peux', 'peux', 'pouvez', 'puis je', 'is it', 'do you', 'can i',
];

/** Words that make a reply about the delivery address (matched inside words too, see ADDRESS_STEMS). */
export const ADDRESS_CUES = ['موقعي', 'الموقع', 'لوكيشن', 'البيت', 'الدار', 'الشغل', 'الدوام', 'المكتب', 'office', 'bureau', 'home', 'maison', 'domicile'];
export const ADDRESS_STEMS = ['عنوان', 'ادريس', 'adress', 'adres', 'addres', 'localisation', 'location'];

/** Words that make a reply about the delivery day. */
export const DATE_CUES = [
  'tomorrow', 'demain', 'après demain', 'بكره', 'بكرا', 'غدا', 'غدوه', 'غدوا', 'بعد غد', 'باجر', 'عقب باجر',
  'ghodwa', 'ghedwa', 'ghedda', 'ghadwa', 'bukra', 'bokra', 'bachir', 'السبت', 'الاحد', 'الاثنين', 'الاتنين',
  'التلات', 'الثلاثاء', 'الاربعاء', 'الاربع', 'الخميس', 'الجمعه', 'نهار', 'يومين', 'lundi', 'mardi', 'mercredi',
  'jeudi', 'vendredi', 'samedi', 'dimanche', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday',
  'sunday', 'sebt', 'l7ad', 'tnin', 'letnin', 'larb3a', 'lkhmis', 'jem3a', 'اسبوع', 'الاسبوع', 'اسبوعين',
  'السيمانه', 'سيمانه', 'semaine', 'week', 'semana', 'next', 'prochaine', 'prochain', 'الجاي', 'الجايه', 'jaya',
  'الشهر', 'mois', 'month', 'العيد', 'l3id', 'eid', 'date', 'موعد', 'تاريخ', 'absent', 'مسافر', 'مسافره',
  'travelling', 'traveling', 'jusqu', 'after', 'الصبح', 'المسا', 'العصر', 'بالليل', 'matin', 'soir',
  'morning', 'evening', 'tonight', 'الليله',
];

/** Words that only mean yes in one language of the question (`language` of readReply). */
export const LANGUAGE_CONFIRM_PHRASES: Record<'ar' | 'en' | 'fr', readonly string[]> = {
  ar: [],
  en: [],
  // "Si" answers a negative question in French ("vous ne la voulez pas ? — si"); elsewhere it is "if".
  fr: ['si', 'si si'],
};

/** Phrases made of a "want" word and the order: "بدي الطلب", "je veux la commande", "I want my order". */
const WANT_WORDS = [
  'ابغى', 'أبي', 'أريد', 'بدي', 'عايز', 'عاوز', 'بغيت', 'نحب', 'نبغي', 'حاب', 'حابب', 'أرغب', 'أرغب في',
  'أرغب ب', 'i want', 'i still want', 'je veux', 'je voudrais', 'bghit', 'n7eb', 'n7ab', 'nheb', 'baddi', 'bade',
  '3ayez', '3ayza', 'abi', 'abgha', 'areed', 'arid',
];
const ORDER_WORDS = [
  'الطلب', 'طلبي', 'الطلبيه', 'بالطلب', 'الاوردر', 'الكوموند', 'الكولي', 'المنتج', 'ياه', 'اياه', 'the order',
  'my order', 'it', 'la commande', 'ma commande', 'le colis', 'lcommande', 'el order', 'ltalab', 'yeh', 'yah', 'yaha',
  'iyah', 'ذلك', 'استلام الطلب', 'الاستلام',
];
export const WANT_ORDER_PHRASES = WANT_WORDS.flatMap((want) => ORDER_WORDS.map((order) => `${want} ${order}`));
/** The want words alone are fillers ("je veux confirmer", "بدي اكد"). */
export const WANT_FILLER_PHRASES = [...WANT_WORDS, 'i want to', 'je veux', 'want'];

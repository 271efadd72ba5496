import { renderEmail, type EmailLanguage, type RenderedEmail } from '../email/templates.ts';

/** Alerts Akked sends a merchant about their account (DESIGN.md §1: critical alerts). */
export type MerchantAlert = 'credits_exhausted' | 'number_logged_out' | 'number_banned' | 'number_disconnected' | 'number_restricted';

type AlertText = { subject: string; lines: string[]; label: string };

const TEXTS: Record<MerchantAlert, Record<EmailLanguage, AlertText>> = {
  credits_exhausted: {
    en: { subject: 'Your Akked credits have run out', lines: ['Your account has no credits left, so new orders are not being confirmed on WhatsApp.', 'Top up or change your plan to resume.'], label: 'Open billing' },
    ar: { subject: 'نفد رصيدك في Akked', lines: ['لم يبقَ في رصيدك أي وحدة، لذلك لا يُرسَل سؤال التأكيد عن الطلبات الجديدة عبر واتساب.', 'اشحن رصيدك أو غيّر باقتك لاستئناف الإرسال.'], label: 'فتح صفحة الفوترة' },
    fr: { subject: 'Vos crédits Akked sont épuisés', lines: ["Votre compte n'a plus de crédits : les nouvelles commandes ne sont plus confirmées sur WhatsApp.", 'Rechargez ou changez de formule pour reprendre.'], label: 'Ouvrir la facturation' },
  },
  number_logged_out: {
    en: { subject: 'Your WhatsApp number was logged out of Akked', lines: ['The phone removed Akked from its linked devices, so confirmations cannot be sent from this number.', 'Link the number again to resume.'], label: 'Link the number again' },
    ar: { subject: 'أُزيل رقم واتساب من Akked', lines: ['أزال الهاتف Akked من «الأجهزة المرتبطة»، لذلك لا يمكن إرسال أسئلة التأكيد من هذا الرقم.', 'اربط الرقم من جديد لاستئناف الإرسال.'], label: 'ربط الرقم من جديد' },
    fr: { subject: 'Votre numéro WhatsApp a été déconnecté d’Akked', lines: ['Le téléphone a retiré Akked de ses appareils connectés : les confirmations ne peuvent plus partir de ce numéro.', 'Associez à nouveau le numéro pour reprendre.'], label: 'Associer le numéro à nouveau' },
  },
  number_banned: {
    en: { subject: 'WhatsApp banned your number', lines: ['WhatsApp refused the connection of your number (banned). Akked stopped sending from it.', 'Contact WhatsApp support, or link another number.'], label: 'Open numbers' },
    ar: { subject: 'حظر واتساب رقمك', lines: ['رفض واتساب اتصال رقمك (محظور). أوقف Akked الإرسال منه.', 'تواصل مع دعم واتساب، أو اربط رقمًا آخر.'], label: 'فتح صفحة الأرقام' },
    fr: { subject: 'WhatsApp a banni votre numéro', lines: ['WhatsApp a refusé la connexion de votre numéro (banni). Akked a cessé d’envoyer depuis ce numéro.', 'Contactez le support WhatsApp ou associez un autre numéro.'], label: 'Ouvrir les numéros' },
  },
  number_restricted: {
    en: { subject: 'WhatsApp restricted your number for a while', lines: ['WhatsApp temporarily restricted your number (a temporary ban, or no new chats for a while). Akked stopped writing first from it and resumes by itself when the restriction ends; the numbers page shows until when.', 'Meanwhile orders wait for the customer to write first through your confirmation link, or go through your Cloud API number if the store has one.'], label: 'Open numbers' },
    ar: { subject: 'قيّد واتساب رقمك مؤقتًا', lines: ['قيّد واتساب رقمك مؤقتًا (حظر مؤقت، أو منع بدء محادثات جديدة لفترة). أوقف Akked بدء المحادثات من هذا الرقم وسيستأنف من تلقاء نفسه عند انتهاء القيد؛ تعرض صفحة الأرقام موعد انتهائه.', 'في الأثناء تنتظر الطلبات أن يكتب العميل أولًا عبر رابط التأكيد، أو تُرسَل عبر رقم Cloud API إن كان للمتجر رقم.'], label: 'فتح صفحة الأرقام' },
    fr: { subject: 'WhatsApp a restreint votre numéro pour un temps', lines: ['WhatsApp a restreint temporairement votre numéro (suspension temporaire, ou plus de nouvelles discussions pendant un temps). Akked a cessé d’écrire en premier depuis ce numéro et reprendra seul à la fin de la restriction ; la page des numéros indique jusqu’à quand.', 'En attendant, les commandes attendent que le client écrive en premier via votre lien de confirmation, ou passent par votre numéro Cloud API si la boutique en a un.'], label: 'Ouvrir les numéros' },
  },
  number_disconnected: {
    en: { subject: 'Your WhatsApp number is disconnected', lines: ['Akked cannot reach WhatsApp with your number right now and keeps retrying.', 'Check that the phone is online, and that no other tool uses the same linked device.'], label: 'Open numbers' },
    ar: { subject: 'رقم واتساب غير متصل', lines: ['لا يستطيع Akked الاتصال بواتساب عبر رقمك حاليًا ويواصل المحاولة.', 'تأكد من اتصال الهاتف بالإنترنت ومن عدم استخدام أداة أخرى للجهاز المرتبط نفسه.'], label: 'فتح صفحة الأرقام' },
    fr: { subject: 'Votre numéro WhatsApp est déconnecté', lines: ['Akked ne parvient pas à joindre WhatsApp avec votre numéro et continue d’essayer.', 'Vérifiez que le téléphone est en ligne et qu’aucun autre outil n’utilise le même appareil connecté.'], label: 'Ouvrir les numéros' },
  },
};

const GREETING: Record<EmailLanguage, (name: string) => string> = {
  en: (name) => `Hello ${name},`,
  ar: (name) => `مرحبًا ${name}،`,
  fr: (name) => `Bonjour ${name},`,
};

const CLOSING: Record<EmailLanguage, string> = {
  en: 'You receive this email because it affects your orders.',
  ar: 'تصلك هذه الرسالة لأنها تؤثر على طلباتك.',
  fr: 'Vous recevez cet e-mail car il concerne vos commandes.',
};

export const renderMerchantAlert = (alert: MerchantAlert, language: EmailLanguage, name: string, url: string): RenderedEmail => {
  const text = TEXTS[alert][language];

  return renderEmail(language, { subject: text.subject, greeting: GREETING[language](name), lines: text.lines, action: { label: text.label, url }, closing: CLOSING[language] });
};

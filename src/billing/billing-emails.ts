import { renderEmail, type EmailLanguage, type RenderedEmail } from '../email/templates.ts';

/**
 * Billing emails in the user's language, text and HTML through the one layout of
 * `email/templates.ts` (every value escaped there). "Credits exhausted" is a merchant alert
 * (`notifications/`), sent when an order cannot be confirmed.
 */
export type BillingEmail =
  | { kind: 'receipt'; amount: string; currency: string; periodStart: Date | null; periodEnd: Date | null; invoiceId: string; url: string }
  | { kind: 'payment_failed'; amount: string; currency: string; invoiceId: string; url: string }
  | { kind: 'credits_low'; balance: number; url: string }
  | { kind: 'subscription_cancelled'; url: string };

const GREETING: Record<EmailLanguage, (name: string) => string> = {
  en: (name) => `Hello ${name},`,
  ar: (name) => `مرحبًا ${name}،`,
  fr: (name) => `Bonjour ${name},`,
};

const CLOSING: Record<EmailLanguage, string> = {
  en: 'You receive this email because you manage billing for an Akked account.',
  ar: 'تصلك هذه الرسالة لأنك تدير الفوترة لحساب في Akked.',
  fr: 'Vous recevez cet e-mail car vous gérez la facturation d’un compte Akked.',
};

const formatDate = (language: EmailLanguage, date: Date): string =>
  new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(date);

const formatPeriod = (language: EmailLanguage, start: Date | null, end: Date | null): string | null =>
  start && end ? `${formatDate(language, start)} – ${formatDate(language, end)}` : null;

type Texts = { subject: string; lines: string[]; label: string };

const receiptTexts = (language: EmailLanguage, email: Extract<BillingEmail, { kind: 'receipt' }>): Texts => {
  const money = `${email.amount} ${email.currency}`;
  const period = formatPeriod(language, email.periodStart, email.periodEnd);
  switch (language) {
    case 'ar':
      return {
        subject: `إيصال Akked: ${money}`,
        lines: [`شكرًا لك، استلمنا دفعتك بمبلغ ${money}.`, ...(period ? [`الفترة: ${period}`] : []), `رقم الفاتورة: ${email.invoiceId}`],
        label: 'عرض الفاتورة',
      };
    case 'fr':
      return {
        subject: `Votre reçu Akked : ${money}`,
        lines: [`Merci : nous avons bien reçu votre paiement de ${money}.`, ...(period ? [`Période : ${period}`] : []), `Facture : ${email.invoiceId}`],
        label: 'Voir la facture',
      };
    default:
      return {
        subject: `Your Akked receipt: ${money}`,
        lines: [`Thank you: we received your payment of ${money}.`, ...(period ? [`Period: ${period}`] : []), `Invoice: ${email.invoiceId}`],
        label: 'View the invoice',
      };
  }
};

const paymentFailedTexts = (language: EmailLanguage, email: Extract<BillingEmail, { kind: 'payment_failed' }>): Texts => {
  const money = `${email.amount} ${email.currency}`;
  switch (language) {
    case 'ar':
      return {
        subject: 'تعذّر تحصيل دفعة اشتراكك في Akked',
        lines: [`لم نتمكن من تحصيل مبلغ ${money} (الفاتورة ${email.invoiceId}).`, 'حدّث وسيلة الدفع للاحتفاظ بباقتك؛ ستعيد Stripe المحاولة.'],
        label: 'دفع الفاتورة',
      };
    case 'fr':
      return {
        subject: 'Le paiement de votre abonnement Akked a échoué',
        lines: [`Nous n’avons pas pu encaisser ${money} (facture ${email.invoiceId}).`, 'Mettez à jour votre moyen de paiement pour garder votre formule ; Stripe réessaiera.'],
        label: 'Payer la facture',
      };
    default:
      return {
        subject: 'Your Akked payment failed',
        lines: [`We could not collect ${money} (invoice ${email.invoiceId}).`, 'Update your payment method to keep your plan; Stripe will try again.'],
        label: 'Pay the invoice',
      };
  }
};

/** A count of credits with the noun Arabic grammar wants after it (وحدة، وحدتان، 3 وحدات، 11 وحدةً). */
const arabicCredits = (count: number): string =>
  ({ zero: '0 وحدة', one: 'وحدة واحدة', two: 'وحدتان', few: `${count} وحدات`, many: `${count} وحدةً`, other: `${count} وحدة` })[new Intl.PluralRules('ar').select(count)];

const creditsLowTexts = (language: EmailLanguage, balance: number): Texts => {
  switch (language) {
    case 'ar':
      return {
        subject: 'رصيدك في Akked يوشك على النفاد',
        lines: [`بقي في رصيدك ${arabicCredits(balance)}.`, 'اشحن رصيدك أو غيّر باقتك حتى يستمر تأكيد الطلبات الجديدة.'],
        label: 'فتح صفحة الفوترة',
      };
    case 'fr':
      return {
        subject: 'Vos crédits Akked sont presque épuisés',
        lines: [`Il reste ${balance} ${new Intl.PluralRules('fr').select(balance) === 'one' ? 'crédit' : 'crédits'} sur votre compte.`, 'Rechargez ou changez de formule pour que les nouvelles commandes restent confirmées.'],
        label: 'Ouvrir la facturation',
      };
    default:
      return {
        subject: 'Your Akked credits are running low',
        lines: [`Your account has ${balance} ${balance === 1 ? 'credit' : 'credits'} left.`, 'Top up or change your plan so new orders keep being confirmed.'],
        label: 'Open billing',
      };
  }
};

const subscriptionCancelledTexts = (language: EmailLanguage): Texts => {
  switch (language) {
    case 'ar':
      return {
        subject: 'تم إلغاء اشتراكك في Akked',
        lines: ['انتهى اشتراكك وعاد حسابك إلى الباقة المجانية.', 'يبقى رصيدك المتبقي متاحًا، ويمكنك الاشتراك من جديد في أي وقت.'],
        label: 'اختيار باقة',
      };
    case 'fr':
      return {
        subject: 'Votre abonnement Akked est résilié',
        lines: ['Votre abonnement a pris fin et votre compte repasse à la formule gratuite.', 'Vos crédits restants restent disponibles ; vous pouvez vous réabonner à tout moment.'],
        label: 'Choisir une formule',
      };
    default:
      return {
        subject: 'Your Akked subscription is cancelled',
        lines: ['Your subscription has ended and your account is back on the free plan.', 'Your remaining credits stay available; you can subscribe again at any time.'],
        label: 'Choose a plan',
      };
  }
};

const textsFor = (language: EmailLanguage, email: BillingEmail): Texts => {
  switch (email.kind) {
    case 'receipt':
      return receiptTexts(language, email);
    case 'payment_failed':
      return paymentFailedTexts(language, email);
    case 'credits_low':
      return creditsLowTexts(language, email.balance);
    case 'subscription_cancelled':
      return subscriptionCancelledTexts(language);
  }
};

export const renderBillingEmail = (email: BillingEmail, language: EmailLanguage, name: string): RenderedEmail => {
  const texts = textsFor(language, email);

  return renderEmail(language, {
    subject: texts.subject,
    greeting: GREETING[language](name),
    lines: texts.lines,
    action: { label: texts.label, url: email.url },
    closing: CLOSING[language],
  });
};

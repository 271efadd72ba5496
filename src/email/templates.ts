/**
 * Transactional email texts in the user's language. Every interpolated value is escaped in the
 * HTML part (names are typed by people), and links are shown in full in the text part.
 */
export const EMAIL_LANGUAGES = ['en', 'ar', 'fr'] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

export const toEmailLanguage = (value: string | null | undefined): EmailLanguage =>
  EMAIL_LANGUAGES.includes(value as EmailLanguage) ? (value as EmailLanguage) : 'en';

export const escapeHtml = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

export type RenderedEmail = { subject: string; text: string; html: string };

type Paragraphs = { subject: string; greeting: string; lines: string[]; action?: { label: string; url: string }; closing: string };

/** One layout for every email: greeting, paragraphs, an optional button with the raw link below it. */
export const renderEmail = (language: EmailLanguage, content: Paragraphs): RenderedEmail => {
  const direction = language === 'ar' ? 'rtl' : 'ltr';
  const textParts = [content.greeting, '', ...content.lines];
  if (content.action) textParts.push('', `${content.action.label}: ${content.action.url}`);
  textParts.push('', content.closing, '', 'Akked');
  const htmlLines = content.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  const button = content.action
    ? `<p><a href="${escapeHtml(content.action.url)}" style="display:inline-block;padding:10px 18px;background:#0f766e;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(content.action.label)}</a></p>
<p style="font-size:12px;color:#555555;word-break:break-all">${escapeHtml(content.action.url)}</p>`
    : '';
  const html = `<!doctype html>
<html lang="${language}" dir="${direction}">
<head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>
<body style="font-family:Arial,Tahoma,sans-serif;line-height:1.6;color:#111111">
<p>${escapeHtml(content.greeting)}</p>
${htmlLines}
${button}
<p>${escapeHtml(content.closing)}</p>
<p>Akked</p>
</body>
</html>`;

  return { subject: content.subject, text: textParts.join('\n'), html };
};

/**
 * No name in the verification and reset emails: whoever signs up chooses the name and the address,
 * so an attacker could have our email carry their text to someone else's inbox.
 */
export const renderVerificationEmail = (language: EmailLanguage, url: string): RenderedEmail => {
  const texts = {
    en: {
      subject: 'Confirm your email for Akked',
      greeting: 'Hello,',
      lines: ['Thank you for signing up to Akked. Please confirm your email address to start confirming your orders on WhatsApp.'],
      label: 'Confirm my email',
      closing: 'If you did not create this account, you can ignore this email.',
    },
    ar: {
      subject: 'تأكيد بريدك الإلكتروني في Akked',
      greeting: 'مرحبًا،',
      lines: ['شكرًا لتسجيلك في Akked. يُرجى تأكيد بريدك الإلكتروني لتبدأ بتأكيد طلباتك عبر واتساب.'],
      label: 'تأكيد بريدي الإلكتروني',
      closing: 'إذا لم تُنشئ هذا الحساب، يمكنك تجاهل هذه الرسالة.',
    },
    fr: {
      subject: 'Confirmez votre adresse e-mail pour Akked',
      greeting: 'Bonjour,',
      lines: ['Merci de votre inscription à Akked. Confirmez votre adresse e-mail pour commencer à confirmer vos commandes sur WhatsApp.'],
      label: 'Confirmer mon adresse',
      closing: "Si vous n'avez pas créé ce compte, ignorez simplement cet e-mail.",
    },
  }[language];

  return renderEmail(language, { ...texts, action: { label: texts.label, url } });
};

export const renderPasswordResetEmail = (language: EmailLanguage, url: string): RenderedEmail => {
  const texts = {
    en: {
      subject: 'Reset your Akked password',
      greeting: 'Hello,',
      lines: ['Someone asked to reset the password of your Akked account. The link below is valid for one hour.'],
      label: 'Choose a new password',
      closing: 'If it was not you, ignore this email: your password stays the same.',
    },
    ar: {
      subject: 'إعادة تعيين كلمة المرور في Akked',
      greeting: 'مرحبًا،',
      lines: ['طُلبت إعادة تعيين كلمة مرور حسابك في Akked. الرابط التالي صالح لمدة ساعة واحدة.'],
      label: 'اختيار كلمة مرور جديدة',
      closing: 'إذا لم تطلب ذلك، تجاهل هذه الرسالة وستبقى كلمة مرورك كما هي.',
    },
    fr: {
      subject: 'Réinitialisez votre mot de passe Akked',
      greeting: 'Bonjour,',
      lines: ['Une réinitialisation du mot de passe de votre compte Akked a été demandée. Le lien ci-dessous est valable une heure.'],
      label: 'Choisir un nouveau mot de passe',
      closing: "Si ce n'était pas vous, ignorez cet e-mail : votre mot de passe reste inchangé.",
    },
  }[language];

  return renderEmail(language, { ...texts, action: { label: texts.label, url } });
};

/**
 * Sent when an account is deleted, after its data is gone: it carries the address it goes to and
 * the fact of the deletion, nothing else (no name, store, figure or link), since nothing of the
 * account may outlive it.
 */
export const renderAccountDeletedEmail = (language: EmailLanguage, email: string): RenderedEmail => {
  const texts = {
    en: {
      subject: 'Your Akked account has been deleted',
      greeting: 'Hello,',
      lines: [
        `The Akked account of ${email} has been deleted, as requested, with all of its data: stores, WhatsApp numbers and their credentials, orders, messages, API keys and emails.`,
        'Nothing of it can be recovered. Subscriptions end with the account.',
      ],
      closing: 'This is the last email you will receive about this account.',
    },
    ar: {
      subject: 'تم حذف حسابك في Akked',
      greeting: 'مرحبًا،',
      lines: [
        `تم حذف حساب Akked الخاص بـ ${email} بناءً على طلبك، مع جميع بياناته: المتاجر وأرقام واتساب وبيانات اعتمادها والطلبات والرسائل ومفاتيح API ورسائل البريد الإلكتروني.`,
        'لا يمكن استعادة أي شيء منها. تنتهي الاشتراكات مع الحساب.',
      ],
      closing: 'هذه آخر رسالة ستصلك بخصوص هذا الحساب.',
    },
    fr: {
      subject: 'Votre compte Akked a été supprimé',
      greeting: 'Bonjour,',
      lines: [
        `Le compte Akked de ${email} a été supprimé à votre demande, avec toutes ses données : boutiques, numéros WhatsApp et leurs identifiants, commandes, messages, clés d'API et e-mails.`,
        'Rien ne peut en être récupéré. Les abonnements prennent fin avec le compte.',
      ],
      closing: 'Ceci est le dernier e-mail que vous recevrez au sujet de ce compte.',
    },
  }[language];

  return renderEmail(language, texts);
};

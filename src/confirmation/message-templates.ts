import type { NormalizedOrder } from '../ingest/order.ts';

/*
 * The text of customer messages: default templates, variables and rendering. Pure code with no
 * server dependency, so the dashboard's template preview imports this very module and shows exactly
 * what a customer will receive.
 */

/** Languages Akked writes to customers in; anything else falls back to the store's language. */
export const MESSAGE_LANGUAGES = ['ar', 'en', 'fr'] as const;
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];

/** `confirm` asks; `confirmed`/`cancelled` answer the reply; `reminder` asks again; `clarify` answers an unclear reply. */
export const TEMPLATE_KINDS = ['confirm', 'confirmed', 'cancelled', 'reminder', 'clarify'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const TEMPLATE_VARIABLE_NAMES = ['customer_name', 'order_number', 'total', 'currency', 'items', 'store_name'] as const;
export type TemplateVariableName = (typeof TEMPLATE_VARIABLE_NAMES)[number];
export type TemplateVariables = Record<TemplateVariableName, string>;

/**
 * Default messages. Plain text for WhatsApp (`*1*` is WhatsApp's bold). The Arabic is Modern
 * Standard Arabic without gendered imperatives ("يرجى الرد", "هل نؤكد طلبك؟"), which customers in
 * the Gulf, Egypt, the Levant and the Maghreb all read naturally. Every question ends with the two
 * answers, one a line, so "1" and "2" are impossible to miss.
 */
export const DEFAULT_TEMPLATES: Readonly<Record<MessageLanguage, Readonly<Record<TemplateKind, string>>>> = {
  ar: {
    confirm: [
      'مرحبًا {{customer_name}}،',
      'شكرًا لطلبك من {{store_name}}.',
      '',
      'رقم الطلب: {{order_number}}',
      'المنتجات: {{items}}',
      'المبلغ المطلوب عند الاستلام: {{total}}',
      '',
      'هل نؤكد طلبك؟ يرجى الرد بـ:',
      '*1* لتأكيد الطلب ✅',
      '*2* لإلغاء الطلب ❌',
    ].join('\n'),
    confirmed: ['شكرًا {{customer_name}}، تم تأكيد طلبك رقم {{order_number}} ✅', 'سنجهّز طلبك ونشحنه في أقرب وقت.', '{{store_name}}'].join('\n'),
    cancelled: ['تم إلغاء طلبك رقم {{order_number}}.', 'إذا تم الإلغاء عن طريق الخطأ، يرجى الرد على هذه الرسالة وسنساعدك.', '{{store_name}}'].join('\n'),
    reminder: [
      'مرحبًا {{customer_name}}،',
      'طلبك رقم {{order_number}} من {{store_name}} ({{total}}) ما زال بانتظار تأكيدك.',
      '',
      'يرجى الرد بـ:',
      '*1* لتأكيد الطلب ✅',
      '*2* لإلغاء الطلب ❌',
    ].join('\n'),
    clarify: ['عذرًا، لم نفهم ردك 🙏', 'يرجى الرد برقم فقط:', '*1* لتأكيد الطلب رقم {{order_number}} ✅', '*2* لإلغاء الطلب ❌'].join('\n'),
  },
  en: {
    confirm: [
      'Hello {{customer_name}},',
      'Thank you for your order from {{store_name}}.',
      '',
      'Order: {{order_number}}',
      'Items:',
      '{{items}}',
      'Total to pay on delivery: {{total}}',
      '',
      'Shall we confirm your order? Please reply:',
      '*1* to confirm ✅',
      '*2* to cancel ❌',
    ].join('\n'),
    confirmed: ['Thank you {{customer_name}}, your order {{order_number}} is confirmed ✅', 'We will prepare and ship it soon.', '{{store_name}}'].join('\n'),
    cancelled: ['Your order {{order_number}} has been cancelled.', 'If this was a mistake, just reply here.', '{{store_name}}'].join('\n'),
    reminder: [
      'Hello {{customer_name}},',
      'Your order {{order_number}} from {{store_name}} ({{total}}) is still waiting for your confirmation.',
      '',
      'Please reply:',
      '*1* to confirm ✅',
      '*2* to cancel ❌',
    ].join('\n'),
    clarify: ["Sorry, we didn't understand your reply 🙏", 'Please reply with a number only:', '*1* to confirm order {{order_number}} ✅', '*2* to cancel it ❌'].join('\n'),
  },
  fr: {
    confirm: [
      'Bonjour {{customer_name}},',
      'Merci pour votre commande chez {{store_name}}.',
      '',
      'Commande : {{order_number}}',
      'Articles :',
      '{{items}}',
      'Montant à payer à la livraison : {{total}}',
      '',
      'Confirmez-vous votre commande ? Répondez :',
      '*1* pour confirmer ✅',
      '*2* pour annuler ❌',
    ].join('\n'),
    confirmed: ['Merci {{customer_name}}, votre commande {{order_number}} est confirmée ✅', 'Nous la préparons et l’expédions très vite.', '{{store_name}}'].join('\n'),
    cancelled: ['Votre commande {{order_number}} a été annulée.', 'S’il s’agit d’une erreur, répondez simplement à ce message.', '{{store_name}}'].join('\n'),
    reminder: [
      'Bonjour {{customer_name}},',
      'Votre commande {{order_number}} chez {{store_name}} ({{total}}) attend toujours votre confirmation.',
      '',
      'Répondez :',
      '*1* pour confirmer ✅',
      '*2* pour annuler ❌',
    ].join('\n'),
    clarify: ['Désolé, nous n’avons pas compris votre réponse 🙏', 'Répondez simplement par un chiffre :', '*1* pour confirmer la commande {{order_number}} ✅', '*2* pour l’annuler ❌'].join('\n'),
  },
};

export const MAXIMUM_TEMPLATE_CHARACTERS = 1000;

/** One `{{ name }}` in a template: where it starts and ends, and the name inside without its spaces. */
export type Placeholder = { start: number; end: number; name: string };

/**
 * Every `{{ name }}` of a text, left to right: `{{`, then anything but braces, then `}}`. One linear
 * scan: a regular expression with optional spaces around a lazy name (`\{\{\s*([^{}]*?)\s*\}\}`)
 * took seconds on `{{` followed by a thousand spaces, stalling the api on one PATCH.
 */
export const findPlaceholders = (text: string): Placeholder[] => {
  const placeholders: Placeholder[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('{{', from);
    if (start === -1) return placeholders;
    let index = start + 2;
    while (index < text.length && text[index] !== '{' && text[index] !== '}') index++;
    if (text[index] === '}' && text[index + 1] === '}') {
      placeholders.push({ start, end: index + 2, name: text.slice(start + 2, index).trim() });
      from = index + 2;
    } else {
      // No brace between start + 2 and index, so no placeholder can start before index - 1.
      from = Math.max(start + 1, index - 1);
    }
  }
};

/** The text with each placeholder replaced by what `replace` returns for its name (one pass). */
export const replacePlaceholders = (text: string, replace: (name: string) => string): string => {
  let result = '';
  let last = 0;
  for (const placeholder of findPlaceholders(text)) {
    result += text.slice(last, placeholder.start) + replace(placeholder.name);
    last = placeholder.end;
  }

  return result + text.slice(last);
};

export const isTemplateVariableName = (name: string): name is TemplateVariableName => (TEMPLATE_VARIABLE_NAMES as readonly string[]).includes(name);

/** Accepts any stored shape of overrides (validated or read back from the database). */
type StoredTemplates = Partial<Record<MessageLanguage, Partial<Record<TemplateKind, string | undefined>> | undefined>>;

/** The store's template for this language and kind, else Akked's default. */
export const resolveTemplate = (storeTemplates: StoredTemplates | null | undefined, language: MessageLanguage, kind: TemplateKind): string => {
  const override = storeTemplates?.[language]?.[kind];

  return typeof override === 'string' && override.trim().length > 0 ? override : DEFAULT_TEMPLATES[language][kind];
};

const isMessageLanguage = (value: string): value is MessageLanguage => (MESSAGE_LANGUAGES as readonly string[]).includes(value);

/**
 * The customer's language when the platform told us one we write ("ar", "fr-MA", "EN"), else the
 * store's language, else Arabic (the store default).
 */
export const pickLanguage = (orderLocale: string | null | undefined, storeLanguage: string | null | undefined): MessageLanguage => {
  for (const candidate of [orderLocale, storeLanguage]) {
    const language = candidate?.trim().slice(0, 2).toLowerCase() ?? '';
    if (isMessageLanguage(language)) return language;
  }

  return 'ar';
};

/** C0 and C1 control characters except newline; tabs become spaces in the whitespace pass. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

const stripControlCharacters = (text: string): string => text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(CONTROL_CHARACTERS, '');

/** One line, one space between words: customer-typed names must not add lines to our message. */
export const toSingleLine = (text: string): string =>
  stripControlCharacters(text)
    .replace(/[\n\u2028\u2029 ]+/g, ' ')
    .trim();

const tidyWhitespace = (text: string): string =>
  text
    .split('\n')
    .map((line) =>
      line
        // An empty variable leaves "( )" or "Hello ,"; French keeps its space before ":" and "?".
        .replace(/\(\s*\)/g, '')
        .replace(/ {2,}/g, ' ')
        .replace(/ +([,.،])/g, '$1')
        .trim(),
    )
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/**
 * Fills `{{variable}}` placeholders in one pass (a value that itself contains "{{...}}" stays as
 * typed), leaves unknown or missing variables empty, strips control characters and tidies the
 * whitespace. No HTML escaping: WhatsApp shows plain text.
 */
export const renderTemplate = (template: string, variables: Partial<TemplateVariables>): string => {
  const filled = replacePlaceholders(stripControlCharacters(template), (name) => {
    if (!isTemplateVariableName(name)) return '';
    const value = variables[name] ?? '';

    return name === 'items' ? stripControlCharacters(value) : toSingleLine(value);
  });

  return tidyWhitespace(filled);
};

/**
 * The word customers use for their currency, by language: «درهم» and «جنيه», not Intl's «د.م.» and
 * «ج.م.»; «DH», «DA», «DT» in French, as Maghreb shops print them. Arabic puts the noun in the
 * singular after any amount, as prices are written on shelves and receipts ("249.00 درهم"). A
 * currency not listed keeps Intl's symbol or code; English keeps the ISO code, which its readers
 * across the region know.
 */
const CURRENCY_WORDS: Readonly<Record<Exclude<MessageLanguage, 'en'>, Readonly<Record<string, string>>>> = {
  ar: {
    AED: 'درهم',
    MAD: 'درهم',
    EGP: 'جنيه',
    SDG: 'جنيه',
    SAR: 'ريال',
    QAR: 'ريال',
    OMR: 'ريال',
    YER: 'ريال',
    KWD: 'دينار',
    BHD: 'دينار',
    JOD: 'دينار',
    IQD: 'دينار',
    LYD: 'دينار',
    TND: 'دينار',
    DZD: 'دينار',
    LBP: 'ليرة',
    SYP: 'ليرة',
    TRY: 'ليرة',
    MRU: 'أوقية',
    USD: 'دولار',
    EUR: 'يورو',
  },
  fr: { MAD: 'DH', DZD: 'DA', TND: 'DT', EUR: '€', XOF: 'F CFA', USD: '$' },
};

/** `{{currency}}`: the customers' word for it in Arabic and French, the ISO code otherwise. */
export const currencyWord = (currency: string, language: MessageLanguage): string =>
  (language === 'en' ? undefined : CURRENCY_WORDS[language][currency.toUpperCase()]) ?? currency;

/**
 * "249.00" MAD → "249.00 درهم" (ar), "MAD 249.00" (en), "249,00 DH" (fr). Arabic uses Latin digits:
 * they are what MENA shops, couriers and banking apps print, so customers compare them with their
 * receipt at a glance. The order's own decimals are kept (ingestion already applied the ISO 4217
 * minor digits, which differ from Intl's for IQD and a few others), and the decimal string is
 * formatted exactly, without going through a float.
 */
export const formatOrderTotal = (total: string, currency: string, language: MessageLanguage): string => {
  const decimals = /^-?\d+(?:\.(\d+))?$/.exec(total);
  if (!decimals) return `${total} ${currency}`.trim();
  const fractionDigits = Math.min(decimals[1]?.length ?? 0, 20);
  const word = language === 'en' ? undefined : CURRENCY_WORDS[language][currency.toUpperCase()];
  try {
    if (word) return `${amountFormat(language, null, fractionDigits).format(total as `${number}`)}\u00A0${word}`;

    return amountFormat(language, currency, fractionDigits).format(total as `${number}`);
  } catch {
    return `${total} ${currency}`;
  }
};

// Building an Intl.NumberFormat costs ~50 µs, formatting with one ~2 µs; a handful of languages
// and currencies covers every store, and the bound keeps a stream of odd codes from growing it.
const CURRENCY_FORMATS_LIMIT = 500;
const currencyFormats = new Map<string, Intl.NumberFormat>();

/** A currency format, or a plain decimal one when `currency` is null (the word follows it). */
const amountFormat = (language: MessageLanguage, currency: string | null, fractionDigits: number): Intl.NumberFormat => {
  const key = `${language}|${currency ?? ''}|${fractionDigits}`;
  let format = currencyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(language, {
      ...(currency === null ? {} : { style: 'currency', currency }),
      numberingSystem: 'latn',
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    });
    if (currencyFormats.size >= CURRENCY_FORMATS_LIMIT) currencyFormats.clear();
    currencyFormats.set(key, format);
  }

  return format;
};

const MAXIMUM_LISTED_ITEMS = 10;
const MAXIMUM_ITEM_NAME_CHARACTERS = 80;
/** Shopify's name for "no variant"; printing it would only confuse the customer. */
const MEANINGLESS_VARIANTS = new Set(['default title', 'default']);

const truncate = (text: string, limit: number): string => (text.length > limit ? `${text.slice(0, limit - 1).trimEnd()}…` : text);

export type TemplateItem = Pick<NormalizedOrder['items'][number], 'name' | 'variant' | 'quantity'>;

/** "2× Name (Variant)", one a line (Arabic: joined by "، " on one line), at most ten plus a count. */
export const formatOrderItems = (items: readonly TemplateItem[], language: MessageLanguage): string => {
  const lines = items.slice(0, MAXIMUM_LISTED_ITEMS).map((item) => {
    const name = truncate(toSingleLine(item.name), MAXIMUM_ITEM_NAME_CHARACTERS);
    const variant = item.variant === null ? '' : truncate(toSingleLine(item.variant), MAXIMUM_ITEM_NAME_CHARACTERS);
    const showsVariant = variant.length > 0 && !MEANINGLESS_VARIANTS.has(variant.toLowerCase());

    return `${item.quantity}× ${name}${showsVariant ? ` (${variant})` : ''}`;
  });
  const hidden = items.length - MAXIMUM_LISTED_ITEMS;
  if (hidden > 0) lines.push({ ar: `+${hidden} أخرى`, en: `+${hidden} more`, fr: `+${hidden} autres` }[language]);

  return lines.join(language === 'ar' ? '، ' : '\n');
};

/** What a message is rendered from: a normalized order (or the same fields from a stored row) and the store's name. */
export type TemplateOrder = Pick<NormalizedOrder, 'number' | 'currency' | 'total'> & {
  items: readonly TemplateItem[];
  storeName: string;
  customerName?: string | null;
  customer?: { name: string | null };
};

export const buildTemplateVariables = (order: TemplateOrder, language: MessageLanguage): TemplateVariables => ({
  customer_name: truncate(toSingleLine(order.customerName ?? order.customer?.name ?? ''), MAXIMUM_ITEM_NAME_CHARACTERS),
  // Arabic writes «رقم», never «#»: «رقم الطلب: #2001» would say "number" twice.
  order_number: language === 'ar' ? toSingleLine(order.number).replace(/^#+\s*/, '') : toSingleLine(order.number),
  total: formatOrderTotal(order.total, order.currency, language),
  currency: currencyWord(order.currency, language),
  items: formatOrderItems(order.items, language),
  store_name: toSingleLine(order.storeName),
});

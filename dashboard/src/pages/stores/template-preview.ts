import type { Language } from '../../api/types.ts';
import { TEMPLATE_VARIABLES, type TemplateKind, type TemplateVariable } from '../../api/stores.ts';

/*
 * The template editor's defaults and preview. The server is the truth (src/confirmation/templates.ts):
 * the API answers only a store's overrides, so the defaults are copied here, and the preview renders
 * exactly as the server does. template-preview.test.ts fails the moment either drifts from the server.
 */

/** Akked's default messages, the same text the server sends when a store has no override. */
export const DEFAULT_TEMPLATES: Readonly<Record<Language, Readonly<Record<TemplateKind, string>>>> = {
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

const PLACEHOLDER_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const MAXIMUM_LISTED_ITEMS = 10;
const MAXIMUM_ITEM_NAME_CHARACTERS = 80;
const MEANINGLESS_VARIANTS = new Set(['default title', 'default']);

const isTemplateVariable = (name: string): name is TemplateVariable => (TEMPLATE_VARIABLES as readonly string[]).includes(name);

const stripControlCharacters = (text: string): string => text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(CONTROL_CHARACTERS, '');

const toSingleLine = (text: string): string =>
  stripControlCharacters(text)
    .replace(/[\n\u2028\u2029 ]+/g, ' ')
    .trim();

const tidyWhitespace = (text: string): string =>
  text
    .split('\n')
    .map((line) =>
      line
        .replace(/\(\s*\)/g, '')
        .replace(/ {2,}/g, ' ')
        .replace(/ +([,.،])/g, '$1')
        .trim(),
    )
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/** Fills `{{variable}}` in one pass; unknown variables become empty, as on the server. */
export const renderTemplate = (template: string, variables: Record<TemplateVariable, string>): string => {
  const filled = stripControlCharacters(template).replace(PLACEHOLDER_PATTERN, (_placeholder, name: string) => {
    if (!isTemplateVariable(name)) return '';
    const value = variables[name];

    return name === 'items' ? stripControlCharacters(value) : toSingleLine(value);
  });

  return tidyWhitespace(filled);
};

/** The order total as customers read it: Latin digits, the order's own decimals (as the server formats it). */
export const formatOrderTotal = (total: string, currency: string, language: Language): string => {
  const decimals = /^-?\d+(?:\.(\d+))?$/.exec(total);
  if (!decimals) return `${total} ${currency}`.trim();
  const fractionDigits = Math.min(decimals[1]?.length ?? 0, 20);
  try {
    return new Intl.NumberFormat(language, {
      style: 'currency',
      currency,
      numberingSystem: 'latn',
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    }).format(total as `${number}`);
  } catch {
    return `${total} ${currency}`;
  }
};

const truncate = (text: string, limit: number): string => (text.length > limit ? `${text.slice(0, limit - 1).trimEnd()}…` : text);

export type PreviewItem = { name: string; variant: string | null; quantity: number };

export const formatOrderItems = (items: readonly PreviewItem[], language: Language): string => {
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

export type PreviewOrder = { customerName: string; number: string; total: string; currency: string; items: readonly PreviewItem[]; storeName: string };

export const buildPreviewVariables = (order: PreviewOrder, language: Language): Record<TemplateVariable, string> => ({
  customer_name: truncate(toSingleLine(order.customerName), MAXIMUM_ITEM_NAME_CHARACTERS),
  order_number: toSingleLine(order.number),
  total: formatOrderTotal(order.total, order.currency, language),
  currency: order.currency,
  items: formatOrderItems(order.items, language),
  store_name: toSingleLine(order.storeName),
});

/** The text the customer would receive for this template and order. */
export const renderPreview = (template: string, order: PreviewOrder, language: Language): string =>
  renderTemplate(template, buildPreviewVariables(order, language));

/** Variables the server refuses (it accepts only the documented ones), to warn while typing. */
export const unknownVariables = (template: string): string[] =>
  [...template.matchAll(PLACEHOLDER_PATTERN)].map((match) => match[1] ?? '').filter((name) => !isTemplateVariable(name));

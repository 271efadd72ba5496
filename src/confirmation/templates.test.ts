import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import type { NormalizedOrder } from '../ingest/order.ts';
import { parseReplyIntent } from './reply-intent.ts';
import { extractOrderCode } from './reply-text.ts';
import {
  DEFAULT_TEMPLATES,
  MESSAGE_LANGUAGES,
  TEMPLATE_KINDS,
  TEMPLATE_VARIABLE_NAMES,
  TemplateSetSchema,
  buildCustomerInitiatedLink,
  buildPrefilledConfirmationText,
  buildTemplateVariables,
  currencyWord,
  findPlaceholders,
  formatOrderItems,
  formatOrderTotal,
  pickLanguage,
  renderTemplate,
  resolveTemplate,
  type TemplateSet,
  type TemplateVariables,
} from './templates.ts';

const order: NormalizedOrder = {
  platform: 'salla',
  externalId: '123',
  number: '#1001',
  createdAt: '2026-05-01T10:00:00.000Z',
  currency: 'SAR',
  total: '1199.50',
  paymentMethod: 'cod',
  isCod: true,
  locale: 'ar',
  customer: { name: 'سارة أحمد', phone: '+966551234567', phoneRaw: '0551234567', phoneProblem: null },
  shippingAddress: null,
  items: [
    { name: 'عطر ورد', variant: '100 مل', sku: null, quantity: 2, unitPrice: '500.00' },
    { name: 'Shirt', variant: 'Default Title', sku: null, quantity: 1, unitPrice: '199.50' },
  ],
};

const variables: TemplateVariables = {
  customer_name: 'Sara',
  order_number: '#1001',
  total: 'SAR 199.00',
  currency: 'SAR',
  items: '2× Perfume (100 ml)',
  store_name: 'Rose Shop',
};

describe('renderTemplate', () => {
  it('fills every variable, with or without spaces inside the braces', () => {
    const template = TEMPLATE_VARIABLE_NAMES.map((name, index) => (index % 2 === 0 ? `{{${name}}}` : `{{ ${name} }}`)).join(' | ');

    expect(renderTemplate(template, variables)).toBe('Sara | #1001 | SAR 199.00 | SAR | 2× Perfume (100 ml) | Rose Shop');
  });

  it('leaves unknown and missing variables empty and tidies the gaps', () => {
    expect(renderTemplate('Hello {{customer_name}}, order {{nickname}} ({{total}}) is ready .', {})).toBe('Hello, order is ready.');
  });

  it('keeps the French space before a colon and a question mark', () => {
    expect(renderTemplate('Commande : {{order_number}} ?', variables)).toBe('Commande : #1001 ?');
  });

  it('does not expand placeholders that a customer typed into a value', () => {
    expect(renderTemplate('Hi {{customer_name}}', { customer_name: '{{store_name}}' })).toBe('Hi {{store_name}}');
  });

  it('strips control characters and keeps customer names on one line', () => {
    const rendered = renderTemplate('Hi {{customer_name}}\u0007!\r\nBye', { customer_name: 'Sara\n\n*Order cancelled*\u0000' });

    expect(rendered).toBe('Hi Sara *Order cancelled*!\nBye');
  });

  it('keeps the line breaks of the item list and no more than one blank line', () => {
    expect(renderTemplate('Items:\n{{items}}\n\n\n\nEnd', { items: '1× A\n2× B' })).toBe('Items:\n1× A\n2× B\n\nEnd');
  });

  it('does not escape HTML, because WhatsApp shows plain text', () => {
    expect(renderTemplate('{{customer_name}}', { customer_name: 'Tom & <Jerry>' })).toBe('Tom & <Jerry>');
  });

  it.each(MESSAGE_LANGUAGES)('renders every default %s template with the order filled in', (language) => {
    const filled = buildTemplateVariables({ ...order, storeName: 'متجر الورد' }, language);
    for (const kind of TEMPLATE_KINDS) {
      const message = renderTemplate(DEFAULT_TEMPLATES[language][kind], filled);
      expect(message).not.toMatch(/\{\{|\}\}/);
      expect(message).toContain(language === 'ar' ? '1001' : '#1001');
      expect(message.length).toBeLessThan(1000);
    }
    const confirm = renderTemplate(DEFAULT_TEMPLATES[language].confirm, filled);
    expect(confirm).toContain('سارة أحمد');
    expect(confirm).toContain('متجر الورد');
    expect(confirm).toContain(filled.total);
    expect(confirm).toContain(filled.items);
    // The two answers, one a line, each starting with its digit.
    expect(confirm).toMatch(/\n\*1\* [^\n]+\n\*2\* [^\n]+$/);
  });

  it('renders the Arabic confirmation as a native reader expects it', () => {
    const message = renderTemplate(DEFAULT_TEMPLATES.ar.confirm, buildTemplateVariables({ ...order, storeName: 'متجر الورد' }, 'ar'));

    expect(message).toBe(
      [
        'مرحبًا سارة أحمد،',
        'شكرًا لطلبك من متجر الورد.',
        '',
        'رقم الطلب: 1001',
        'المنتجات: 2× عطر ورد (100 مل)، 1× Shirt',
        'المبلغ المطلوب عند الاستلام: 1,199.50\u00A0ريال',
        '',
        'هل نؤكد طلبك؟ يرجى الرد بـ:',
        '*1* لتأكيد الطلب ✅',
        '*2* لإلغاء الطلب ❌',
      ].join('\n'),
    );
  });

  it('greets without a name when the order has none', () => {
    const filled = buildTemplateVariables({ ...order, customer: { ...order.customer, name: null }, storeName: 'Rose Shop' }, 'en');

    expect(renderTemplate(DEFAULT_TEMPLATES.en.confirm, filled).split('\n')[0]).toBe('Hello,');
    expect(renderTemplate(DEFAULT_TEMPLATES.ar.confirmed, filled).split('\n')[0]).toBe('شكرًا، تم تأكيد طلبك رقم #1001 ✅');
  });
});

describe('buildTemplateVariables', () => {
  it('takes the customer name from a stored row shape too', () => {
    const filled = buildTemplateVariables({ number: '1001', currency: 'MAD', total: '250.00', customerName: '  Youssef\nEl Amrani ', items: [], storeName: 'Souk' }, 'fr');

    expect(filled).toEqual({ customer_name: 'Youssef El Amrani', order_number: '1001', total: '250,00\u00A0DH', currency: 'DH', items: '', store_name: 'Souk' });
  });

  it('formats the total with the word customers use for their currency, with Latin digits in Arabic', () => {
    expect(formatOrderTotal('1199.50', 'SAR', 'ar')).toBe('1,199.50\u00A0ريال');
    expect(formatOrderTotal('1199.50', 'SAR', 'en')).toBe('SAR\u00A01,199.50');
    expect(formatOrderTotal('1199.50', 'SAR', 'fr')).toBe('1\u202F199,50\u00A0SAR');
    expect(formatOrderTotal('350.00', 'MAD', 'ar')).toBe('350.00\u00A0درهم');
    expect(formatOrderTotal('350.00', 'MAD', 'fr')).toBe('350,00\u00A0DH');
    expect(formatOrderTotal('99.00', 'EGP', 'ar')).toBe('99.00\u00A0جنيه');
    expect(formatOrderTotal('12.345', 'KWD', 'ar')).toBe('12.345\u00A0دينار');
    expect(formatOrderTotal('1500', 'DZD', 'fr')).toBe('1\u202F500\u00A0DA');
  });

  it('names the currency in the customer’s words for {{currency}}, the ISO code in English or when unknown', () => {
    expect(currencyWord('EGP', 'ar')).toBe('جنيه');
    expect(currencyWord('TND', 'fr')).toBe('DT');
    expect(currencyWord('TND', 'en')).toBe('TND');
    expect(currencyWord('JPY', 'ar')).toBe('JPY');
  });

  it('writes the order number without "#" in Arabic, which says «رقم» instead', () => {
    expect(buildTemplateVariables({ ...order, number: '#2001', storeName: 'S' }, 'ar').order_number).toBe('2001');
    expect(buildTemplateVariables({ ...order, number: '#2001', storeName: 'S' }, 'fr').order_number).toBe('#2001');
  });

  it("keeps the order's own minor digits, exactly", () => {
    expect(formatOrderTotal('12.345', 'KWD', 'en')).toBe('KWD\u00A012.345');
    expect(formatOrderTotal('5000.000', 'IQD', 'en')).toBe('IQD\u00A05,000.000');
    expect(formatOrderTotal('1500', 'JPY', 'en')).toBe('¥1,500');
    expect(formatOrderTotal('90071992547409.99', 'USD', 'en')).toBe('$90,071,992,547,409.99');
  });

  it('falls back to the plain amount and code when the total is not a decimal', () => {
    expect(formatOrderTotal('about 10', 'SAR', 'en')).toBe('about 10 SAR');
  });

  it('lists items as quantity × name (variant), skipping Shopify’s "Default Title"', () => {
    const items = [
      { name: 'Perfume', variant: '100 ml', quantity: 2 },
      { name: 'Shirt', variant: 'Default Title', quantity: 1 },
      { name: 'Cap', variant: null, quantity: 3 },
    ];

    expect(formatOrderItems(items, 'en')).toBe('2× Perfume (100 ml)\n1× Shirt\n3× Cap');
    expect(formatOrderItems(items, 'ar')).toBe('2× Perfume (100 ml)، 1× Shirt، 3× Cap');
  });

  it('lists at most ten items, then a count, and shortens very long names', () => {
    const items = Array.from({ length: 13 }, (_, index) => ({ name: `Item ${index + 1}`, variant: null, quantity: 1 }));

    expect(formatOrderItems(items, 'en').split('\n')).toHaveLength(11);
    expect(formatOrderItems(items, 'en').endsWith('+3 more')).toBe(true);
    expect(formatOrderItems(items, 'ar').endsWith('+3 أخرى')).toBe(true);
    expect(formatOrderItems(items, 'fr').endsWith('+3 autres')).toBe(true);
    const [long] = formatOrderItems([{ name: 'x'.repeat(300), variant: null, quantity: 1 }], 'en').split('\n');
    expect(long?.length).toBe(83);
    expect(long?.endsWith('…')).toBe(true);
  });
});

describe('TemplateSetSchema', () => {
  it('accepts partial overrides that use known variables', () => {
    const parsed = TemplateSetSchema.parse({ fr: { confirm: '  Bonjour {{ customer_name }}, {{total}} ?  ' }, ar: {} });

    expect(parsed).toEqual({ fr: { confirm: 'Bonjour {{ customer_name }}, {{total}} ?' }, ar: {} });
  });

  it('rejects an unknown variable and names it', () => {
    const result = TemplateSetSchema.safeParse({ en: { confirm: 'Hi {{first_name}}' } });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('{{first_name}}');
    expect(result.error?.issues[0]?.path).toEqual(['en', 'confirm']);
  });

  it('rejects unbalanced braces', () => {
    expect(TemplateSetSchema.safeParse({ en: { confirm: 'Hi {{customer_name}' } }).success).toBe(false);
    expect(TemplateSetSchema.safeParse({ en: { confirm: 'Hi customer_name}}' } }).success).toBe(false);
  });

  it('rejects texts over 1,000 characters, empty texts, and unknown languages or kinds', () => {
    expect(TemplateSetSchema.safeParse({ en: { confirm: 'a'.repeat(1001) } }).success).toBe(false);
    expect(TemplateSetSchema.safeParse({ en: { confirm: 'a'.repeat(1000) } }).success).toBe(true);
    expect(TemplateSetSchema.safeParse({ en: { confirm: '   ' } }).success).toBe(false);
    expect(TemplateSetSchema.safeParse({ de: { confirm: 'Hallo' } }).success).toBe(false);
    expect(TemplateSetSchema.safeParse({ en: { confirmation: 'Hi' } }).success).toBe(false);
  });

  it('accepts every default template', () => {
    expect(TemplateSetSchema.parse(DEFAULT_TEMPLATES)).toEqual(DEFAULT_TEMPLATES);
  });

  it('validates and renders adversarial templates in linear time (no regex backtracking)', () => {
    // `{{` and a thousand spaces took the old placeholder regex 0.6 s per pass, 5 s per PATCH.
    const adversarial = [
      `{{${' '.repeat(998)}`,
      `{{ a${' '.repeat(995)}`,
      `{{${'x'.repeat(997)}}`,
      '{{'.repeat(500),
      '{{ }'.repeat(250),
      `{{${' \t\n'.repeat(333)}`,
    ];
    const check = (templates: TemplateSet, template: string | null) => {
      const started = performance.now();
      const result = TemplateSetSchema.safeParse(templates);
      if (template !== null) renderTemplate(template, variables);

      expect(result.success).toBe(false);
      expect(performance.now() - started).toBeLessThan(50);
    };
    for (const template of adversarial) {
      const kinds = { confirm: template, confirmed: template, cancelled: template, reminder: template, clarify: template };
      check({ ar: kinds, en: kinds, fr: kinds }, template);
    }
    // As much as one request body can carry (refused before rendering could ever see it).
    check({ en: { confirm: `{{ a${' '.repeat(1024 * 1024 - 8)}` } }, null);
  });
});

describe('findPlaceholders', () => {
  // The expression the linear scan replaced: the same matches, only without the backtracking.
  const findWithRegex = (text: string) =>
    [...text.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)].map((match) => ({ start: match.index, end: match.index + match[0].length, name: match[1] ?? '' }));

  it('finds exactly what the former regular expression found', () => {
    const text = fc.string({ unit: fc.constantFrom('{', '}', ' ', '\n', 'a', '_', 'é'), maxLength: 40 });
    fc.assert(fc.property(text, (template) => {
      expect(findPlaceholders(template)).toEqual(findWithRegex(template));
    }), { numRuns: 2000 });
  });
});

describe('resolveTemplate', () => {
  it("uses the store's override for that language and kind, else the default", () => {
    const overrides = { en: { confirm: 'Custom {{order_number}}' } };

    expect(resolveTemplate(overrides, 'en', 'confirm')).toBe('Custom {{order_number}}');
    expect(resolveTemplate(overrides, 'en', 'reminder')).toBe(DEFAULT_TEMPLATES.en.reminder);
    expect(resolveTemplate(overrides, 'ar', 'confirm')).toBe(DEFAULT_TEMPLATES.ar.confirm);
    expect(resolveTemplate(null, 'fr', 'clarify')).toBe(DEFAULT_TEMPLATES.fr.clarify);
    expect(resolveTemplate({ en: { confirm: '  ' } }, 'en', 'confirm')).toBe(DEFAULT_TEMPLATES.en.confirm);
  });
});

describe('pickLanguage', () => {
  it.each([
    ['ar', 'en', 'ar'],
    ['fr-MA', 'ar', 'fr'],
    ['EN', 'ar', 'en'],
    ['de', 'fr', 'fr'],
    [null, 'en', 'en'],
    [null, 'de', 'ar'],
    [undefined, null, 'ar'],
  ] as const)('picks the language for order locale %s and store language %s', (locale, storeLanguage, language) => {
    expect(pickLanguage(locale, storeLanguage)).toBe(language);
  });
});

describe('buildCustomerInitiatedLink', () => {
  it('builds a wa.me link to the digits of the number with the text encoded', () => {
    expect(buildCustomerInitiatedLink('+966551234567', 'AK7F3K2Q', 'en')).toBe('https://wa.me/966551234567?text=Confirm%20order%20%23AK7F3K2Q');
    expect(buildCustomerInitiatedLink('+212 600-123456', '#1001', 'fr')).toBe('https://wa.me/212600123456?text=Confirmer%20la%20commande%20%231001');
  });

  it.each(MESSAGE_LANGUAGES)('round-trips the %s prefilled text to the order code and a confirmation', (language) => {
    for (const [code, expected] of [
      ['AK7F3K2Q', 'AK7F3K2Q'],
      ['#1001', '1001'],
      ['ORD-2026-77', 'ORD-2026-77'],
    ] as const) {
      const link = new URL(buildCustomerInitiatedLink('+971501234567', code, language));
      const text = link.searchParams.get('text') ?? '';

      expect(link.origin + link.pathname).toBe('https://wa.me/971501234567');
      expect(text).toBe(buildPrefilledConfirmationText(code, language));
      expect(extractOrderCode(text)).toBe(expected);
      expect(parseReplyIntent(text)).toBe('confirm');
    }
  });

  it('refuses a phone that is not E.164 and an empty or multi-word code', () => {
    expect(() => buildCustomerInitiatedLink('0551234567', 'AK7F3K2Q', 'ar')).toThrow(AppError);
    expect(() => buildCustomerInitiatedLink('+966551234567', ' # ', 'ar')).toThrow(AppError);
    expect(() => buildCustomerInitiatedLink('+966551234567', '10 01', 'ar')).toThrow(AppError);
  });
});

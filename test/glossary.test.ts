import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderBillingEmail, type BillingEmail } from '../src/billing/billing-emails.ts';
import { buildPrefilledConfirmationText } from '../src/confirmation/templates.ts';
import { buildTemplateVariables, DEFAULT_TEMPLATES, formatOrderItems, renderTemplate, TEMPLATE_KINDS } from '../src/confirmation/message-templates.ts';
import { EMAIL_LANGUAGES, renderAccountDeletedEmail, renderPasswordResetEmail, renderVerificationEmail, type EmailLanguage } from '../src/email/templates.ts';
import { renderMerchantAlert, type MerchantAlert } from '../src/notifications/merchant-emails.ts';

/*
 * docs/glossary.json: one term per concept, and the variants that must never come back. Every text
 * a merchant or a customer reads is scanned: the dashboard's locale files, every email in every
 * language, and the default WhatsApp messages rendered on a sample order.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LANGUAGES = ['ar', 'en', 'fr'] as const;
type Language = (typeof LANGUAGES)[number];

const BannedSchema = z.strictObject({
  language: z.enum(LANGUAGES),
  pattern: z.string().min(1),
  example: z.string().min(1),
  why: z.string().min(1),
  scope: z.string().optional(),
});
const GlossarySchema = z.object({
  terms: z.array(
    z.strictObject({
      id: z.string(),
      concept: z.string(),
      en: z.string(),
      ar: z.string(),
      fr: z.string(),
      note: z.string().optional(),
      banned: z.array(BannedSchema).optional(),
    }),
  ),
});

const glossary = GlossarySchema.parse(JSON.parse(readFileSync(path.join(root, 'docs/glossary.json'), 'utf8')));

/** Vowel marks, shadda, tanween, the superscript alif, tatweel and bidi marks never decide a word. */
const normalize = (text: string): string => text.normalize('NFC').replace(/[\u064B-\u065F\u0670\u0640\u200E\u200F\u061C\u2066-\u2069]/g, '');

const compile = (banned: z.infer<typeof BannedSchema>): RegExp =>
  new RegExp(`(?<![\\p{L}\\p{N}])(?:${normalize(banned.pattern)})(?![\\p{L}\\p{N}])`, banned.language === 'ar' ? 'gu' : 'giu');

type Source = { id: string; language: Language; text: string };

const flatten = (value: unknown, prefix: string): { key: string; text: string }[] =>
  typeof value === 'string'
    ? [{ key: prefix, text: value }]
    : Object.entries((value ?? {}) as Record<string, unknown>).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key));

const dashboardSources = (): Source[] =>
  LANGUAGES.flatMap((language) => {
    const directory = path.join(root, 'dashboard/src/i18n/locales', language);

    return readdirSync(directory)
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) =>
        flatten(JSON.parse(readFileSync(path.join(directory, file), 'utf8')), '').map(({ key, text }) => ({ id: `dashboard/${language}/${file}:${key}`, language, text })),
      );
  });

const MERCHANT_ALERTS: MerchantAlert[] = ['credits_exhausted', 'number_logged_out', 'number_banned', 'number_disconnected'];
const BILLING_EMAILS: BillingEmail[] = [
  { kind: 'receipt', amount: '19.00', currency: 'USD', periodStart: new Date('2026-05-01'), periodEnd: new Date('2026-06-01'), invoiceId: 'in_1', url: 'https://example.com/i' },
  { kind: 'payment_failed', amount: '19.00', currency: 'USD', invoiceId: 'in_1', url: 'https://example.com/i' },
  { kind: 'credits_low', balance: 3, url: 'https://example.com/b' },
  { kind: 'subscription_cancelled', url: 'https://example.com/b' },
];

const emailSources = (): Source[] =>
  EMAIL_LANGUAGES.flatMap((language: EmailLanguage) => {
    const emails = [
      ['verification', renderVerificationEmail(language, 'https://example.com/v')],
      ['password-reset', renderPasswordResetEmail(language, 'https://example.com/r')],
      ['account-deleted', renderAccountDeletedEmail(language, 'owner@example.com')],
      ...MERCHANT_ALERTS.map((alert) => [`alert-${alert}`, renderMerchantAlert(alert, language, 'Sara', 'https://example.com/n')] as const),
      ...BILLING_EMAILS.map((email) => [`billing-${email.kind}`, renderBillingEmail(email, language, 'Sara')] as const),
    ] as const;

    return emails.map(([name, email]) => ({ id: `email/${name}.${language}`, language, text: `${email.subject}\n${email.text}` }));
  });

const SAMPLE_ORDER = {
  number: '#2001',
  currency: 'MAD',
  total: '249.00',
  storeName: 'Rose Shop',
  customerName: 'Sara',
  items: [{ name: 'Argan oil', variant: '100 ml', quantity: 2 }],
};

const whatsappSources = (): Source[] =>
  LANGUAGES.flatMap((language) => [
    ...TEMPLATE_KINDS.map((kind) => ({
      id: `whatsapp/${kind}.${language}`,
      language,
      text: renderTemplate(DEFAULT_TEMPLATES[language][kind], buildTemplateVariables(SAMPLE_ORDER, language)),
    })),
    { id: `whatsapp/items-more.${language}`, language, text: formatOrderItems(Array.from({ length: 12 }, () => SAMPLE_ORDER.items[0]!), language) },
    { id: `whatsapp/prefilled.${language}`, language, text: buildPrefilledConfirmationText('AK7F3K2Q', language) },
  ]);

const sources = [...dashboardSources(), ...emailSources(), ...whatsappSources()];

const bannedEntries = glossary.terms.flatMap((term) => (term.banned ?? []).map((banned) => ({ term, banned, pattern: compile(banned) })));

describe('the glossary', () => {
  it('has one entry per concept, each with Arabic and French', () => {
    const ids = glossary.terms.map((term) => term.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(glossary.terms.filter((term) => !term.ar.trim() || !term.fr.trim())).toEqual([]);
  });

  it('bans what each example shows, and never the term it prefers', () => {
    const problems: string[] = [];
    for (const { term, banned, pattern } of bannedEntries) {
      if (normalize(banned.example).match(pattern) === null) problems.push(`${term.id}: /${banned.pattern}/ misses its example «${banned.example}»`);
      const preferred = normalize(term[banned.language]);
      if (preferred.match(pattern) !== null) problems.push(`${term.id}: /${banned.pattern}/ bans the preferred «${term[banned.language]}»`);
    }
    expect(problems).toEqual([]);
  });

  it('is written out for people in docs/glossary.md, term for term', () => {
    const page = readFileSync(path.join(root, 'docs/glossary.md'), 'utf8');
    const missing = glossary.terms.flatMap((term) => (['ar', 'fr'] as const).filter((language) => !page.includes(term[language])).map((language) => `${term.id}.${language}: ${term[language]}`));
    expect(missing).toEqual([]);
  });

  it('finds something to read in every language', () => {
    for (const language of LANGUAGES) expect(sources.filter((source) => source.language === language).length).toBeGreaterThan(500);
  });

  it.each(LANGUAGES)('has no banned variant anywhere in the %s texts (dashboard, emails, WhatsApp messages)', (language) => {
    const found: string[] = [];
    for (const source of sources.filter((candidate) => candidate.language === language)) {
      const text = normalize(source.text);
      for (const { term, banned, pattern } of bannedEntries) {
        if (banned.language !== language || (banned.scope && !source.id.startsWith(banned.scope))) continue;
        for (const match of text.matchAll(pattern)) found.push(`${source.id}: «${match[0]}» (${term.id}: ${banned.why})`);
      }
    }
    expect(found).toEqual([]);
  });
});

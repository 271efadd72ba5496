import { z } from 'zod';
import { AppError } from '../errors.ts';
import {
  isTemplateVariableName,
  MAXIMUM_TEMPLATE_CHARACTERS,
  findPlaceholders,
  replacePlaceholders,
  TEMPLATE_VARIABLE_NAMES,
  toSingleLine,
  type MessageLanguage,
} from './message-templates.ts';

export * from './message-templates.ts';

/**
 * One merchant-written template: at most 1,000 characters, only the documented variables, and no
 * stray braces, so a typo shows when the merchant saves instead of as a gap in a customer's message.
 */
export const TemplateTextSchema = z
  .string()
  .trim()
  .min(1)
  // A text over the limit is not scanned for variables.
  .max(MAXIMUM_TEMPLATE_CHARACTERS, { abort: true })
  .superRefine((text, context) => {
    for (const { name } of findPlaceholders(text)) {
      if (!isTemplateVariableName(name)) {
        context.addIssue({ code: 'custom', message: `unknown variable {{${name}}}; use one of ${TEMPLATE_VARIABLE_NAMES.map((variable) => `{{${variable}}}`).join(' ')}` });
      }
    }
    const withoutPlaceholders = replacePlaceholders(text, () => '');
    if (withoutPlaceholders.includes('{{') || withoutPlaceholders.includes('}}')) {
      context.addIssue({ code: 'custom', message: 'unbalanced "{{" or "}}"; write variables as {{customer_name}}' });
    }
  });

const TemplateKindsSchema = z.strictObject({
  confirm: TemplateTextSchema.optional(),
  confirmed: TemplateTextSchema.optional(),
  cancelled: TemplateTextSchema.optional(),
  reminder: TemplateTextSchema.optional(),
  clarify: TemplateTextSchema.optional(),
});

/** A store's overrides: any language, any kind; what is missing falls back to the defaults. */
export const TemplateSetSchema = z.strictObject({
  ar: TemplateKindsSchema.optional(),
  en: TemplateKindsSchema.optional(),
  fr: TemplateKindsSchema.optional(),
});
export type TemplateSet = z.infer<typeof TemplateSetSchema>;

const PREFILLED_CONFIRMATION = { ar: 'تأكيد الطلب', en: 'Confirm order', fr: 'Confirmer la commande' } as const satisfies Record<MessageLanguage, string>;

/**
 * The text the customer-initiated link prefills: "Confirm order #AK7F3K2Q". The "#" marks the code
 * for `extractOrderCode` (reply-intent.ts) even when the customer edits the words around it, and
 * the words read as a confirmation to `parseReplyIntent`.
 */
export const buildPrefilledConfirmationText = (orderCode: string, language: MessageLanguage): string => {
  const code = toSingleLine(orderCode).replace(/^#+\s*/, '');
  if (code.length === 0 || /\s/.test(code)) throw new AppError('bad_request', { message: 'an order code is one word, such as "AK7F3K2Q" or "1001"' });

  return `${PREFILLED_CONFIRMATION[language]} #${code}`;
};

/**
 * `https://wa.me/<digits>?text=...`: a link for the store's thank-you page that opens a chat with the
 * merchant's number with the confirmation prefilled. The customer writing first is what lets a
 * linked device answer at all (WhatsApp error 463 refuses cold contacts; DESIGN.md §2).
 */
export const buildCustomerInitiatedLink = (merchantPhoneE164: string, orderCode: string, language: MessageLanguage): string => {
  const phone = merchantPhoneE164.replace(/[\s().-]/g, '');
  if (!/^\+[1-9]\d{6,14}$/.test(phone)) throw new AppError('bad_request', { message: 'the merchant phone must be in E.164 form, such as +966551234567' });

  return `https://wa.me/${phone.slice(1)}?text=${encodeURIComponent(buildPrefilledConfirmationText(orderCode, language))}`;
};

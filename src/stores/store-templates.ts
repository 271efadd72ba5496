import { z } from 'zod';

/**
 * A store's own message templates, per language and kind, replacing the defaults. Only the
 * documented variables may be used, so a typo shows up when the merchant saves, not as a blank
 * in a customer's message.
 */
export const TEMPLATE_VARIABLES = ['customer_name', 'order_number', 'total', 'currency', 'items', 'store_name'] as const;
export const TEMPLATE_KINDS = ['confirm', 'confirmed', 'cancelled', 'reminder', 'clarify'] as const;
export const TEMPLATE_LANGUAGES = ['ar', 'en', 'fr'] as const;

const TemplateTextSchema = z
  .string()
  .trim()
  .min(1)
  .max(1000)
  .superRefine((text, context) => {
    for (const match of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      const name = match[1] ?? '';
      if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
        context.addIssue({ code: 'custom', message: `unknown variable {{${name}}}; use one of ${TEMPLATE_VARIABLES.map((variable) => `{{${variable}}}`).join(' ')}` });
      }
    }
  });

const TemplateKindsSchema = z.object(Object.fromEntries(TEMPLATE_KINDS.map((kind) => [kind, TemplateTextSchema.optional()])) as Record<(typeof TEMPLATE_KINDS)[number], z.ZodOptional<typeof TemplateTextSchema>>);

export const StoreTemplatesSchema = z
  .object(Object.fromEntries(TEMPLATE_LANGUAGES.map((language) => [language, TemplateKindsSchema.optional()])) as Record<(typeof TEMPLATE_LANGUAGES)[number], z.ZodOptional<typeof TemplateKindsSchema>>)
  .strict();

export type StoreTemplates = z.infer<typeof StoreTemplatesSchema>;

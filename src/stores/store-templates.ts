import { z } from 'zod';
import {
  MESSAGE_LANGUAGES,
  TEMPLATE_KINDS,
  TemplateTextSchema,
  type MessageLanguage,
  type TemplateKind,
  type TemplateSet,
} from '../confirmation/templates.ts';

/**
 * A store's own message templates, per language and kind, replacing the defaults; validated by
 * the same schema the confirmation flow renders with (only documented variables are allowed).
 */
export { TemplateSetSchema as StoreTemplatesSchema, type TemplateSet as StoreTemplates } from '../confirmation/templates.ts';

const RemovableTemplateTextSchema = TemplateTextSchema.nullable().optional().describe('The new text, or null to remove this override and use the default again');

const TemplateKindChangesSchema = z.strictObject({
  confirm: RemovableTemplateTextSchema,
  confirmed: RemovableTemplateTextSchema,
  cancelled: RemovableTemplateTextSchema,
  reminder: RemovableTemplateTextSchema,
  clarify: RemovableTemplateTextSchema,
} satisfies Record<TemplateKind, z.ZodType>);

const RemovableTemplateKindsSchema = TemplateKindChangesSchema.nullable().optional().describe("This language's changes, or null to remove all of its overrides");

/**
 * What a PATCH may say about the overrides: text sets a kind, `null` removes a kind's override or a
 * whole language's, and what is left out stays as it is. Creation takes `StoreTemplatesSchema`.
 */
export const StoreTemplateChangesSchema = z
  .strictObject({
    ar: RemovableTemplateKindsSchema,
    en: RemovableTemplateKindsSchema,
    fr: RemovableTemplateKindsSchema,
  } satisfies Record<MessageLanguage, z.ZodType>)
  .describe('Overrides per language and kind, merged into the current ones; null removes an override (a kind) or all of a language');
export type StoreTemplateChanges = z.infer<typeof StoreTemplateChangesSchema>;

/**
 * The overrides after `changes`, without nulls or empty languages, so what is stored and answered
 * lists only real overrides.
 */
export const applyTemplateChanges = (current: TemplateSet, changes: StoreTemplateChanges | TemplateSet): TemplateSet => {
  const templates: TemplateSet = {};
  for (const language of MESSAGE_LANGUAGES) {
    const languageChanges = changes[language];
    if (languageChanges === null) continue;
    const kinds: Partial<Record<TemplateKind, string>> = { ...current[language] };
    for (const kind of TEMPLATE_KINDS) {
      const text = languageChanges?.[kind];
      if (text === null) delete kinds[kind];
      else if (text !== undefined) kinds[kind] = text;
    }
    if (Object.keys(kinds).length > 0) templates[language] = kinds;
  }

  return templates;
};

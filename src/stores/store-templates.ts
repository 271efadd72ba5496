/**
 * A store's own message templates, per language and kind, replacing the defaults; validated by
 * the same schema the confirmation flow renders with (only documented variables are allowed).
 */
export { TemplateSetSchema as StoreTemplatesSchema, type TemplateSet as StoreTemplates } from '../confirmation/templates.ts';

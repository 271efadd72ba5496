import type { Language } from '../../api/types.ts';
import {
  buildTemplateVariables,
  DEFAULT_TEMPLATES,
  findPlaceholders,
  isTemplateVariableName,
  renderTemplate,
  type TemplateItem,
} from '../../../../src/confirmation/message-templates.ts';

/*
 * The template editor's preview renders with the server's own module (defaults, variables,
 * formatting), so what the merchant sees is exactly what a customer receives.
 */
export { DEFAULT_TEMPLATES };

export type PreviewItem = TemplateItem;

export type PreviewOrder = { customerName: string; number: string; total: string; currency: string; items: readonly PreviewItem[]; storeName: string };

/** The text the customer would receive for this template and order. */
export const renderPreview = (template: string, order: PreviewOrder, language: Language): string =>
  renderTemplate(template, buildTemplateVariables(order, language));

/** Variables the server refuses (it accepts only the documented ones), to warn while typing. */
export const unknownVariables = (template: string): string[] =>
  findPlaceholders(template)
    .map((placeholder) => placeholder.name)
    .filter((name) => !isTemplateVariableName(name));

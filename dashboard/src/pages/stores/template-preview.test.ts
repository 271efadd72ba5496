import { describe, expect, it } from 'vitest';
import * as server from '../../../../src/confirmation/templates.ts';
import { STORE_LANGUAGES, TEMPLATE_KINDS } from '../../api/stores.ts';
import { DEFAULT_TEMPLATES, renderPreview, unknownVariables, type PreviewOrder } from './template-preview.ts';

const order: PreviewOrder = {
  customerName: '  Sara\nAl-Harbi ',
  number: '#1042',
  total: '249.500',
  currency: 'KWD',
  items: [
    { name: 'Argan oil', variant: '100 ml', quantity: 2 },
    { name: 'Black soap', variant: 'Default Title', quantity: 1 },
  ],
  storeName: 'Dar Al Zain',
};

describe('template editor against the server', () => {

  it.each(STORE_LANGUAGES)('previews each %s message exactly as the customer receives it', (language) => {
    for (const kind of TEMPLATE_KINDS) {
      const template = `${DEFAULT_TEMPLATES[language][kind]}\n{{currency}} ( {{unknown}} ) {{ items }}`;
      const expected = server.renderTemplate(
        template,
        server.buildTemplateVariables({ ...order, customer: { name: order.customerName } }, language),
      );
      expect(renderPreview(template, order, language)).toBe(expected);
    }
  });

  it('names the variables the server would refuse', () => {
    expect(unknownVariables('Hi {{customer_name}} {{ name }} {{total}}{{phone}}')).toEqual(['name', 'phone']);
  });
});

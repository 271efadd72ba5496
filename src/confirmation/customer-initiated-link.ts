import type { Queryable } from '../db/database.ts';
import { buildCustomerInitiatedLink, pickLanguage } from './templates.ts';

/**
 * The `wa.me` link a store puts on its thank-you page when WhatsApp refused to let its linked
 * number write first (error 463): the customer sends the prefilled "confirm order CODE" text
 * themselves. Null when the order is not in that state or the store has no number.
 */
export const readCustomerInitiatedLink = async (
  queryable: Queryable,
  order: { storeId: string; code: string; locale: string | null; failureReason: string | null },
): Promise<string | null> => {
  if (order.failureReason !== 'reach_out_restricted') return null;
  const [store] = await queryable.query<{ phone: string | null; language: string }>(
    'select n.phone, s.language from stores s join whatsapp_numbers n on n.id = s.whatsapp_number_id where s.id = $1',
    [order.storeId],
  );
  if (!store?.phone) return null;

  return buildCustomerInitiatedLink(store.phone, order.code, pickLanguage(order.locale, store.language));
};

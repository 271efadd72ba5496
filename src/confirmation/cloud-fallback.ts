import type { Transaction } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { findStoreForWebhook } from '../stores/stores.ts';
import { OUTBOUND_ORDER_SELECT, queueOutboundMessage, type OutboundOrder } from './outbound-messages.ts';

/**
 * WhatsApp refused a cold contact (463), or keeps the store's number from writing first for now:
 * when the store has a Cloud API fallback, ask with its approved template from that number (one
 * credit). Returns whether the fallback was queued.
 */
export const sendThroughCloudFallback = async (transaction: Transaction, orderId: string, failedNumberId: string): Promise<boolean> => {
  const [order] = await transaction.query<OutboundOrder>(`${OUTBOUND_ORDER_SELECT} where o.id = $1 for update of o`, [orderId]);
  if (!order) return false;
  const store = await findStoreForWebhook(transaction, order.store_id);
  const fallback = store?.settings.cloudFallback;
  if (!store || !fallback || fallback.whatsappNumberId === failedNumberId) return false;
  const [number] = await transaction.query<{ status: string }>("select status from whatsapp_numbers where id = $1 and provider = 'cloud'", [fallback.whatsappNumberId]);
  if (!number || number.status === 'banned') return false;
  try {
    await queueOutboundMessage(transaction, {
      order,
      store,
      kind: 'confirmation',
      viaCloudTemplate: { numberId: fallback.whatsappNumberId, templateName: fallback.templateName, languageCode: fallback.languageCode, parameters: fallback.parameters },
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'no_credits') return false;
    throw error;
  }
  await transaction.query("insert into order_events (id, account_id, order_id, status, cause) values ($1, $2, $3, $4, 'reach_out_restricted_cloud_fallback')", [
    newId('event'),
    order.account_id,
    orderId,
    order.status,
  ]);

  return true;
};

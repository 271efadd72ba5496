import { refundCredit } from '../billing/credits.ts';
import type { Database, Transaction } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { findStoreForWebhook } from '../stores/stores.ts';
import { OUTBOUND_ORDER_SELECT, queueOutboundMessage, type OutboundOrder } from './outbound-messages.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { notifyMerchantJob } from '../notifications/notify-merchant-job.ts';
import { transitionOrder } from '../orders/order-status.ts';
import type { SessionManagerHooks } from '../whatsapp/session-manager.ts';
import { handleInboundMessage } from './handle-inbound.ts';

/**
 * WhatsApp refused a cold contact (463): when the store has a Cloud API fallback, ask again with
 * its approved template from that number (one credit). Returns whether the fallback was queued.
 */
const sendThroughCloudFallback = async (transaction: Transaction, orderId: string, failedNumberId: string): Promise<boolean> => {
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

/** How the WhatsApp layer hands events to the confirmation flow. */
export const createConfirmationHooks = (dependencies: { database: Database; queue: JobQueue; logger: Logger }): SessionManagerHooks => ({
  onInbound: async (context, message) => {
    const outcome = await handleInboundMessage(dependencies, context, message);
    dependencies.logger.info({ numberId: context.numberId, outcome }, 'inbound message handled');
  },
  onSendFailed: async (message, reason) => {
    await dependencies.database.transaction(async (transaction) => {
      // The message never reached the customer: its credit goes back.
      await refundCredit(transaction, { accountId: message.accountId, messageId: message.id, reason: `not delivered: ${reason}` });
      if (!message.orderId || message.kind !== 'confirmation') return;
      if (reason === 'reach_out_restricted' && (await sendThroughCloudFallback(transaction, message.orderId, message.numberId))) return;
      await transitionOrder(transaction, { orderId: message.orderId, status: 'failed', cause: reason, failureReason: reason });
    });
  },
  onNumberAlert: async (context, kind) => {
    await dependencies.queue.enqueue(
      notifyMerchantJob,
      { accountId: context.accountId, kind: `number_${kind}`, numberId: context.numberId },
      { dedupeKey: `number-alert:${context.numberId}:${kind}` },
    );
  },
});

import { z } from 'zod';
import type { Transaction } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { defineJob } from '../jobs/define-job.ts';
import { transitionOrder } from '../orders/order-status.ts';
import { findStoreForWebhook } from '../stores/stores.ts';
import { OUTBOUND_ORDER_SELECT, queueOutboundMessage, type OutboundOrder } from './outbound-messages.ts';
import { scheduleFollowUps } from './follow-up-job.ts';
import { notifyMerchantJob } from '../notifications/notify-merchant-job.ts';

/**
 * Prepares the confirmation question of one order: checks the order still wants it, takes one
 * credit and queues the message for the number's worker, all in one transaction. Runs once per
 * order whatever the retries: a second run finds the message already queued and does nothing.
 */
export const sendConfirmationJob = defineJob({
  name: 'confirmation.send',
  schema: z.object({ orderId: z.string(), accountId: z.string(), storeId: z.string() }),
  retry: { limit: 5, delaySeconds: 5, backoff: true, maximumDelaySeconds: 300 },
  policy: 'stately',
  expireInSeconds: 120,
  handle: async ({ orderId, storeId }, { services }) => {
    const { database, queue } = services;
    const outcome = await database.transaction(async (transaction): Promise<'queued' | 'no_credits' | 'nothing'> => {
      const [order] = await transaction.query<OutboundOrder>(`${OUTBOUND_ORDER_SELECT} where o.id = $1 for update of o`, [orderId]);
      if (!order || order.status !== 'queued') return 'nothing';
      const [existing] = await transaction.query("select 1 from messages where order_id = $1 and kind = 'confirmation'", [orderId]);
      if (existing) return 'nothing';
      const store = await findStoreForWebhook(transaction, storeId);
      if (!store) return 'nothing';
      const numberProblem = await readNumberProblem(transaction, store.whatsappNumberId);
      if (numberProblem) {
        await transitionOrder(transaction, { orderId, status: 'failed', cause: numberProblem, failureReason: numberProblem });

        return 'nothing';
      }
      const messageId = await queueOutboundMessage(transaction, { order, store, kind: 'confirmation' }).catch(async (error: unknown) => {
        if (error instanceof AppError && error.code === 'no_credits') return null;
        throw error;
      });
      if (!messageId) {
        await transitionOrder(transaction, { orderId, status: 'failed', cause: 'no_credits', failureReason: 'no_credits' });

        return 'no_credits';
      }
      await scheduleFollowUps(transaction, queue, { orderId, accountId: store.accountId, storeId, settings: store.settings, timezone: store.timezone });

      return 'queued';
    });
    if (outcome === 'no_credits') {
      const [order] = await database.query<{ account_id: string }>('select account_id from orders where id = $1', [orderId]);
      if (order) await queue.enqueue(notifyMerchantJob, { accountId: order.account_id, kind: 'credits_exhausted' }, { dedupeKey: `credits_exhausted:${order.account_id}` });
    }
  },
});

/** Why the store's number cannot send now, or null when it can. */
const readNumberProblem = async (transaction: Transaction, numberId: string | null): Promise<string | null> => {
  if (!numberId) return 'no_whatsapp_number';
  const [number] = await transaction.query<{ status: string }>('select status from whatsapp_numbers where id = $1', [numberId]);
  if (!number) return 'no_whatsapp_number';
  if (number.status === 'logged_out' || number.status === 'banned') return 'number_disconnected';

  return null;
};

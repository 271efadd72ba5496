import { scheduleFollowUps } from '../confirmation/follow-up-job.ts';
import { OUTBOUND_ORDER_SELECT, queueOutboundMessage, type OutboundOrder } from '../confirmation/outbound-messages.ts';
import { writeBackJob } from '../confirmation/write-back-job.ts';
import type { Database, Transaction } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { findStoreForWebhook } from '../stores/stores.ts';
import { transitionOrder, type OrderStatus } from './order-status.ts';
import type { Metrics } from '../metrics.ts';

type Dependencies = { database: Database; queue: JobQueue; metrics?: Pick<Metrics, 'creditsConsumed'> };

/** Statuses from which a merchant may ask again (the customer never answered, or the send failed). */
const RESENDABLE: ReadonlySet<OrderStatus> = new Set(['failed', 'no_response', 'skipped', 'sent', 'delivered', 'read']);

const lockOrder = async (transaction: Transaction, accountId: string, orderId: string) => {
  const [order] = await transaction.query<OutboundOrder>(
    `${OUTBOUND_ORDER_SELECT} where o.id = $1 and o.account_id = $2 for update of o`,
    [orderId, accountId],
  );
  if (!order) throw new AppError('not_found', { message: 'order not found' });

  return order;
};

/** Sends the confirmation question again (one credit), e.g. after the merchant fixed the number. */
export const resendConfirmation = async (dependencies: Dependencies, accountId: string, orderId: string): Promise<void> => {
  await dependencies.database.transaction(async (transaction) => {
    const order = await lockOrder(transaction, accountId, orderId);
    if (!RESENDABLE.has(order.status)) throw new AppError('invalid_state', { message: `an order that is ${order.status} cannot be sent again` });
    if (!order.customer_phone) throw new AppError('invalid_phone', { message: 'the order has no usable WhatsApp phone' });
    const store = await findStoreForWebhook(transaction, order.store_id);
    if (!store?.whatsappNumberId) throw new AppError('invalid_state', { message: 'the store has no WhatsApp number' });
    await transitionOrder(transaction, { orderId, status: 'queued', cause: 'manual_resend', isManual: true });
    await queueOutboundMessage(transaction, { order, store, kind: 'confirmation' });
    await scheduleFollowUps(transaction, dependencies.queue, { orderId, accountId, storeId: store.id, settings: store.settings, timezone: store.timezone });
  });
  dependencies.metrics?.creditsConsumed.inc();
};

/** The merchant confirms or cancels by hand (a phone call, say); written back like a customer's answer. */
export const decideOrder = async (dependencies: Dependencies, accountId: string, orderId: string, status: 'confirmed' | 'cancelled'): Promise<void> => {
  await dependencies.database.transaction(async (transaction) => {
    const order = await lockOrder(transaction, accountId, orderId);
    if (order.status === status) return;
    await transitionOrder(transaction, { orderId, status, cause: 'manual', isManual: true });
    await dependencies.queue.enqueue(writeBackJob, { orderId, accountId, storeId: order.store_id }, { transaction, dedupeKey: `write-back:${orderId}` });
  });
};

import { randomBytes } from 'node:crypto';
import { nextAllowedSendTime } from '../confirmation/schedule.ts';
import { sendConfirmationJob } from '../confirmation/send-confirmation-job.ts';
import type { Database } from '../db/database.ts';
import { newId } from '../ids.ts';
import type { NormalizedOrder } from '../ingest/order.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Store } from '../stores/stores.ts';
import { ORDER_EVENTS_CHANNEL } from './order-event-hub.ts';
import { transitionOrder, type OrderStatus } from './order-status.ts';

/** Crockford base32 without look-alike letters: codes customers can read out and type. */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The short code a customer can quote ("confirm order AK7F3K2Q") in the customer-initiated flow. */
export const generateOrderCode = (): string => {
  let code = 'AK';
  for (const byte of randomBytes(6)) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];

  return code;
};

/** Compares two non-negative decimal strings exactly (no floating point). */
export const compareDecimals = (left: string, right: string): number => {
  const [leftWhole = '0', leftFraction = ''] = left.replace(/^-/, '').split('.');
  const [rightWhole = '0', rightFraction = ''] = right.replace(/^-/, '').split('.');
  const digits = Math.max(leftFraction.length, rightFraction.length);
  const leftValue = BigInt(leftWhole + leftFraction.padEnd(digits, '0'));
  const rightValue = BigInt(rightWhole + rightFraction.padEnd(digits, '0'));

  return leftValue === rightValue ? 0 : leftValue > rightValue ? 1 : -1;
};

export type IngestDecision = { status: OrderStatus; reason: string | null };

/** What happens to a new order under the store's settings (DESIGN.md §3, §5.3). */
export const decideNewOrder = (store: Pick<Store, 'settings' | 'whatsappNumberId'>, order: NormalizedOrder): IngestDecision => {
  if (store.settings.codOnly && !order.isCod) return { status: 'skipped', reason: 'not_cod' };
  if (store.settings.minimumTotal !== null && compareDecimals(order.total, store.settings.minimumTotal) < 0) {
    return { status: 'skipped', reason: 'below_minimum' };
  }
  if (!order.customer.phone) return { status: 'failed', reason: 'invalid_phone' };
  if (!store.whatsappNumberId) return { status: 'failed', reason: 'no_whatsapp_number' };

  return { status: 'queued', reason: null };
};

export type IngestResult = { orderId: string; isNew: boolean; status: OrderStatus };

export type IngestOrderOptions = {
  database: Database;
  queue: JobQueue;
  store: Store;
  order: NormalizedOrder;
  /** `webhook`, `api`, `reconciliation`, `test_order`. */
  source: string;
  now?: Date;
};

/**
 * Stores a new order and, in the same transaction, queues its confirmation (DESIGN.md §2): a
 * redelivered webhook, a platform retry or ten concurrent copies create exactly one order and one
 * job, because the unique (store, platform order id) index decides who inserts. The order is
 * written with its decided status and both timeline events at once: ingest is the hot path.
 */
export const ingestOrder = async (options: IngestOrderOptions): Promise<IngestResult> => {
  const { database, queue, store, order } = options;
  const now = options.now ?? new Date();
  const decision = decideNewOrder(store, order);
  const sendAt =
    decision.status === 'queued'
      ? nextAllowedSendTime({ now, orderReceivedAt: now, sendDelayMinutes: store.settings.sendDelayMinutes, quietHours: store.settings.quietHours, timezone: store.timezone })
      : null;
  const decisionCause = decision.status === 'queued' ? (sendAt && sendAt > now ? 'waiting_for_send_time' : options.source) : (decision.reason ?? options.source);
  const orderId = newId('order');

  return database.transaction(async (transaction) => {
    const [inserted] = await transaction.query<{ id: string }>(
      `with new_order as (
         insert into orders (id, account_id, store_id, platform, external_id, number, code, status, failure_reason, send_at, platform_created_at,
           currency, total, is_cod, locale, payment_method, customer_name, customer_phone, customer_phone_raw, phone_problem, shipping_address, items)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
         on conflict (store_id, external_id) do nothing
         returning id, account_id),
       events as (
         insert into order_events (id, account_id, order_id, status, cause, at)
         select event.id, new_order.account_id, new_order.id, event.status, event.cause, event.at
         from new_order, (values ($23, 'received', $24, $25::timestamptz), ($26, $8, $27, $25::timestamptz + interval '1 millisecond')) as event (id, status, cause, at)
         returning 1)
       select id from new_order, (select count(*) from events) as written`,
      [
        orderId,
        store.accountId,
        store.id,
        order.platform,
        order.externalId,
        order.number,
        generateOrderCode(),
        decision.status,
        decision.status === 'queued' ? null : decision.reason,
        sendAt,
        order.createdAt,
        order.currency,
        order.total,
        order.isCod,
        order.locale,
        order.paymentMethod,
        order.customer.name,
        order.customer.phone,
        order.customer.phoneRaw,
        order.customer.phoneProblem,
        order.shippingAddress === null ? null : JSON.stringify(order.shippingAddress),
        JSON.stringify(order.items),
        newId('event'),
        options.source,
        now,
        newId('event'),
        decisionCause,
      ],
    );
    if (!inserted) {
      const [existing] = await transaction.query<{ id: string; status: OrderStatus }>('select id, status from orders where store_id = $1 and external_id = $2', [
        store.id,
        order.externalId,
      ]);

      return { orderId: existing?.id ?? '', isNew: false, status: existing?.status ?? 'received' };
    }
    if (decision.status === 'queued') {
      await queue.enqueue(
        sendConfirmationJob,
        { orderId, accountId: store.accountId, storeId: store.id },
        { transaction, dedupeKey: `send:${orderId}`, ...(sendAt && sendAt > now ? { startAfter: sendAt } : {}) },
      );
    }
    await transaction.query(`select pg_notify('${ORDER_EVENTS_CHANNEL}', $1)`, [JSON.stringify({ accountId: store.accountId, orderId, status: decision.status })]);

    return { orderId, isNew: true, status: decision.status };
  });
};

/**
 * The platform cancelled an order. Before we asked the customer it is skipped (the send job then
 * does nothing); after, it is cancelled and nothing more is sent about it.
 */
export const applyPlatformCancellation = async (database: Database, storeId: string, externalId: string): Promise<void> => {
  await database.transaction(async (transaction) => {
    const [order] = await transaction.query<{ id: string; status: OrderStatus }>('select id, status from orders where store_id = $1 and external_id = $2', [storeId, externalId]);
    if (!order) return;
    const status: OrderStatus = order.status === 'received' || order.status === 'queued' ? 'skipped' : 'cancelled';
    await transitionOrder(transaction, { orderId: order.id, status, cause: 'cancelled_on_platform', failureReason: status === 'skipped' ? 'cancelled_on_platform' : null });
  });
};

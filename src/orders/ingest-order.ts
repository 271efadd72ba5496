import { randomBytes } from 'node:crypto';
import { nextAllowedSendTime } from '../confirmation/schedule.ts';
import { sendConfirmationJob } from '../confirmation/send-confirmation-job.ts';
import type { Database, Transaction } from '../db/database.ts';
import { newId } from '../ids.ts';
import type { NormalizedOrder } from '../ingest/order.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Store } from '../stores/stores.ts';
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

const insertOrder = async (transaction: Transaction, store: Store, order: NormalizedOrder): Promise<string | null> => {
  const [row] = await transaction.query<{ id: string }>(
    `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total,
       is_cod, locale, payment_method, customer_name, customer_phone, customer_phone_raw, phone_problem, shipping_address, items)
     values ($1, $2, $3, $4, $5, $6, $7, 'received', $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
     on conflict (store_id, external_id) do nothing
     returning id`,
    [
      newId('order'),
      store.accountId,
      store.id,
      order.platform,
      order.externalId,
      order.number,
      generateOrderCode(),
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
    ],
  );

  return row?.id ?? null;
};

/**
 * Stores a new order and, in the same transaction, queues its confirmation (DESIGN.md §2): a
 * redelivered webhook, a platform retry or ten concurrent copies create exactly one order and one
 * job, because the unique (store, platform order id) index decides who inserts.
 */
export const ingestOrder = async (options: IngestOrderOptions): Promise<IngestResult> => {
  const { database, queue, store, order } = options;
  const now = options.now ?? new Date();

  return database.transaction(async (transaction) => {
    const orderId = await insertOrder(transaction, store, order);
    if (!orderId) {
      const [existing] = await transaction.query<{ id: string; status: OrderStatus }>('select id, status from orders where store_id = $1 and external_id = $2', [
        store.id,
        order.externalId,
      ]);

      return { orderId: existing?.id ?? '', isNew: false, status: existing?.status ?? 'received' };
    }
    await transaction.query("insert into order_events (id, account_id, order_id, status, cause) values ($1, $2, $3, 'received', $4)", [
      newId('event'),
      store.accountId,
      orderId,
      options.source,
    ]);
    const decision = decideNewOrder(store, order);
    if (decision.status !== 'queued') {
      await transitionOrder(transaction, { orderId, status: decision.status, cause: decision.reason ?? options.source, failureReason: decision.reason });

      return { orderId, isNew: true, status: decision.status };
    }
    const sendAt = nextAllowedSendTime({
      now,
      orderReceivedAt: now,
      sendDelayMinutes: store.settings.sendDelayMinutes,
      quietHours: store.settings.quietHours,
      timezone: store.timezone,
    });
    await transaction.query('update orders set send_at = $2 where id = $1', [orderId, sendAt]);
    await transitionOrder(transaction, { orderId, status: 'queued', cause: sendAt > now ? 'waiting_for_send_time' : options.source });
    await queue.enqueue(
      sendConfirmationJob,
      { orderId, accountId: store.accountId, storeId: store.id },
      { transaction, dedupeKey: `send:${orderId}`, ...(sendAt > now ? { startAfter: sendAt } : {}) },
    );

    return { orderId, isNew: true, status: 'queued' };
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

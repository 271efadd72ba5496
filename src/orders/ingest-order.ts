import { nextAllowedSendTime } from '../confirmation/schedule.ts';
import { sendConfirmationJob } from '../confirmation/send-confirmation-job.ts';
import { storableJsonText } from '../db/storable-text.ts';
import type { Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { newId, takeRandomBytes } from '../ids.ts';
import type { NormalizedOrder } from '../ingest/order.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Store } from '../stores/stores.ts';
import { tracing } from '../telemetry/tracing.ts';
import { ORDER_EVENTS_CHANNEL } from './order-event-hub.ts';
import { transitionOrder, type OrderStatus } from './order-status.ts';

/** Crockford base32 without look-alike letters: codes customers can read out and type. */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The short code a customer can quote ("confirm order AK7F3K2Q") in the customer-initiated flow. */
export const generateOrderCode = (): string => {
  let code = 'AK';
  for (const byte of takeRandomBytes(6)) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];

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
  /** The trace the order belongs to (its webhook's span); default: the active span, if any. */
  traceParent?: string | null;
};

/** One order to store: `ingestOrders` writes many of them in one transaction. */
export type IngestRequest = Omit<IngestOrderOptions, 'database' | 'queue'>;

export type IngestDependencies = { database: Database; queue: JobQueue };

/** One row of the multi-row insert (json_to_recordset reads these names). */
type OrderRow = {
  id: string;
  account_id: string;
  store_id: string;
  platform: string;
  external_id: string;
  number: string;
  code: string;
  status: OrderStatus;
  failure_reason: string | null;
  send_at: Date | null;
  platform_created_at: string;
  currency: string;
  total: string;
  is_cod: boolean;
  locale: string | null;
  payment_method: string | null;
  customer_name: string | null;
  customer_phone: string | null;
  customer_phone_raw: string | null;
  phone_problem: string | null;
  shipping_address: NormalizedOrder['shippingAddress'];
  items: NormalizedOrder['items'];
  received_event_id: string;
  decided_event_id: string;
  source: string;
  decision_cause: string;
  received_at: Date;
  notification: string;
  trace_parent: string | null;
};

// Rows go in sorted by (store, platform order id): two transactions inserting the same orders take
// the unique index's locks in the same order, so they wait for each other instead of deadlocking.
const INSERT_ORDERS_SQL = `with input as (
    select * from json_to_recordset($1::json) as row (id text, account_id text, store_id text, platform text, external_id text, number text,
      code text, status text, failure_reason text, send_at timestamptz, platform_created_at timestamptz, currency text, total text, is_cod boolean,
      locale text, payment_method text, customer_name text, customer_phone text, customer_phone_raw text, phone_problem text, shipping_address jsonb,
      items jsonb, received_event_id text, decided_event_id text, source text, decision_cause text, received_at timestamptz, notification text,
      trace_parent text)),
  new_orders as (
    insert into orders (id, account_id, store_id, platform, external_id, number, code, status, failure_reason, send_at, platform_created_at,
      currency, total, is_cod, locale, payment_method, customer_name, customer_phone, customer_phone_raw, phone_problem, shipping_address, items,
      trace_parent)
    select id, account_id, store_id, platform, external_id, number, code, status, failure_reason, send_at, platform_created_at,
      currency, total, is_cod, locale, payment_method, customer_name, customer_phone, customer_phone_raw, phone_problem, shipping_address, items,
      trace_parent
    from input order by store_id, external_id
    on conflict (store_id, external_id) do nothing
    returning id, account_id),
  events as (
    insert into order_events (id, account_id, order_id, status, cause, at)
    select event.id, new_orders.account_id, new_orders.id, event.status, event.cause, event.at
    from new_orders join input on input.id = new_orders.id,
      lateral (values (input.received_event_id, 'received', input.source, input.received_at),
                      (input.decided_event_id, input.status, input.decision_cause, input.received_at + interval '1 millisecond')) as event (id, status, cause, at)
    returning 1),
  notified as (
    select pg_notify('${ORDER_EVENTS_CHANNEL}', input.notification) from new_orders join input on input.id = new_orders.id)
  select new_orders.id from new_orders, (select count(*) from events) as written, (select count(*) from notified) as notifications`;

/** One order per store and platform order id: the key of the unique index, as one string. */
const orderKey = (storeId: string, externalId: string): string => `${storeId}\u0000${externalId}`;

const isForeignKeyViolation = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23503';

const toOrderRow = (request: IngestRequest): OrderRow => {
  const { store, order } = request;
  const now = request.now ?? new Date();
  const decision = decideNewOrder(store, order);
  const sendAt =
    decision.status === 'queued'
      ? nextAllowedSendTime({ now, orderReceivedAt: now, sendDelayMinutes: store.settings.sendDelayMinutes, quietHours: store.settings.quietHours, timezone: store.timezone })
      : null;
  const orderId = newId('order');

  return {
    id: orderId,
    account_id: store.accountId,
    store_id: store.id,
    platform: order.platform,
    external_id: order.externalId,
    number: order.number,
    code: generateOrderCode(),
    status: decision.status,
    failure_reason: decision.status === 'queued' ? null : decision.reason,
    send_at: sendAt,
    platform_created_at: order.createdAt,
    currency: order.currency,
    total: order.total,
    is_cod: order.isCod,
    locale: order.locale,
    payment_method: order.paymentMethod,
    customer_name: order.customer.name,
    customer_phone: order.customer.phone,
    customer_phone_raw: order.customer.phoneRaw,
    phone_problem: order.customer.phoneProblem,
    shipping_address: order.shippingAddress,
    items: order.items,
    received_event_id: newId('event'),
    decided_event_id: newId('event'),
    source: request.source,
    decision_cause: decision.status === 'queued' ? (sendAt && sendAt > now ? 'waiting_for_send_time' : request.source) : (decision.reason ?? request.source),
    received_at: now,
    notification: JSON.stringify({ accountId: store.accountId, orderId, status: decision.status }),
    trace_parent: request.traceParent ?? tracing.traceParent(),
  };
};

/**
 * Stores new orders and, in the same transaction, queues their confirmations (DESIGN.md §2): a
 * redelivered webhook, a platform retry or ten concurrent copies create exactly one order and one
 * job, because the unique (store, platform order id) index decides who inserts; copies within one
 * call are answered from the first. One statement writes every order with its decided status and
 * both timeline events, one more queues every job: ingest is the hot path, and the webhook route
 * hands many deliveries to one call (ingest-batcher.ts). Answers in the order of `requests`.
 */
export const ingestOrders = async (dependencies: IngestDependencies, requests: readonly IngestRequest[]): Promise<IngestResult[]> => {
  const firstOfKey = new Map<string, number>();
  const rows: OrderRow[] = [];
  /** For each row, the request it was made from; for each request, the row that stands for it. */
  const requestOfRow: number[] = [];
  const rowOf = requests.map((request, requestIndex) => {
    const key = orderKey(request.store.id, request.order.externalId);
    const known = firstOfKey.get(key);
    if (known !== undefined) return known;
    firstOfKey.set(key, rows.length);
    rows.push(toOrderRow(request));
    requestOfRow.push(requestIndex);

    return rows.length - 1;
  });

  try {
    const answers = await dependencies.database.transaction(async (transaction) => {
      // Entry points clean what they parse; cleaned here too, so an order from any other path never fails its batch.
      const inserted = new Set((await transaction.query<{ id: string }>(INSERT_ORDERS_SQL, [storableJsonText(rows)])).map((row) => row.id));
      const rowAnswers: IngestResult[] = rows.map((row) => ({ orderId: row.id, isNew: true, status: row.status }));
      const existing = rows.filter((row) => !inserted.has(row.id));
      if (existing.length > 0) {
        // Stored before (a redelivery, or a copy committed meanwhile): answered with the stored order, nothing changed.
        const found = await transaction.query<{ id: string; status: OrderStatus; store_id: string; external_id: string }>(
          'select id, status, store_id, external_id from orders where (store_id, external_id) in (select * from unnest($1::text[], $2::text[]))',
          [existing.map((row) => row.store_id), existing.map((row) => row.external_id)],
        );
        const byKey = new Map(found.map((row) => [orderKey(row.store_id, row.external_id), row]));
        rows.forEach((row, index) => {
          if (inserted.has(row.id)) return;
          const stored = byKey.get(orderKey(row.store_id, row.external_id));
          rowAnswers[index] = { orderId: stored?.id ?? '', isNew: false, status: stored?.status ?? 'received' };
        });
      }
      const jobs = rows
        .filter((row) => inserted.has(row.id) && row.status === 'queued')
        .map((row) => ({
          payload: { orderId: row.id, accountId: row.account_id, storeId: row.store_id },
          dedupeKey: `send:${row.id}`,
          traceParent: row.trace_parent,
          ...(row.send_at && row.send_at > row.received_at ? { startAfter: row.send_at } : {}),
        }));
      if (jobs.length > 0) await dependencies.queue.enqueueMany(sendConfirmationJob, jobs, { transaction });

      return rowAnswers;
    });

    return requests.map((_, index) => {
      const rowIndex = rowOf[index] as number;
      const answer = answers[rowIndex] as IngestResult;

      // A copy of an order within this call is a duplicate of the first one.
      return requestOfRow[rowIndex] === index ? answer : { ...answer, isNew: false };
    });
  } catch (error) {
    // The store (or its account) was deleted since it was read.
    if (requests.length === 1 && isForeignKeyViolation(error)) throw new AppError('not_found', { message: 'no such store', cause: error });
    throw error;
  }
};

/** Stores one new order with its confirmation job (see `ingestOrders`). */
export const ingestOrder = async (options: IngestOrderOptions): Promise<IngestResult> => {
  const [result] = await ingestOrders(options, [options]);

  return result as IngestResult;
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

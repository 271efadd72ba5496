import type { Queryable } from '../db/database.ts';
import { newId } from '../ids.ts';
import { ORDER_EVENTS_CHANNEL } from './order-event-hub.ts';

/** Order statuses (DESIGN.md §3). */
export const ORDER_STATUSES = ['received', 'queued', 'sent', 'delivered', 'read', 'confirmed', 'cancelled', 'no_response', 'skipped', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set(['confirmed', 'cancelled', 'no_response', 'skipped', 'failed']);

/** Orders whose customer may still answer: a reply is matched to the latest of these. */
export const AWAITING_REPLY_STATUSES: readonly OrderStatus[] = ['sent', 'delivered', 'read'];

const RANK: Record<OrderStatus, number> = {
  received: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  confirmed: 10,
  cancelled: 10,
  no_response: 10,
  skipped: 10,
  failed: 10,
};

export type OrderTransition = {
  orderId: string;
  status: OrderStatus;
  /** Why: `webhook`, `customer_reply`, `receipt`, `reminder_timeout`, `manual`, a failure reason... */
  cause: string;
  failureReason?: string | null;
  /** Allow leaving a terminal status (a merchant's manual resend or decision). */
  isManual?: boolean;
};

/** SQL: the rank of an order status `expression` (RANK as a CASE), for statements that move orders in bulk. */
export const orderRankSql = (expression: string): string =>
  `(case ${expression} ${Object.entries(RANK)
    .map(([status, rank]) => `when '${status}' then ${rank}`)
    .join(' ')} end)`;

/**
 * SQL condition: the order row `alias` may move forward to the status `target` (an SQL expression)
 * without a merchant acting: it is not decided and the target ranks higher. The rule of
 * `transitionOrder`, for statements that move several orders at once.
 */
export const orderMovesForwardSql = (alias: string, target: string): string =>
  `${alias}.status not in (${[...TERMINAL_ORDER_STATUSES].map((status) => `'${status}'`).join(', ')}) and ${orderRankSql(`${alias}.status`)} < ${orderRankSql(target)}`;

/**
 * Moves an order forward and records the event, in the caller's transaction. Receipts can arrive
 * late and out of order, so a status never moves backwards and a decided order stays decided
 * (unless a merchant acts by hand). Returns whether the order changed.
 *
 * One statement (update, event, NOTIFY): it runs several times per order on the hot path. The
 * UPDATE locks the row and re-checks the condition against the latest version, so concurrent
 * transitions serialise as with a `select ... for update` first.
 */
export const transitionOrder = async (queryable: Queryable, transition: OrderTransition): Promise<boolean> => {
  const [result] = await queryable.query<{ changed: string }>(
    `with moved as (
       update orders o set status = $2::text, failure_reason = $3::text, updated_at = now(),
         replied_at = case when $2::text in ('confirmed', 'cancelled') and $4::text = 'customer_reply' then now() else o.replied_at end,
         sent_at = case when $2::text = 'sent' and o.sent_at is null then now() else o.sent_at end
       where o.id = $1 and o.status <> $2::text and ($5::boolean or (${orderMovesForwardSql('o', '$2::text')}))
       returning o.id, o.account_id),
     event as (
       insert into order_events (id, account_id, order_id, status, cause)
       select $6, account_id, id, $2::text, $4::text from moved
       returning 1)
     select count(pg_notify('${ORDER_EVENTS_CHANNEL}', json_build_object('accountId', account_id, 'orderId', id, 'status', $2::text)::text)) as changed,
       (select count(*) from event) as events
     from moved`,
    [transition.orderId, transition.status, transition.failureReason ?? null, transition.cause, transition.isManual === true, newId('event')],
    { isPrepared: true },
  );

  return Number(result?.changed ?? 0) > 0;
};

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

/**
 * Moves an order forward and records the event, in the caller's transaction. Receipts can arrive
 * late and out of order, so a status never moves backwards and a decided order stays decided
 * (unless a merchant acts by hand). Returns whether the order changed.
 */
export const transitionOrder = async (queryable: Queryable, transition: OrderTransition): Promise<boolean> => {
  const [current] = await queryable.query<{ status: OrderStatus; account_id: string }>('select status, account_id from orders where id = $1 for update', [
    transition.orderId,
  ]);
  if (!current) return false;
  const isTerminal = TERMINAL_ORDER_STATUSES.has(current.status);
  const isForward = RANK[transition.status] > RANK[current.status];
  if (current.status === transition.status) return false;
  if (!transition.isManual && (isTerminal || !isForward)) return false;
  await queryable.query(
    `update orders set status = $2, failure_reason = $3, updated_at = now(),
       replied_at = case when $2 in ('confirmed', 'cancelled') and $4 = 'customer_reply' then now() else replied_at end,
       sent_at = case when $2 = 'sent' and sent_at is null then now() else sent_at end
     where id = $1`,
    [transition.orderId, transition.status, transition.failureReason ?? null, transition.cause],
  );
  await queryable.query('insert into order_events (id, account_id, order_id, status, cause) values ($1, $2, $3, $4, $5)', [
    newId('event'),
    current.account_id,
    transition.orderId,
    transition.status,
    transition.cause,
  ]);
  await queryable.query(`select pg_notify('${ORDER_EVENTS_CHANNEL}', $1)`, [JSON.stringify({ accountId: current.account_id, orderId: transition.orderId, status: transition.status })]);

  return true;
};

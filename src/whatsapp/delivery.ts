import type { Queryable } from '../db/database.ts';
import { newId } from '../ids.ts';
import { ORDER_EVENTS_CHANNEL } from '../orders/order-event-hub.ts';
import { orderMovesForwardSql } from '../orders/order-status.ts';
import type { Receipt, WhatsAppSession } from './provider.ts';

/** Message statuses (DESIGN.md §3); `sending` is an outbound message claimed by the number's worker. */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';

const RANK: Record<MessageStatus, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, read: 4, failed: 5, received: 0 };

/** SQL: the rank of a message status `expression` (RANK as a CASE). */
const messageRankSql = (expression: string): string =>
  `(case ${expression} ${Object.entries(RANK)
    .map(([status, rank]) => `when '${status}' then ${rank}`)
    .join(' ')} end)`;

/** Outbound kinds whose receipts move the order along (the question to the customer). */
const ORDER_PROGRESS_KINDS_SQL = "'confirmation', 'reminder'";

type MessageRow = { id: string; account_id: string; order_id: string | null; kind: string; status: MessageStatus };

/** A receipt and the number it arrived on. */
export type NumberReceipt = { numberId: string; receipt: Receipt };

/** The key of a receipt's message: provider ids are unique per number. */
export const receiptKey = (numberId: string, providerMessageId: string): string => `${numberId} ${providerMessageId}`;

/**
 * Applies receipts that move messages forward (`sent`, `delivered`, `read`) in ONE statement,
 * however many: each message takes the highest status among its receipts (a late `delivered`
 * never overwrites `read`; `read` implies delivered), its order follows (one event per order,
 * never backwards, never out of a decided status), and live dashboards are told. Receipts arrive
 * in any order, before our own record of the send too: returns the keys (`receiptKey`) of the
 * receipts whose message was found, each with its message's trace (to trace the receipt in it);
 * the others are for the caller to keep and apply later.
 */
export const applyForwardReceipts = async (queryable: Queryable, receipts: readonly NumberReceipt[]): Promise<Map<string, string | null>> => {
  if (receipts.length === 0) return new Map();
  for (const { receipt } of receipts) {
    if (receipt.status === 'failed') throw new Error('applyForwardReceipts takes sent, delivered and read receipts only');
  }
  const rows = await queryable.query<{ number_id: string; provider_message_id: string; trace_parent: string | null }>(
    `with input as (
       select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) as receipt (number_id, provider_message_id, status, at)),
     matched as (
       select m.id, m.number_id, m.provider_message_id, m.trace_parent,
         max(${messageRankSql('receipt.status')}) as rank,
         min(receipt.at) as sent_at,
         min(receipt.at) filter (where receipt.status in ('delivered', 'read')) as delivered_at,
         min(receipt.at) filter (where receipt.status = 'read') as read_at
       from input receipt join messages m on m.number_id = receipt.number_id and m.provider_message_id = receipt.provider_message_id
       group by m.id),
     advanced as (
       update messages m set status = case matched.rank when 2 then 'sent' when 3 then 'delivered' else 'read' end, updated_at = now(),
         sent_at = coalesce(m.sent_at, matched.sent_at),
         delivered_at = case when matched.rank >= 3 then coalesce(m.delivered_at, matched.delivered_at) else m.delivered_at end,
         read_at = case when matched.rank = 4 then coalesce(m.read_at, matched.read_at) else m.read_at end
       from matched
       where m.id = matched.id and ${messageRankSql('m.status')} < matched.rank
       returning m.id, m.account_id, m.order_id, m.kind, m.status),
     target as (
       select distinct on (order_id) order_id, status from advanced
       where order_id is not null and kind in (${ORDER_PROGRESS_KINDS_SQL})
       order by order_id, ${messageRankSql('status')} desc),
     moved as (
       update orders o set status = target.status, failure_reason = null, updated_at = now(),
         sent_at = case when target.status = 'sent' and o.sent_at is null then now() else o.sent_at end
       from target
       where o.id = target.order_id and ${orderMovesForwardSql('o', 'target.status')}
       returning o.id, o.account_id, o.status),
     events as (
       insert into order_events (id, account_id, order_id, status, cause)
       select ($5::text[])[row_number() over ()], account_id, id, status, case when status = 'sent' then 'server_ack' else 'receipt' end from moved
       returning 1)
     select matched.number_id, matched.provider_message_id, matched.trace_parent,
       (select count(pg_notify('${ORDER_EVENTS_CHANNEL}', json_build_object('accountId', account_id, 'orderId', order_id, 'messageId', id, 'status', status)::text))
        from advanced where order_id is not null) as announced,
       (select count(pg_notify('${ORDER_EVENTS_CHANNEL}', json_build_object('accountId', account_id, 'orderId', id, 'status', status)::text)) from moved) as moved,
       (select count(*) from events) as events
     from matched`,
    [
      receipts.map((entry) => entry.numberId),
      receipts.map((entry) => entry.receipt.providerMessageId),
      receipts.map((entry) => entry.receipt.status),
      receipts.map((entry) => entry.receipt.at.toISOString()),
      // One event id per receipt: at most one event per order, and an order has at least one receipt.
      receipts.map(() => newId('event')),
    ],
    { isPrepared: true },
  );

  return new Map(rows.map((row) => [receiptKey(row.number_id, row.provider_message_id), row.trace_parent]));
};

/** Tells live dashboards (GET /api/v1/orders/stream) that a message changed. */
const announce = async (queryable: Queryable, message: MessageRow, status: string): Promise<void> => {
  if (!message.order_id) return;
  await queryable.query(`select pg_notify('${ORDER_EVENTS_CHANNEL}', $1)`, [JSON.stringify({ accountId: message.account_id, orderId: message.order_id, messageId: message.id, status })]);
};

/**
 * Applies one delivery receipt. Receipts arrive in any order (read before delivered, delivered
 * before our own record of the send), so a status only ever moves forward, and `read` implies
 * delivered; `failed` ends a message that was not read yet. Returns false when no message has that
 * provider id (yet).
 */
export const applyReceipt = async (queryable: Queryable, numberId: string, receipt: Receipt): Promise<boolean> => {
  if (receipt.status !== 'failed') {
    const applied = await applyForwardReceipts(queryable, [{ numberId, receipt }]);

    return applied.size > 0;
  }
  const [message] = await queryable.query<MessageRow>(
    'select id, account_id, order_id, kind, status from messages where number_id = $1 and provider_message_id = $2 for update',
    [numberId, receipt.providerMessageId],
  );
  if (!message) return false;
  // WhatsApp took it to the customer's phone: a later error (another device, a retry) changes nothing.
  if (message.status === 'delivered' || message.status === 'read' || message.status === 'failed') return true;
  await queryable.query("update messages set status = 'failed', error = $2, updated_at = now() where id = $1", [message.id, receipt.errorCode ?? 'failed']);
  await announce(queryable, message, 'failed');

  return true;
};

/**
 * Records the server's acceptance of a message we claimed with `sendingToken`, and counts the send
 * against the number's pace (last send, sends today), in one statement: the message becomes
 * `sent`, its order follows, and live dashboards are told. `traceParent` (the send's span) becomes
 * the message's, so its receipts are traced under the send. A claim that is no longer ours (another
 * worker took the number over) changes no message.
 */
export const recordSent = async (
  queryable: Queryable,
  options: { numberId: string; messageId: string; sendingToken: number; providerMessageId: string | null; at: Date; traceParent?: string | null },
): Promise<void> => {
  await queryable.query(
    `with sent as (
       update messages set status = case when status in ('queued', 'sending') then 'sent' else status end,
         provider_message_id = coalesce($3::text, provider_message_id), sent_at = coalesce(sent_at, $4), send_after = null, updated_at = now(),
         trace_parent = coalesce($7, trace_parent)
       where id = $1 and sending_token = $2
       returning id, account_id, order_id, kind),
     counted as (
       update whatsapp_numbers set last_sent_at = now(), last_activity_at = now(),
         sent_today = case when sent_today_date = (now() at time zone 'utc')::date then sent_today + 1 else 1 end,
         sent_today_date = (now() at time zone 'utc')::date
       where id = $5
       returning 1),
     moved as (
       update orders o set status = 'sent', failure_reason = null, updated_at = now(), sent_at = coalesce(o.sent_at, now())
       from sent
       where o.id = sent.order_id and sent.kind in (${ORDER_PROGRESS_KINDS_SQL}) and ${orderMovesForwardSql('o', "'sent'")}
       returning o.id, o.account_id),
     events as (
       insert into order_events (id, account_id, order_id, status, cause)
       select $6, account_id, id, 'sent', 'server_ack' from moved
       returning 1)
     select (select count(pg_notify('${ORDER_EVENTS_CHANNEL}', json_build_object('accountId', account_id, 'orderId', order_id, 'messageId', id, 'status', 'sent')::text))
             from sent where order_id is not null) as announced,
       (select count(pg_notify('${ORDER_EVENTS_CHANNEL}', json_build_object('accountId', account_id, 'orderId', id, 'status', 'sent')::text)) from moved) as moved,
       (select count(*) from counted) as counted,
       (select count(*) from events) as events`,
    [options.messageId, options.sendingToken, options.providerMessageId, options.at, options.numberId, newId('event'), options.traceParent ?? null],
    { isPrepared: true },
  );
};

/**
 * The provider's id of a message just claimed, recorded before the send when the provider chooses
 * it (linked devices): receipts, and the customer's retry requests, find the message even when the
 * server's ack never arrives. Returns the id the send must use (null: the provider assigns one).
 */
export const recordClaimedProviderId = async (
  queryable: Queryable,
  session: Pick<WhatsAppSession, 'providerMessageIdFor'>,
  message: { id: string; attempts: number; provider_message_id: string | null },
  sendingToken: number,
): Promise<string | null> => {
  if (message.provider_message_id || !session.providerMessageIdFor) return message.provider_message_id;
  // An attempt made before ids were recorded at claim went out under the earlier derivation.
  const providerMessageId = session.providerMessageIdFor(message.id, { attemptedBefore: message.attempts > 1 });
  await queryable.query('update messages set provider_message_id = $3 where id = $1 and sending_token = $2 and provider_message_id is null', [
    message.id,
    sendingToken,
    providerMessageId,
  ]);

  return providerMessageId;
};

/** Whether a claimed message moved past `sending` on its own (a delivered or read receipt came before the ack). */
export const hasAdvancedPastSending = async (queryable: Queryable, messageId: string): Promise<boolean> => {
  const rows = await queryable.query("select 1 from messages where id = $1 and status in ('sent', 'delivered', 'read')", [messageId]);

  return rows.length > 0;
};

/**
 * WhatsApp knows the customer under another phone than the order's (Mexico's `+521...` is
 * `+52...`): this message and every later one of the order go there, and replies from it match the
 * order (`orders.whatsapp_phone`).
 */
export const useWhatsAppPhone = async (queryable: Queryable, options: { messageId: string; orderId: string | null; phone: string }): Promise<void> => {
  await queryable.query(
    `with message as (update messages set customer_phone = $2, updated_at = now() where id = $1 returning 1)
     update orders set whatsapp_phone = $2 where id = $3`,
    [options.messageId, options.phone, options.orderId],
  );
};

import type { Queryable } from '../db/database.ts';
import { ORDER_EVENTS_CHANNEL } from '../orders/order-event-hub.ts';
import { transitionOrder } from '../orders/order-status.ts';
import type { DeliveryStatus } from './provider.ts';

/** Message statuses (DESIGN.md §3); `sending` is an outbound message claimed by the number's worker. */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';

const RANK: Record<MessageStatus, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, read: 4, failed: 5, received: 0 };

/** Outbound kinds whose receipts move the order along (the question to the customer). */
const ORDER_PROGRESS_KINDS = new Set(['confirmation', 'reminder']);

type MessageRow = { id: string; account_id: string; order_id: string | null; kind: string; status: MessageStatus };

/** Tells live dashboards (GET /api/v1/orders/stream) that a message changed. */
const announce = async (queryable: Queryable, message: MessageRow, status: string): Promise<void> => {
  if (!message.order_id) return;
  await queryable.query(`select pg_notify('${ORDER_EVENTS_CHANNEL}', $1)`, [JSON.stringify({ accountId: message.account_id, orderId: message.order_id, messageId: message.id, status })]);
};

const moveOrderWithMessage = async (queryable: Queryable, message: MessageRow, status: DeliveryStatus): Promise<void> => {
  if (!message.order_id || !ORDER_PROGRESS_KINDS.has(message.kind) || status === 'failed') return;
  await transitionOrder(queryable, { orderId: message.order_id, status, cause: status === 'sent' ? 'server_ack' : 'receipt' });
};

/**
 * Applies a delivery receipt. Receipts arrive in any order (read before delivered, delivered
 * before our own record of the send), so a status only ever moves forward, and `read` implies
 * delivered. Returns false when no message has that provider id (yet).
 */
export const applyReceipt = async (
  queryable: Queryable,
  numberId: string,
  receipt: { providerMessageId: string; status: DeliveryStatus; at: Date; errorCode?: string },
): Promise<boolean> => {
  const [message] = await queryable.query<MessageRow>(
    'select id, account_id, order_id, kind, status from messages where number_id = $1 and provider_message_id = $2 for update',
    [numberId, receipt.providerMessageId],
  );
  if (!message) return false;
  if (receipt.status === 'failed') {
    if (message.status === 'read' || message.status === 'failed') return true;
    await queryable.query("update messages set status = 'failed', error = $2, updated_at = now() where id = $1", [message.id, receipt.errorCode ?? 'failed']);
    await announce(queryable, message, 'failed');

    return true;
  }
  if (RANK[receipt.status] <= RANK[message.status]) return true;
  await queryable.query(
    `update messages set status = $2, updated_at = now(),
       sent_at = coalesce(sent_at, $3),
       delivered_at = case when $2 in ('delivered', 'read') then coalesce(delivered_at, $3) else delivered_at end,
       read_at = case when $2 = 'read' then coalesce(read_at, $3) else read_at end
     where id = $1`,
    [message.id, receipt.status, receipt.at],
  );
  await announce(queryable, message, receipt.status);
  await moveOrderWithMessage(queryable, message, receipt.status);

  return true;
};

/** Records the server's acceptance of a message we claimed with `sendingToken`. */
export const recordSent = async (
  queryable: Queryable,
  options: { messageId: string; sendingToken: number; providerMessageId: string; at: Date },
): Promise<void> => {
  const [message] = await queryable.query<MessageRow>(
    `update messages set status = case when status in ('queued', 'sending') then 'sent' else status end,
       provider_message_id = $3, sent_at = coalesce(sent_at, $4), send_after = null, updated_at = now()
     where id = $1 and sending_token = $2
     returning id, account_id, order_id, kind, status`,
    [options.messageId, options.sendingToken, options.providerMessageId, options.at],
  );
  if (!message) return;
  await announce(queryable, message, 'sent');
  await moveOrderWithMessage(queryable, message, 'sent');
};

import { storableText } from '../db/storable-text.ts';
import type { Database, Transaction } from '../db/database.ts';
import { newId } from '../ids.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { transitionOrder, type OrderStatus } from '../orders/order-status.ts';
import { findStoreForWebhook } from '../stores/stores.ts';
import { tracing } from '../telemetry/tracing.ts';
import type { InboundMessage } from '../whatsapp/provider.ts';
import { OUTBOUND_ORDER_SELECT, queueOutboundMessage, type OutboundOrder } from './outbound-messages.ts';
import { readReply } from './reply-intent.ts';
import { extractOrderCode } from './reply-text.ts';
import { writeBackJob } from './write-back-job.ts';

export type InboundOutcome = 'ignored' | 'duplicate' | 'confirmed' | 'cancelled' | 'clarified' | 'unclear';

/** Orders a reply may decide: asked (sent, delivered, read), or refused by WhatsApp's cold-contact rule. */
const OPEN_STATUSES: OrderStatus[] = ['queued', 'sent', 'delivered', 'read'];

const findOrderByCode = async (transaction: Transaction, numberId: string, code: string): Promise<OutboundOrder | null> => {
  const [order] = await transaction.query<OutboundOrder>(
    `${OUTBOUND_ORDER_SELECT} join stores s on s.id = o.store_id
     where s.whatsapp_number_id = $1 and o.code = $2
       and (o.status = any($3::text[]) or (o.status = 'failed' and o.failure_reason = 'reach_out_restricted'))
     for update of o`,
    [numberId, code, OPEN_STATUSES],
  );

  return order ?? null;
};

const findLatestAwaitingOrder = async (transaction: Transaction, numberId: string, phone: string): Promise<OutboundOrder | null> => {
  const [order] = await transaction.query<OutboundOrder>(
    `${OUTBOUND_ORDER_SELECT} join stores s on s.id = o.store_id
     where (o.customer_phone = $2 or o.whatsapp_phone = $2) and o.status in ('sent', 'delivered', 'read')
       and (s.whatsapp_number_id = $1
            or exists (select 1 from messages m where m.order_id = o.id and m.number_id = $1 and m.direction = 'outbound'))
     order by o.created_at desc, o.id desc limit 1
     for update of o`,
    [numberId, phone],
  );

  return order ?? null;
};

/**
 * A customer wrote to a store's number. Only a message about an order is recorded: the reply of a
 * customer whose latest order awaits an answer, or a message quoting a pending order's code (the
 * customer-initiated flow). Anything else is the merchant's private chat: not stored, not read
 * further (DESIGN.md §1).
 */
export const handleInboundMessage = async (
  dependencies: { database: Database; queue: JobQueue },
  context: { numberId: string },
  received: InboundMessage,
): Promise<InboundOutcome> => {
  // What a customer typed reaches the database cleaned as every outside text is (db/storable-text.ts).
  const message: InboundMessage = { ...received, text: storableText(received.text), from: storableText(received.from), providerMessageId: storableText(received.providerMessageId) };

  return dependencies.database.transaction(async (transaction): Promise<InboundOutcome> => {
    const code = extractOrderCode(message.text);
    const byCode = code ? await findOrderByCode(transaction, context.numberId, code) : null;
    const order = byCode ?? (await findLatestAwaitingOrder(transaction, context.numberId, message.from));
    if (!order) return 'ignored';
    // A reply about an order continues the order's trace; its write-back job carries it on.
    return tracing.inSpan('confirmation.reply', { parent: order.trace_parent, attributes: { 'akked.order.id': order.id, 'akked.number.id': context.numberId } }, async () => {
      const outcome = await decideFromReply(dependencies, transaction, context, message, order, byCode !== null);
      tracing.annotate({ 'akked.reply.outcome': outcome });

      return outcome;
    });
  });
};

const decideFromReply = async (
  dependencies: { queue: JobQueue },
  transaction: Transaction,
  context: { numberId: string },
  message: InboundMessage,
  order: OutboundOrder,
  isByCode: boolean,
): Promise<InboundOutcome> => {
  const inserted = await transaction.query(
    `insert into messages (id, account_id, order_id, number_id, direction, kind, text, status, provider_message_id, customer_phone, created_at)
     values ($1, $2, $3, $4, 'inbound', 'reply', $5, 'received', $6, $7, $8)
     on conflict (number_id, provider_message_id) where provider_message_id is not null do nothing returning id`,
    [newId('message'), order.account_id, order.id, context.numberId, message.text, message.providerMessageId, message.from, message.at],
  );
  if (inserted.length === 0) return 'duplicate';
  const store = await findStoreForWebhook(transaction, order.store_id);
  if (!store) return 'ignored';
  const reading = readReply(message.text);
  // Quoting the order's code is the customer's own confirmation (the link prefills "confirm"),
  // unless the text refuses or asks to stop messages.
  const intent = isByCode && reading.topic !== 'opt_out' ? (reading.intent === 'cancel' ? 'cancel' : 'confirm') : reading.intent;
  if (intent === 'unclear') {
    const [clarified] = await transaction.query("select 1 from messages where order_id = $1 and kind = 'clarify'", [order.id]);
    if (clarified) return 'unclear';
    await queueOutboundMessage(transaction, { order, store, kind: 'clarify', fromNumberId: context.numberId });

    return 'clarified';
  }
  const status = intent === 'confirm' ? 'confirmed' : 'cancelled';
  const isManualOverride = order.status === 'failed';
  const changed = await transitionOrder(transaction, { orderId: order.id, status, cause: 'customer_reply', isManual: isManualOverride });
  if (!changed) return 'duplicate';
  await queueOutboundMessage(transaction, { order, store, kind: status, fromNumberId: context.numberId });
  await dependencies.queue.enqueue(writeBackJob, { orderId: order.id, accountId: order.account_id, storeId: order.store_id }, { transaction, dedupeKey: `write-back:${order.id}` });

  return status;
};

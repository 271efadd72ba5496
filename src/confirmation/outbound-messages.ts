import { consumeCredit } from '../billing/credits.ts';
import type { Transaction } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { OrderStatus } from '../orders/order-status.ts';
import { newId } from '../ids.ts';
import { OUTBOX_CHANNEL } from '../whatsapp/session-manager.ts';
import type { Store } from '../stores/stores.ts';
import { tracing } from '../telemetry/tracing.ts';
import { buildTemplateVariables, pickLanguage, renderTemplate, resolveTemplate, type TemplateKind } from './templates.ts';

/** The order fields a customer message is rendered from (and its state, for the callers that lock it). */
export type OutboundOrder = {
  id: string;
  status: OrderStatus;
  failure_reason: string | null;
  account_id: string;
  store_id: string;
  number: string;
  code: string;
  currency: string;
  total: string;
  locale: string | null;
  customer_name: string | null;
  customer_phone: string | null;
  items: { name: string; variant: string | null; sku: string | null; quantity: number; unitPrice: string }[];
  /** The order's trace (its webhook's span), while tracing is on. */
  trace_parent: string | null;
};

/** The columns of an `OutboundOrder` (alias `o`); the phone is the one WhatsApp knows the customer by. */
export const OUTBOUND_ORDER_COLUMNS = `o.id, o.account_id, o.store_id, o.number, o.code, o.status, o.failure_reason, o.currency, o.total,
  o.locale, o.customer_name, coalesce(o.whatsapp_phone, o.customer_phone) as customer_phone, o.items, o.trace_parent`;

/** Selects an `OutboundOrder` (alias `o`); callers add their `where` and locking. */
export const OUTBOUND_ORDER_SELECT = `select ${OUTBOUND_ORDER_COLUMNS} from orders o`;

export type MessageKind = 'confirmation' | 'reminder' | 'confirmed' | 'cancelled' | 'clarify';

const TEMPLATE_KIND: Record<MessageKind, TemplateKind> = {
  confirmation: 'confirm',
  reminder: 'reminder',
  confirmed: 'confirmed',
  cancelled: 'cancelled',
  clarify: 'clarify',
};

/** Renders a message of the store's template in the customer's language. */
export const renderOrderMessage = (order: OutboundOrder, store: Pick<Store, 'name' | 'language' | 'templates'>, kind: MessageKind): string => {
  const language = pickLanguage(order.locale, store.language);
  const variables = buildTemplateVariables(
    {
      number: order.number,
      currency: order.currency,
      total: order.total,
      customerName: order.customer_name,
      items: order.items,
      storeName: store.name,
    },
    language,
  );

  return renderTemplate(resolveTemplate(store.templates, language, TEMPLATE_KIND[kind]), variables);
};

/** The Cloud API template of a message: its body parameters are the chosen variables, in order. */
const buildTemplatePayload = (
  order: OutboundOrder,
  store: Pick<Store, 'name' | 'language'>,
  template: { templateName: string; languageCode: string; parameters: readonly string[] },
) => {
  const language = pickLanguage(order.locale, store.language);
  const variables = buildTemplateVariables(
    { number: order.number, currency: order.currency, total: order.total, customerName: order.customer_name, items: order.items, storeName: store.name },
    language,
  );

  return {
    name: template.templateName,
    languageCode: template.languageCode,
    bodyParameters: template.parameters.map((parameter) => variables[parameter as keyof typeof variables] ?? ''),
  };
};

export type OutboundMessageRequest = {
  order: OutboundOrder;
  store: Store;
  kind: MessageKind;
  sendAfter?: Date;
  /** Answer from the number the customer wrote to, when it is not the store's own. */
  fromNumberId?: string;
  /** Send from this number instead of the store's (the Cloud API fallback), as this template. */
  viaCloudTemplate?: { numberId: string; templateName: string; languageCode: string; parameters: readonly string[] };
  /** The span the message's send continues; default: the active span, else the order's trace. */
  traceParent?: string | null;
};

/** One row of the multi-row insert (json_to_recordset reads these names). */
type MessageRow = {
  id: string;
  account_id: string;
  order_id: string;
  number_id: string | null;
  kind: MessageKind;
  text: string;
  customer_phone: string | null;
  send_after: Date | null;
  template: ReturnType<typeof buildTemplatePayload> | null;
  trace_parent: string | null;
};

/**
 * Queues outbound messages for their stores' numbers, in the caller's transaction, and wakes the
 * workers that drive those numbers. A confirmation question (and only it) takes one credit in the
 * same transaction, so a message never exists without its credit nor a credit without it. Returns
 * each message's id, in the order asked, or null for a confirmation whose account has no credit
 * left (nothing is queued for it). Whatever their number, the messages are inserted (and the
 * workers woken) by one statement: the confirmation job queues many at once.
 */
export const queueOutboundMessages = async (transaction: Transaction, requests: readonly OutboundMessageRequest[]): Promise<(string | null)[]> => {
  const messageIds: (string | null)[] = [];
  const rows: MessageRow[] = [];
  for (const request of requests) {
    const { order, store, kind } = request;
    const messageId = newId('message');
    if (kind === 'confirmation') {
      const hasCredit = await consumeCredit(transaction, {
        accountId: order.account_id,
        reference: messageId,
        reason: `confirmation of order ${order.number}`,
        storeId: order.store_id,
      }).then(
        () => true,
        (error: unknown) => {
          if (error instanceof AppError && error.code === 'no_credits') return false;
          throw error;
        },
      );
      if (!hasCredit) {
        messageIds.push(null);
        continue;
      }
    }
    messageIds.push(messageId);
    rows.push({
      id: messageId,
      account_id: order.account_id,
      order_id: order.id,
      number_id: request.viaCloudTemplate?.numberId ?? request.fromNumberId ?? store.whatsappNumberId,
      kind,
      text: renderOrderMessage(order, store, kind),
      customer_phone: order.customer_phone,
      send_after: request.sendAfter ?? null,
      template: request.viaCloudTemplate ? buildTemplatePayload(order, store, request.viaCloudTemplate) : null,
      trace_parent: request.traceParent ?? tracing.traceParent() ?? order.trace_parent,
    });
  }
  if (rows.length > 0) {
    await transaction.query(
      `with input as (
         select * from json_to_recordset($1::json) as row (id text, account_id text, order_id text, number_id text, kind text, text text,
           customer_phone text, send_after timestamptz, template jsonb, trace_parent text)),
       inserted as (
         insert into messages (id, account_id, order_id, number_id, direction, kind, text, status, customer_phone, send_after, template, trace_parent)
         select id, account_id, order_id, number_id, 'outbound', kind, text, 'queued', customer_phone, coalesce(send_after, now()), template, trace_parent
         from input
         returning number_id)
       select count(pg_notify('${OUTBOX_CHANNEL}', number_id)) as woken from (select distinct number_id from inserted) as numbers`,
      [JSON.stringify(rows)],
      { isPrepared: true },
    );
  }

  return messageIds;
};

/** Queues one outbound message (see `queueOutboundMessages`); a confirmation without credit throws `no_credits`. */
export const queueOutboundMessage = async (transaction: Transaction, request: OutboundMessageRequest): Promise<string> => {
  const [messageId] = await queueOutboundMessages(transaction, [request]);
  if (!messageId) throw new AppError('no_credits', { message: 'the account has no credits left', retryable: false });

  return messageId;
};

import { consumeCredit } from '../billing/credits.ts';
import type { Transaction } from '../db/database.ts';
import type { OrderStatus } from '../orders/order-status.ts';
import { newId } from '../ids.ts';
import { OUTBOX_CHANNEL } from '../whatsapp/session-manager.ts';
import type { Store } from '../stores/stores.ts';
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
};

/** Selects an `OutboundOrder` (alias `o`); callers add their `where` and locking. */
export const OUTBOUND_ORDER_SELECT = `select o.id, o.account_id, o.store_id, o.number, o.code, o.status, o.failure_reason, o.currency, o.total,
  o.locale, o.customer_name, o.customer_phone, o.items from orders o`;

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

/**
 * Queues one outbound message for the store's number, in the caller's transaction, and wakes the
 * worker that drives the number. The confirmation question (and only it) takes one credit in the
 * same transaction, so a message never exists without its credit nor a credit without it.
 */
export const queueOutboundMessage = async (
  transaction: Transaction,
  options: {
    order: OutboundOrder;
    store: Store;
    kind: MessageKind;
    sendAfter?: Date;
    /** Answer from the number the customer wrote to, when it is not the store's own. */
    fromNumberId?: string;
    /** Send from this number instead of the store's (the Cloud API fallback), as this template. */
    viaCloudTemplate?: { numberId: string; templateName: string; languageCode: string; parameters: readonly string[] };
  },
): Promise<string> => {
  const { order, store, kind } = options;
  const numberId = options.viaCloudTemplate?.numberId ?? options.fromNumberId ?? store.whatsappNumberId;
  const messageId = newId('message');
  if (kind === 'confirmation') await consumeCredit(transaction, { accountId: order.account_id, reference: messageId, reason: `confirmation of order ${order.number}` });
  await transaction.query(
    `insert into messages (id, account_id, order_id, number_id, direction, kind, text, status, customer_phone, send_after, template)
     values ($1, $2, $3, $4, 'outbound', $5, $6, 'queued', $7, coalesce($8, now()), $9)`,
    [
      messageId,
      order.account_id,
      order.id,
      numberId,
      kind,
      renderOrderMessage(order, store, kind),
      order.customer_phone,
      options.sendAfter ?? null,
      options.viaCloudTemplate ? JSON.stringify(buildTemplatePayload(order, store, options.viaCloudTemplate)) : null,
    ],
  );
  await transaction.query(`select pg_notify('${OUTBOX_CHANNEL}', $1)`, [numberId]);

  return messageId;
};

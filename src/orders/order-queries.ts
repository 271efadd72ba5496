import { z } from 'zod';
import type { Queryable } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { ORDER_STATUSES, type OrderStatus } from './order-status.ts';

export const ListOrdersQuerySchema = z.object({
  storeId: z.string().max(100).optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  /** Order number, customer name or phone digits. */
  q: z.string().trim().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type ListOrdersQuery = z.infer<typeof ListOrdersQuerySchema>;

export type OrderSummary = {
  id: string;
  storeId: string;
  platform: string;
  externalId: string;
  number: string;
  code: string;
  status: OrderStatus;
  failureReason: string | null;
  customerName: string | null;
  customerPhone: string | null;
  phoneProblem: string | null;
  total: string;
  currency: string;
  isCod: boolean;
  createdAt: string;
  platformCreatedAt: string;
  updatedAt: string;
};

export type OrderDetail = OrderSummary & {
  customerPhoneRaw: string | null;
  locale: string | null;
  paymentMethod: string | null;
  shippingAddress: Record<string, unknown> | null;
  items: unknown[];
  sendAt: string | null;
  repliedAt: string | null;
  messages: { id: string; direction: 'outbound' | 'inbound'; kind: string; text: string | null; status: string; error: string | null; createdAt: string; sentAt: string | null; deliveredAt: string | null; readAt: string | null }[];
  events: { status: string; cause: string; at: string }[];
};

type OrderRow = {
  id: string;
  store_id: string;
  platform: string;
  external_id: string;
  number: string;
  code: string;
  status: OrderStatus;
  failure_reason: string | null;
  customer_name: string | null;
  customer_phone: string | null;
  customer_phone_raw: string | null;
  phone_problem: string | null;
  total: string;
  currency: string;
  is_cod: boolean;
  locale: string | null;
  payment_method: string | null;
  shipping_address: Record<string, unknown> | null;
  items: unknown[];
  send_at: Date | null;
  replied_at: Date | null;
  created_at: Date;
  platform_created_at: Date;
  updated_at: Date;
};

const SUMMARY_COLUMNS = `id, store_id, platform, external_id, number, code, status, failure_reason, customer_name, customer_phone, phone_problem,
  total, currency, is_cod, created_at, platform_created_at, updated_at`;

const toSummary = (row: OrderRow): OrderSummary => ({
  id: row.id,
  storeId: row.store_id,
  platform: row.platform,
  externalId: row.external_id,
  number: row.number,
  code: row.code,
  status: row.status,
  failureReason: row.failure_reason,
  customerName: row.customer_name,
  customerPhone: row.customer_phone,
  phoneProblem: row.phone_problem,
  total: row.total,
  currency: row.currency,
  isCod: row.is_cod,
  createdAt: row.created_at.toISOString(),
  platformCreatedAt: row.platform_created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const encodeCursor = (row: OrderRow): string => Buffer.from(`${row.created_at.toISOString()}|${row.id}`).toString('base64url');

const decodeCursor = (cursor: string): { createdAt: string; id: string } => {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt))) throw new AppError('bad_request', { message: 'cursor: not a cursor from a previous page' });

  return { createdAt, id };
};

/** Exactly the expression of the trigram index "orders_search" (migration 0010), so searches use it. */
const SEARCH_TEXT = `(number || ' ' || coalesce(customer_name, '') || ' ' || coalesce(customer_phone, ''))`;

/** Newest first, keyset-paginated on (created_at, id) so pages stay fast at any depth. */
export const listOrders = async (queryable: Queryable, accountId: string, query: ListOrdersQuery): Promise<{ data: OrderSummary[]; nextCursor: string | null }> => {
  const conditions = ['account_id = $1'];
  const params: unknown[] = [accountId];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (query.storeId) add((placeholder) => `store_id = ${placeholder}`, query.storeId);
  if (query.status) add((placeholder) => `status = ${placeholder}`, query.status);
  if (query.from) add((placeholder) => `created_at >= ${placeholder}`, query.from);
  if (query.to) add((placeholder) => `created_at < ${placeholder}`, query.to);
  if (query.q) {
    // A phone typed in its local form (0551234567) is found in its E.164 form (+966551234567).
    const phoneDigits = query.q.replace(/\D/g, '').replace(/^0+/, '');
    params.push(`%${query.q.replace(/[\\%_]/g, (character) => `\\${character}`)}%`);
    const text = `$${params.length}`;
    const phoneCondition = phoneDigits.length >= 4 ? (params.push(`%${phoneDigits}%`), ` or ${SEARCH_TEXT} like $${params.length}`) : '';
    conditions.push(`(${SEARCH_TEXT} ilike ${text}${phoneCondition})`);
  }
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    params.push(cursor.createdAt, cursor.id);
    conditions.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(query.limit + 1);
  const rows = await queryable.query<OrderRow>(
    `select ${SUMMARY_COLUMNS} from orders where ${conditions.join(' and ')} order by created_at desc, id desc limit $${params.length}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);

  return { data: page.map(toSummary), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
};

/** One order of the account with its messages and timeline, or 404 (also for another account's). */
export const getOrderDetail = async (queryable: Queryable, accountId: string, orderId: string): Promise<OrderDetail> => {
  const [row] = await queryable.query<OrderRow>(
    `select ${SUMMARY_COLUMNS}, customer_phone_raw, locale, payment_method, shipping_address, items, send_at, replied_at
     from orders where id = $1 and account_id = $2`,
    [orderId, accountId],
  );
  if (!row) throw new AppError('not_found', { message: 'order not found' });
  const messages = await queryable.query<{
    id: string; direction: 'outbound' | 'inbound'; kind: string; text: string | null; status: string; error: string | null;
    created_at: Date; sent_at: Date | null; delivered_at: Date | null; read_at: Date | null;
  }>('select id, direction, kind, text, status, error, created_at, sent_at, delivered_at, read_at from messages where order_id = $1 order by created_at, id', [orderId]);
  const events = await queryable.query<{ status: string; cause: string; at: Date }>('select status, cause, at from order_events where order_id = $1 order by at, id', [orderId]);

  return {
    ...toSummary(row),
    customerPhoneRaw: row.customer_phone_raw,
    locale: row.locale,
    paymentMethod: row.payment_method,
    shippingAddress: row.shipping_address,
    items: row.items,
    sendAt: row.send_at?.toISOString() ?? null,
    repliedAt: row.replied_at?.toISOString() ?? null,
    messages: messages.map((message) => ({
      id: message.id,
      direction: message.direction,
      kind: message.kind,
      text: message.text,
      status: message.status,
      error: message.error,
      createdAt: message.created_at.toISOString(),
      sentAt: message.sent_at?.toISOString() ?? null,
      deliveredAt: message.delivered_at?.toISOString() ?? null,
      readAt: message.read_at?.toISOString() ?? null,
    })),
    events: events.map((event) => ({ status: event.status, cause: event.cause, at: event.at.toISOString() })),
  };
};

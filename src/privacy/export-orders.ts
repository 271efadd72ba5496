import type { Writable } from 'node:stream';
import { z } from 'zod';
import type { Database } from '../db/database.ts';

export const ExportQuerySchema = z.object({
  format: z.enum(['json', 'ndjson', 'csv']).default('json'),
  storeId: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export type ExportQuery = z.infer<typeof ExportQuerySchema>;

export const CSV_HEADER = [
  'id', 'number', 'storeId', 'platform', 'createdAt', 'status', 'customerName', 'customerPhone', 'total', 'currency',
  'isCod', 'city', 'countryCode', 'items', 'messages', 'confirmedAt', 'cancelledAt',
] as const;

/** A cell a spreadsheet reads as a formula: `=`, `+`, `-`, `@`, tab, CR (and the full-width forms). */
const STARTS_FORMULA = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/**
 * A formula start right after a separator. A spreadsheet set to `;` (French, German... locales)
 * splits this comma-separated file on `;`, quotes or not, so "Ali;=cmd|' /C calc'!A0" would start
 * a new cell with `=`: such a start is neutralized wherever a separator or line break precedes it.
 */
const FORMULA_AFTER_SEPARATOR = /([;,\t\r\n] *)(?=[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/g;

/**
 * One CSV cell: a formula start (`=`, `+`, `-`, `@`, tab, CR) at the beginning or after a `;`, `,`
 * or line break is prefixed with `'`, and a cell holding a separator, a quote or a line break is
 * quoted (RFC 4180).
 */
export const toCsvCell = (value: unknown): string => {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : String(value);
  text = text.replace(FORMULA_AFTER_SEPARATOR, "$1'");
  if (STARTS_FORMULA.test(text)) text = `'${text}`;

  return /[",;\t\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

type ExportedOrder = {
  id: string;
  storeId: string;
  platform: string;
  externalId: string;
  number: string;
  status: string;
  failureReason: string | null;
  customerName: string | null;
  customerPhone: string | null;
  total: string;
  currency: string;
  isCod: boolean;
  shippingAddress: { city?: string | null; countryCode?: string | null } | null;
  items: { name?: string; quantity?: number }[];
  createdAt: string;
  messages: { id: string; direction: string; kind: string; text: string | null; status: string; error: string | null; createdAt: string }[];
  events: { status: string; cause: string; at: string }[];
};

const BATCH_SIZE = 500;

/** Orders of the account, oldest first, a batch at a time with their messages and events. */
async function* readOrders(database: Database, accountId: string, query: ExportQuery): AsyncGenerator<ExportedOrder> {
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const params: unknown[] = [accountId, query.storeId ?? null, query.from ?? null, query.to ?? null, after?.createdAt ?? null, after?.id ?? null, BATCH_SIZE];
    const rows: {
      id: string; store_id: string; platform: string; external_id: string; number: string; status: string; failure_reason: string | null;
      customer_name: string | null; customer_phone: string | null; total: string; currency: string; is_cod: boolean;
      shipping_address: ExportedOrder['shippingAddress']; items: ExportedOrder['items']; created_at: Date;
    }[] = await database.query(
      `select id, store_id, platform, external_id, number, status, failure_reason, customer_name, customer_phone, total, currency, is_cod,
              shipping_address, items, created_at
       from orders
       where account_id = $1 and ($2::text is null or store_id = $2) and ($3::timestamptz is null or created_at >= $3)
         and ($4::timestamptz is null or created_at < $4) and ($5::timestamptz is null or (created_at, id) > ($5, $6::text))
       order by created_at, id limit $7`,
      params,
    );
    if (rows.length === 0) return;
    const ids = rows.map((row) => row.id);
    const messages = await database.query<{ id: string; order_id: string; direction: string; kind: string; text: string | null; status: string; error: string | null; created_at: Date }>(
      'select id, order_id, direction, kind, text, status, error, created_at from messages where order_id = any($1::text[]) order by created_at, id',
      [ids],
    );
    const events = await database.query<{ order_id: string; status: string; cause: string; at: Date }>(
      'select order_id, status, cause, at from order_events where order_id = any($1::text[]) order by at, id',
      [ids],
    );
    for (const row of rows) {
      yield {
        id: row.id,
        storeId: row.store_id,
        platform: row.platform,
        externalId: row.external_id,
        number: row.number,
        status: row.status,
        failureReason: row.failure_reason,
        customerName: row.customer_name,
        customerPhone: row.customer_phone,
        total: row.total,
        currency: row.currency,
        isCod: row.is_cod,
        shippingAddress: row.shipping_address,
        items: row.items,
        createdAt: row.created_at.toISOString(),
        messages: messages
          .filter((message) => message.order_id === row.id)
          .map((message) => ({ id: message.id, direction: message.direction, kind: message.kind, text: message.text, status: message.status, error: message.error, createdAt: message.created_at.toISOString() })),
        events: events.filter((event) => event.order_id === row.id).map((event) => ({ status: event.status, cause: event.cause, at: event.at.toISOString() })),
      };
    }
    const last = rows.at(-1);
    if (!last || rows.length < BATCH_SIZE) return;
    after = { createdAt: last.created_at, id: last.id };
  }
}

const toCsvRow = (order: ExportedOrder): string =>
  [
    order.id,
    order.number,
    order.storeId,
    order.platform,
    order.createdAt,
    order.status,
    order.customerName,
    order.customerPhone,
    order.total,
    order.currency,
    order.isCod,
    order.shippingAddress?.city ?? null,
    order.shippingAddress?.countryCode ?? null,
    order.items.map((item) => `${item.quantity ?? 1}x ${item.name ?? ''}`).join('; '),
    order.messages.length,
    order.events.find((event) => event.status === 'confirmed')?.at ?? null,
    order.events.find((event) => event.status === 'cancelled')?.at ?? null,
  ]
    .map(toCsvCell)
    .join(',');

/** Text is handed to the socket in pieces of about this size rather than one write per order. */
const FLUSH_CHARACTERS = 64 * 1024;

/**
 * Writes the export to `output` a batch at a time, waiting when the client reads slowly (constant
 * memory), and stops when the client goes away (a closed socket never drains).
 */
export const writeExport = async (database: Database, accountId: string, query: ExportQuery, output: Writable): Promise<void> => {
  let pending: string[] = [];
  let pendingCharacters = 0;
  const flush = async () => {
    if (pendingCharacters === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingCharacters = 0;
    if (output.write(chunk) || output.destroyed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        output.off('drain', done);
        output.off('close', done);
        resolve();
      };
      output.on('drain', done);
      output.on('close', done);
    });
  };
  const write = async (text: string) => {
    pending.push(text);
    pendingCharacters += text.length;
    if (pendingCharacters >= FLUSH_CHARACTERS) await flush();
  };
  if (query.format === 'csv') await write(`${CSV_HEADER.join(',')}\r\n`);
  if (query.format === 'json') await write('[');
  let isFirst = true;
  for await (const order of readOrders(database, accountId, query)) {
    if (output.destroyed) return;
    if (query.format === 'csv') await write(`${toCsvRow(order)}\r\n`);
    else if (query.format === 'ndjson') await write(`${JSON.stringify(order)}\n`);
    else await write(`${isFirst ? '' : ','}\n${JSON.stringify(order)}`);
    isFirst = false;
  }
  if (query.format === 'json') await write(isFirst ? ']' : '\n]');
  await flush();
};

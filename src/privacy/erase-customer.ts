import type { Keyring } from '../crypto/envelope.ts';
import type { Database, Queryable } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { normalizePhoneInput } from '../ingest/normalize/phone.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { recordErasure, type ErasureKind } from './erasure-audit.ts';

/**
 * A customer's phone as a merchant types it: E.164, or a local form read in the default country
 * of each of the account's stores (or of the one store named). Throws when it reads as no phone.
 */
export const resolveCustomerPhones = async (queryable: Queryable, accountId: string, phone: string, storeId?: string): Promise<string[]> => {
  const stores = await queryable.query<{ default_country: string | null }>(
    `select default_country from stores where account_id = $1 ${storeId ? 'and id = $2' : ''}`,
    storeId ? [accountId, storeId] : [accountId],
  );
  if (storeId && stores.length === 0) throw new AppError('not_found', { message: 'store not found' });
  const phones = new Set<string>();
  for (const country of [null, ...stores.map((store) => store.default_country)]) {
    const normalized = normalizePhoneInput(phone, country);
    if (normalized) phones.add(normalized);
  }
  if (phones.size === 0) throw new AppError('invalid_phone', { message: "not a phone number in any of your stores' countries" });

  return [...phones];
};

export type CustomerErasureCounts = { orders: number; messages: number; events: number; jobs: number; sessionKeys: number };

/**
 * Erases one customer of one account (optionally of one store): their orders with messages and
 * events, the queued jobs about those orders, and the linked devices' session keys and LID
 * mappings for their WhatsApp id, in one transaction.
 */
export const eraseCustomer = async (
  dependencies: { database: Database; queue: JobQueue; keyring: Keyring },
  options: { accountId: string; phones: string[]; storeId?: string; kind?: ErasureKind },
): Promise<CustomerErasureCounts> => {
  // The linked-device key store loads the WhatsApp library (~45 MB): an api process, which erases
  // rarely, loads it on its first erasure instead of at start.
  const { deleteAuthKeysForContacts } = await import('../whatsapp/linked/auth-state-store.ts');

  return dependencies.database.transaction(async (transaction) => {
    // A customer may be known to WhatsApp by another form of their number (Mexico's 521 → 52,
    // orders.whatsapp_phone): either form finds their orders, and both are erased.
    const orders = await transaction.query<{ id: string; customer_phone: string | null; whatsapp_phone: string | null }>(
      `select id, customer_phone, whatsapp_phone from orders
       where account_id = $1 and (customer_phone = any($2::text[]) or whatsapp_phone = any($2::text[])) ${options.storeId ? 'and store_id = $3' : ''} for update`,
      options.storeId ? [options.accountId, options.phones, options.storeId] : [options.accountId, options.phones],
    );
    const orderIds = orders.map((order) => order.id);
    const phones = [...new Set([...options.phones, ...orders.flatMap((order) => [order.customer_phone, order.whatsapp_phone]).filter((phone) => phone !== null)])];
    const [counts] = await transaction.query<{ messages: string; events: string }>(
      `select (select count(*) from messages where order_id = any($1::text[])) as messages,
              (select count(*) from order_events where order_id = any($1::text[])) as events`,
      [orderIds],
    );
    const jobs = await dependencies.queue.deleteJobsReferencing(transaction, 'orderId', orderIds);
    // Messages of the customer not tied to an order (none are stored today) go too.
    await transaction.query('delete from messages where account_id = $1 and customer_phone = any($2::text[])', [options.accountId, phones]);
    await transaction.query('delete from orders where id = any($1::text[])', [orderIds]);
    const numbers = await transaction.query<{ id: string }>('select id from whatsapp_numbers where account_id = $1', [options.accountId]);
    let sessionKeys = 0;
    for (const number of numbers) {
      sessionKeys += await deleteAuthKeysForContacts(transaction, number.id, phones, dependencies.keyring);
    }
    const result = { orders: orderIds.length, messages: Number(counts?.messages ?? 0), events: Number(counts?.events ?? 0), jobs, sessionKeys };
    await recordErasure(transaction, options.accountId, options.kind ?? 'customer', result);

    return result;
  });
};

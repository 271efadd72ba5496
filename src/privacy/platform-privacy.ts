import type { Keyring } from '../crypto/envelope.ts';
import type { Database } from '../db/database.ts';
import type { Mailer } from '../email/mailer.ts';
import { renderEmail, toEmailLanguage } from '../email/templates.ts';
import type { PrivacyRequest } from '../ingest/platform-adapter.ts';
import { normalizePhoneInput } from '../ingest/normalize/phone.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { getOrderDetail } from '../orders/order-queries.ts';
import type { Store } from '../stores/stores.ts';
import { eraseCustomer } from './erase-customer.ts';
import { recordErasure } from './erasure-audit.ts';

type Dependencies = { database: Database; queue: JobQueue; mailer: Mailer; keyring: Keyring };

/** The customer's phones in E.164: the one the platform names, and those on the named orders. */
const customerPhones = async (database: Database, store: Store, request: PrivacyRequest): Promise<string[]> => {
  const phones = new Set<string>();
  const named = request.customer?.phone ? normalizePhoneInput(request.customer.phone, store.defaultCountry) : null;
  if (named) phones.add(named);
  if (request.orderIds.length > 0) {
    const rows = await database.query<{ customer_phone: string | null }>(
      'select customer_phone from orders where store_id = $1 and external_id = any($2::text[])',
      [store.id, request.orderIds],
    );
    for (const row of rows) if (row.customer_phone) phones.add(row.customer_phone);
  }

  return [...phones];
};

/**
 * Shopify's mandatory privacy webhooks, through the same erasure and export code as the API:
 * `customers/redact` erases the customer, `shop/redact` everything the shop sent us,
 * `customers/data_request` emails the merchant that customer's records.
 */
export const handlePlatformPrivacyRequest = async (dependencies: Dependencies, store: Store, request: PrivacyRequest): Promise<void> => {
  const { database } = dependencies;
  switch (request.topic) {
    case 'customers/redact': {
      const phones = await customerPhones(database, store, request);
      await eraseCustomer(dependencies, { accountId: store.accountId, phones, storeId: store.id, kind: 'shopify_customer_redact' });
      // Orders named by id whose phone was unusable are erased too.
      if (request.orderIds.length > 0) {
        await database.transaction(async (transaction) => {
          const orders = await transaction.query<{ id: string }>('delete from orders where store_id = $1 and external_id = any($2::text[]) returning id', [store.id, request.orderIds]);
          await dependencies.queue.deleteJobsReferencing(transaction, 'orderId', orders.map((order) => order.id));
        });
      }

      return;
    }
    case 'shop/redact': {
      await database.transaction(async (transaction) => {
        const orders = await transaction.query<{ id: string }>('delete from orders where store_id = $1 returning id', [store.id]);
        const jobs = await dependencies.queue.deleteJobsReferencing(transaction, 'storeId', [store.id]);
        await recordErasure(transaction, store.accountId, 'shopify_shop_redact', { orders: orders.length, jobs });
      });

      return;
    }
    case 'customers/data_request': {
      const phones = await customerPhones(database, store, request);
      const rows = await database.query<{ id: string }>(
        'select id from orders where store_id = $1 and (customer_phone = any($2::text[]) or external_id = any($3::text[])) order by created_at',
        [store.id, phones, request.orderIds],
      );
      const orders = [];
      for (const row of rows) orders.push(await getOrderDetail(database, store.accountId, row.id));
      const users = await database.query<{ name: string; email: string; language: string }>('select name, email, language from users where account_id = $1', [store.accountId]);
      for (const user of users) {
        const language = toEmailLanguage(user.language);
        const email = renderEmail(language, {
          subject: `Akked: customer data request from ${store.name}`,
          greeting: `Hello ${user.name},`,
          lines: [
            `Shopify forwarded a customer's request for their data (store "${store.name}").`,
            `Attached: the ${orders.length} order(s) Akked holds for this customer, with messages and status history, as JSON. Send it to the customer to fulfil the request.`,
          ],
          closing: 'Akked keeps order records for 12 months at most.',
        });
        await dependencies.mailer.send({
          ...email,
          to: user.email,
          kind: 'customer-data-request',
          accountId: store.accountId,
          attachments: [{ filename: 'customer-data.json', content: JSON.stringify(orders, null, 2), contentType: 'application/json' }],
        });
      }

      return;
    }
    default:
      return;
  }
};

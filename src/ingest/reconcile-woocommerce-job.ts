import { z } from 'zod';
import { readCredential } from '../credentials/credential-store.ts';
import { AppError } from '../errors.ts';
import { applyPlatformCancellation, ingestOrder } from '../orders/ingest-order.ts';
import type { OrderStatus } from '../orders/order-status.ts';
import { defineJob, type Job, type Services } from '../services.ts';
import { findStoreForWebhook, type Store } from '../stores/stores.ts';
import { createGuardedFetch } from '../writeback/outbound-guard.ts';
import { listRecentOrders } from '../writeback/platforms/woocommerce.ts';
import type { NormalizedOrder } from './order.ts';
import { PLATFORM_ADAPTERS } from './platforms/index.ts';

/*
 * WooCommerce never retries a webhook delivery that failed, so an order whose webhook was lost is
 * only found by asking the store. Every 10 minutes the scheduled run (payload `{}`) enqueues one
 * run per WooCommerce store with write-back credentials (payload `{storeId, accountId}`); each of
 * those lists the orders created since the store's cursor (`stores.reconciled_until`) and ingests
 * the ones Akked does not have. One job per store, so an unreachable store is retried on its own
 * and never holds up the others; the dedupe key keeps at most one queued run per store.
 */

export const RECONCILE_WOOCOMMERCE_CRON = '*/10 * * * *';

/**
 * Never looks further back than this, whatever the cursor says (a store connected long ago, a
 * worker down for days): a customer should not be asked about an order of last week. The webhook
 * route ingests a missed creation announced by an update within the same 48 hours.
 */
const MAX_LOOKBACK_MS = 48 * 3_600_000;

/**
 * Each run lists from this far before where the previous one got to: the store's clock may be
 * behind ours, and an order may be committed on the store after the moment it is dated.
 */
const CURSOR_OVERLAP_MS = 10 * 60_000;

/**
 * Pages of 50 orders per run; a store with more new orders continues on the next run. The store's
 * address is the merchant's to choose, so each run is bounded: 10 pages of at most 2 MiB (a page of
 * 50 real orders is ~0.3 MiB), 20 MiB per store every 10 minutes at worst, not 20 × 10 MiB.
 */
const MAX_PAGES_PER_RUN = 10;
export const MAX_LISTING_PAGE_BYTES = 2 * 1024 * 1024;

/** Statuses of an order that is not a placed order (block checkout drafts), as the webhook adapter reads them. */
const DRAFT_STATUSES: ReadonlySet<string> = new Set(['checkout-draft', 'auto-draft', 'draft']);

/**
 * Statuses that need no confirmation. The webhook sees an order when it is created; reconciliation
 * sees it later, when it may already be cancelled, failed, refunded or delivered.
 */
const SETTLED_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'trash', 'failed', 'refunded', 'completed']);
/**
 * Settled statuses that mean the order will not be delivered. WooCommerce sends no retry of the
 * `order.updated` webhook either, so a cancellation whose webhook was lost is found here: a known
 * order still waiting for its message is skipped, one already asked about is marked cancelled.
 */
const CANCELLED_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'trash', 'failed', 'refunded']);

/** Orders not yet confirmed or cancelled by the customer: a cancellation on the store still matters. */
const AWAITING_STATUSES: ReadonlySet<OrderStatus> = new Set(['received', 'queued', 'sent', 'delivered', 'read']);

const ListedOrderSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String).nullish().catch(null),
    status: z.string().catch(''),
    date_created_gmt: z.string().nullish().catch(null),
  })
  .catch({ id: null, status: '', date_created_gmt: null });

type ListedOrder = { id: string | null; status: string; createdAt: number | null };

/**
 * What reconciliation reads of a listed order before normalizing it: its id, its status in lower
 * case, and its creation time in ms (`date_created_gmt` is UTC written without a zone) or null.
 */
const readListedOrder = (rawOrder: unknown): ListedOrder => {
  const listed = ListedOrderSchema.parse(rawOrder);
  const written = listed.date_created_gmt?.trim();
  const time = written ? Date.parse(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(written) ? written : `${written}Z`) : Number.NaN;

  return { id: listed.id ?? null, status: listed.status.trim().toLowerCase(), createdAt: Number.isNaN(time) ? null : time };
};

/** Whether a listed order's status is that of a placed order still worth confirming. */
const isReconcilableStatus = (status: string): boolean => !DRAFT_STATUSES.has(status) && !SETTLED_STATUSES.has(status);

// The scheduled run carries nothing; a store's run carries its ids (never personal data).
const ReconcilePayloadSchema = z
  .object({ storeId: z.string().min(1).max(100).optional(), accountId: z.string().min(1).max(100).optional() })
  .refine((payload) => (payload.storeId === undefined) === (payload.accountId === undefined), 'storeId and accountId go together');

export type ReconcilePayload = z.infer<typeof ReconcilePayloadSchema>;

export type ReconcileResult = {
  listed: number;
  ingested: number;
  known: number;
  /** Known orders found cancelled (or failed, refunded, trashed) on the store. */
  cancelled: number;
  skipped: number;
  unreadable: number;
  pages: number;
  reconciledUntil: Date;
};

/** Enqueues one reconciliation per WooCommerce store that has write-back credentials. */
export const enqueueStoreReconciliations = async (services: Services): Promise<number> => {
  const stores = await services.database.query<{ id: string; account_id: string }>(
    `select s.id, s.account_id from stores s
     where s.platform = 'woocommerce'
       and exists (select 1 from credentials c where c.owner_id = s.id and c.purpose = 'write-back')
     order by s.id`,
  );
  for (const store of stores) {
    await services.queue.enqueue(reconcileWooCommerceJob, { storeId: store.id, accountId: store.account_id }, { dedupeKey: `reconcile:${store.id}` });
  }

  return stores.length;
};

const readCursor = async (services: Services, storeId: string): Promise<Date | null> => {
  const [row] = await services.database.query<{ reconciled_until: Date | string | null }>('select reconciled_until from stores where id = $1', [storeId]);

  return row?.reconciled_until ? new Date(row.reconciled_until) : null;
};

/** Where this run starts: a little before the cursor (or the store's creation), never more than 48 hours back. */
const startOfRun = (store: Store, cursor: Date | null, now: Date): Date =>
  new Date(Math.max((cursor ?? store.createdAt).getTime() - CURSOR_OVERLAP_MS, now.getTime() - MAX_LOOKBACK_MS));

const normalizeListedOrder = (services: Services, store: Store, rawOrder: unknown): NormalizedOrder | null => {
  try {
    return PLATFORM_ADAPTERS.woocommerce.normalize(rawOrder, { defaultCountry: store.defaultCountry, timezone: store.timezone });
  } catch (error) {
    // One order the adapter cannot read must not stop the store's reconciliation for good.
    if (!(error instanceof AppError)) throw error;
    services.logger.warn({ storeId: store.id, code: error.code }, 'a listed WooCommerce order could not be read; skipped');

    return null;
  }
};

/**
 * Lists the store's orders created since its cursor and ingests those Akked does not have, then
 * moves the cursor. Every HTTP call happens outside any transaction; each order is ingested in a
 * transaction of its own (deduplicated by store and platform order id, so overlapping runs and a
 * webhook arriving meanwhile create nothing twice). A failure leaves the cursor where it was.
 */
export const reconcileWooCommerceStore = async (services: Services, storeId: string, accountId: string, now = new Date()): Promise<ReconcileResult | null> => {
  const { database, queue, keyring, config, logger } = services;
  const store = await findStoreForWebhook(database, storeId);
  // Deleted, or its credentials removed, since the run was enqueued.
  if (!store || store.accountId !== accountId || store.platform !== 'woocommerce') return null;
  const credentials = await readCredential(database, keyring, storeId, 'write-back');
  if (credentials === null) return null;

  const since = startOfRun(store, await readCursor(services, storeId), now);
  const fetch = createGuardedFetch({ allowPrivate: config.AKKED_ALLOW_PRIVATE_OUTBOUND, timeoutMs: 15_000, maxResponseBytes: MAX_LISTING_PAGE_BYTES });
  const result: ReconcileResult = { listed: 0, ingested: 0, known: 0, cancelled: 0, skipped: 0, unreadable: 0, pages: 0, reconciledUntil: now };
  let latestListed: number | null = null;

  for (let page = 1; ; page++) {
    const listing = await listRecentOrders({ credentials, since, page, fetch });
    result.pages = page;
    result.listed += listing.orders.length;
    const candidates: NormalizedOrder[] = [];
    const cancelledIds: string[] = [];
    for (const rawOrder of listing.orders) {
      const listed = readListedOrder(rawOrder);
      if (listed.createdAt !== null) latestListed = Math.max(latestListed ?? listed.createdAt, listed.createdAt);
      if (!isReconcilableStatus(listed.status)) {
        if (CANCELLED_STATUSES.has(listed.status) && listed.id) cancelledIds.push(listed.id);
        else result.skipped++;
        continue;
      }
      const order = normalizeListedOrder(services, store, rawOrder);
      if (order === null) {
        result.unreadable++;
        continue;
      }
      // A store that ignores `after` would otherwise hand us every order it ever had.
      if (Date.parse(order.createdAt) < since.getTime()) result.skipped++;
      else candidates.push(order);
    }
    const knownRows = await database.query<{ external_id: string; status: OrderStatus }>(
      'select external_id, status from orders where store_id = $1 and external_id = any($2::text[])',
      [storeId, [...candidates.map((order) => order.externalId), ...cancelledIds]],
    );
    const known = new Set(knownRows.map((row) => row.external_id));
    const statusOf = new Map(knownRows.map((row) => [row.external_id, row.status]));
    for (const externalId of cancelledIds) {
      const status = statusOf.get(externalId);
      // Unknown: nothing to confirm. Already decided or closed: the store's word changes nothing here.
      if (status === undefined || !AWAITING_STATUSES.has(status)) {
        result.skipped++;
        continue;
      }
      await applyPlatformCancellation(database, storeId, externalId);
      result.cancelled++;
    }
    for (const order of candidates) {
      if (known.has(order.externalId)) {
        result.known++;
        continue;
      }
      const ingested = await ingestOrder({ database, queue, store, order, source: 'reconciliation' });
      if (ingested.isNew) result.ingested++;
      else result.known++;
    }
    if (!listing.hasNextPage) break;
    if (page >= MAX_PAGES_PER_RUN) {
      // Oldest first: the next run continues from the newest order read, not from now, so
      // nothing in between is skipped (and without a readable date, from where this one began).
      result.reconciledUntil = new Date(Math.min(latestListed ?? since.getTime(), now.getTime()));
      break;
    }
  }

  // Only forward: a slow run must not move the cursor back behind a faster, later one.
  await database.query('update stores set reconciled_until = greatest(coalesce(reconciled_until, $2), $2) where id = $1', [storeId, result.reconciledUntil]);
  logger.info(
    { storeId, listed: result.listed, ingested: result.ingested, known: result.known, skipped: result.skipped, unreadable: result.unreadable, pages: result.pages },
    'WooCommerce store reconciled',
  );

  return result;
};

/**
 * `ingest.reconcile-woocommerce`: scheduled with `{}` it fans out one run per store; with
 * `{storeId, accountId}` it reconciles that store. Network failures and 429/5xx answers are
 * retryable (retried with backoff); refused credentials fail the run, and the next scheduled run
 * tries again.
 */
export const reconcileWooCommerceJob: Job<ReconcilePayload> = defineJob({
  name: 'ingest.reconcile-woocommerce',
  schema: ReconcilePayloadSchema,
  retry: { limit: 6, delaySeconds: 5, backoff: true, maximumDelaySeconds: 600 },
  // Keyed per store; the keyless scheduled run shares one key, so at most one fan-out is queued.
  policy: 'stately',
  expireInSeconds: 600,
  heartbeatSeconds: 10,
  handle: async (payload, { services }) => {
    if (payload.storeId !== undefined && payload.accountId !== undefined) {
      await reconcileWooCommerceStore(services, payload.storeId, payload.accountId);

      return;
    }
    const count = await enqueueStoreReconciliations(services);
    services.logger.info({ stores: count }, 'WooCommerce reconciliation enqueued');
  },
});

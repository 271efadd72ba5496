import type { Keyring } from '../crypto/envelope.ts';
import type { Database } from '../db/database.ts';
import type { Mailer } from '../email/mailer.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { applyPlatformCancellation, ingestOrder, type IngestRequest, type IngestResult } from '../orders/ingest-order.ts';
import { handlePlatformPrivacyRequest } from '../privacy/platform-privacy.ts';
import { findWebhookStore, forgetWebhookStore } from '../stores/stores.ts';
import type { Platform } from './order.ts';
import type { PlatformAdapter, StoreContext, WebhookRequest } from './platform-adapter.ts';
import { PLATFORM_ADAPTERS } from './platforms/index.ts';

export type WebhookOutcome = 'accepted' | 'duplicate' | 'cancelled' | 'ignored' | 'ping' | 'privacy';

export type WebhookAnswer = { outcome: WebhookOutcome; orderId?: string; status?: string; reason?: string };

export type ReceiveWebhookDependencies = {
  database: Database;
  queue: JobQueue;
  keyring: Keyring;
  mailer: Mailer;
  /** Stores a new order with its job; the webhook route batches them (ingest-batcher.ts). Default: one transaction per order. */
  writeOrder?: (request: IngestRequest) => Promise<IngestResult>;
};

const isInvalidSignature = (error: unknown): boolean => error instanceof AppError && error.code === 'invalid_signature';

// An "updated" event for an order we never saw is ingested only when the order is recent: a
// missed creation, not a years-old order edited by the merchant.
const RECENT_ORDER_MS = 48 * 3_600_000;

const verify = (adapter: PlatformAdapter, request: WebhookRequest, context: StoreContext): void => {
  if (context.secrets.length === 0) throw new AppError('invalid_signature', { message: 'the store has no webhook secret yet: set it in the store settings' });
  adapter.verify(request, context);
};

/**
 * Verify → parse → normalize → store (DESIGN.md §2): the signature is checked over the raw bytes
 * before anything is parsed, and a rejected request stores nothing. Answers what happened; the
 * route answers 200 for every outcome.
 */
export const receiveWebhook = async (
  dependencies: ReceiveWebhookDependencies,
  platform: Platform,
  storeId: string,
  request: WebhookRequest,
): Promise<WebhookAnswer> => {
  const { database, keyring } = dependencies;
  const found = await findWebhookStore(database, keyring, storeId);
  if (!found || found.store.platform !== platform) throw new AppError('not_found', { message: 'no such store for this platform' });
  const { store } = found;
  const adapter = PLATFORM_ADAPTERS[platform];
  if (adapter.isUnsignedPing?.(request)) return { outcome: 'ping' };
  const contextWith = (secrets: string[]): StoreContext => ({ storeId: store.id, secrets, defaultCountry: store.defaultCountry, timezone: store.timezone });
  let context = contextWith(found.secrets);
  try {
    verify(adapter, request, context);
  } catch (error) {
    // The secrets may have been rotated by another process since this one cached them.
    if (!found.isFromCache || !isInvalidSignature(error)) throw error;
    const fresh = await findWebhookStore(database, keyring, storeId, { isFresh: true });
    if (!fresh || fresh.store.platform !== platform) throw new AppError('not_found', { message: 'no such store for this platform' });
    context = contextWith(fresh.secrets);
    verify(adapter, request, context);
  }
  const classification = adapter.classify(request, context);
  switch (classification.kind) {
    case 'ping':
      return { outcome: 'ping' };
    case 'ignored':
      return { outcome: 'ignored', reason: classification.reason };
    case 'privacy':
      await handlePlatformPrivacyRequest(dependencies, store, classification);

      return { outcome: 'privacy' };
    case 'order': {
      if (classification.topic === 'cancelled') {
        await applyPlatformCancellation(dependencies.database, store.id, classification.order.externalId);

        return { outcome: 'cancelled' };
      }
      if (classification.topic === 'updated') {
        const [known] = await database.query('select 1 from orders where store_id = $1 and external_id = $2', [store.id, classification.order.externalId]);
        if (known) return { outcome: 'duplicate' };
        if (Date.now() - Date.parse(classification.order.createdAt) > RECENT_ORDER_MS) return { outcome: 'ignored', reason: 'update of an order older than 48 hours' };
      }
      const ingestRequest: IngestRequest = { store, order: classification.order, source: 'webhook' };
      const result = await (dependencies.writeOrder ? dependencies.writeOrder(ingestRequest) : ingestOrder({ database, queue: dependencies.queue, ...ingestRequest })).catch(
        (error: unknown) => {
          // Deleted since this process cached it.
          if (error instanceof AppError && error.code === 'not_found') forgetWebhookStore(database, store.id);
          throw error;
        },
      );

      return { outcome: result.isNew ? 'accepted' : 'duplicate', orderId: result.orderId, status: result.status };
    }
    default:
      return { outcome: 'ignored' };
  }
};

import type { Keyring } from '../crypto/envelope.ts';
import type { Database } from '../db/database.ts';
import type { Mailer } from '../email/mailer.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { applyPlatformCancellation, ingestOrder } from '../orders/ingest-order.ts';
import { handlePlatformPrivacyRequest } from '../privacy/platform-privacy.ts';
import { findStoreForWebhook, readWebhookSecrets } from '../stores/stores.ts';
import type { Platform } from './order.ts';
import type { WebhookRequest } from './platform-adapter.ts';
import { PLATFORM_ADAPTERS } from './platforms/index.ts';

export type WebhookOutcome = 'accepted' | 'duplicate' | 'cancelled' | 'ignored' | 'ping' | 'privacy';

export type WebhookAnswer = { outcome: WebhookOutcome; orderId?: string; status?: string; reason?: string };

export type ReceiveWebhookDependencies = {
  database: Database;
  queue: JobQueue;
  keyring: Keyring;
  mailer: Mailer;
};

// An "updated" event for an order we never saw is ingested only when the order is recent: a
// missed creation, not a years-old order edited by the merchant.
const RECENT_ORDER_MS = 48 * 3_600_000;

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
  const store = await findStoreForWebhook(dependencies.database, storeId);
  if (!store || store.platform !== platform) throw new AppError('not_found', { message: 'no such store for this platform' });
  const adapter = PLATFORM_ADAPTERS[platform];
  if (adapter.isUnsignedPing?.(request)) return { outcome: 'ping' };
  const context = {
    storeId: store.id,
    secrets: await readWebhookSecrets(dependencies.database, dependencies.keyring, store.id),
    defaultCountry: store.defaultCountry,
    timezone: store.timezone,
  };
  if (context.secrets.length === 0) throw new AppError('invalid_signature', { message: 'the store has no webhook secret yet: set it in the store settings' });
  adapter.verify(request, context);
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
        const [known] = await dependencies.database.query('select 1 from orders where store_id = $1 and external_id = $2', [store.id, classification.order.externalId]);
        if (known) return { outcome: 'duplicate' };
        if (Date.now() - Date.parse(classification.order.createdAt) > RECENT_ORDER_MS) return { outcome: 'ignored', reason: 'update of an order older than 48 hours' };
      }
      const result = await ingestOrder({ database: dependencies.database, queue: dependencies.queue, store, order: classification.order, source: 'webhook' });

      return { outcome: result.isNew ? 'accepted' : 'duplicate', orderId: result.orderId, status: result.status };
    }
    default:
      return { outcome: 'ignored' };
  }
};

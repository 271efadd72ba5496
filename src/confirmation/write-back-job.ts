import { z } from 'zod';
import { readCredential } from '../credentials/credential-store.ts';
import { newId } from '../ids.ts';
import { defineJob } from '../services.ts';
import { createGuardedFetch } from '../writeback/outbound-guard.ts';
import { writeResultToStore } from '../writeback/platforms/index.ts';
import { PlatformSchema } from '../ingest/order.ts';
import { tracing } from '../telemetry/tracing.ts';

const NOTES = {
  confirmed: 'Akked: the customer confirmed this order on WhatsApp.',
  cancelled: 'Akked: the customer cancelled this order on WhatsApp.',
} as const;

/**
 * Writes a confirmed or cancelled order back to the merchant's store (tags, status, note). The
 * network call happens outside any transaction; transient failures are retried with backoff.
 */
export const writeBackJob = defineJob({
  name: 'confirmation.write-back',
  schema: z.object({ orderId: z.string(), accountId: z.string(), storeId: z.string() }),
  retry: { limit: 12, delaySeconds: 5, backoff: true, maximumDelaySeconds: 3600 },
  policy: 'stately',
  expireInSeconds: 120,
  heartbeatSeconds: 10,
  handle: async ({ orderId, storeId }, { services }) => {
    const { database, keyring, config, logger } = services;
    const [order] = await database.query<{ external_id: string; number: string; status: string; platform: string }>(
      'select o.external_id, o.number, o.status, s.platform from orders o join stores s on s.id = o.store_id where o.id = $1 and o.store_id = $2',
      [orderId, storeId],
    );
    if (!order || (order.status !== 'confirmed' && order.status !== 'cancelled')) return;
    const credentials = await readCredential(database, keyring, storeId, 'write-back');
    if (credentials === null) return;
    const platform = PlatformSchema.parse(order.platform);
    const outcome = await writeResultToStore({
      platform,
      credentials,
      externalOrderId: order.external_id,
      orderNumber: order.number,
      result: order.status,
      note: NOTES[order.status],
      fetch: createGuardedFetch({ allowPrivate: config.AKKED_ALLOW_PRIVATE_OUTBOUND, timeoutMs: 15_000 }),
      allowPrivate: config.AKKED_ALLOW_PRIVATE_OUTBOUND,
    }).catch((error: unknown) => {
      services.metrics.writeBacks.inc({ platform, outcome: 'failed' });
      throw error;
    });
    services.metrics.writeBacks.inc({ platform, outcome: outcome === 'written' ? 'written' : 'not_supported' });
    tracing.annotate({ 'akked.platform': platform, 'akked.write_back.outcome': outcome === 'written' ? 'written' : 'not_supported' });
    // The timeline says what the store now knows (or that its platform cannot record this result).
    await database.query('insert into order_events (id, account_id, order_id, status, cause) select $1, account_id, id, status, $3 from orders where id = $2', [
      newId('event'),
      orderId,
      outcome === 'written' ? 'written_back' : 'write_back_not_supported',
    ]);
    logger.info({ orderId, platform: order.platform }, 'order written back to the store');
  },
});

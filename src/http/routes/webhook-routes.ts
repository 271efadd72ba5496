import { z } from 'zod';
import { IngestBatcher } from '../../ingest/ingest-batcher.ts';
import { receiveWebhook } from '../../ingest/receive-webhook.ts';
import { PlatformSchema } from '../../ingest/order.ts';
import { tracing } from '../../telemetry/tracing.ts';
import type { AppInstance } from '../app.ts';

const lowerCaseHeaders = (headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> => {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;

  return result;
};

/**
 * Store webhooks: one URL per store, verified over the raw body with the store's secrets. New
 * orders of concurrent deliveries are written together (ingest-batcher.ts); each delivery is
 * answered once its order and job are committed.
 */
export const registerWebhookRoutes = (app: AppInstance): void => {
  const { database, queue, keyring, mailer, logger } = app.services;
  const batcher = new IngestBatcher({ database, queue, logger: logger.child({ component: 'ingest' }) });
  const writeOrder = batcher.write.bind(batcher);
  app.addHook('onClose', () => batcher.close());
  app.post(
    '/hooks/:platform/:storeId',
    {
      // Counted in memory and saved once a second: no database round trip per delivery.
      config: { rateLimit: app.rateLimits.route('webhook', (request) => `store:${(request.params as { storeId?: string }).storeId ?? ''}`) },
      schema: {
        tags: ['webhooks'],
        summary: 'A store platform delivers an order event (200 also for duplicates and ignored topics; 401 bad signature; 404 unknown store)',
        params: z.object({ platform: PlatformSchema, storeId: z.string().max(100) }),
        // Each parameter once: `?token=a&token=b` is a 400, never a list handed to an adapter.
        // An object with any keys (not z.record): the OpenAPI document then lists no bogus parameters.
        querystring: z.object({}).catchall(z.string().max(2000)),
        response: {
          200: z.object({ received: z.literal(true), outcome: z.string(), orderId: z.string().optional(), status: z.string().optional(), reason: z.string().optional() }),
        },
      },
    },
    async (request) => {
      const { platform, storeId } = request.params;
      try {
        const answer = await receiveWebhook(
          { database, queue, keyring, mailer, writeOrder },
          platform,
          storeId,
          {
            rawBody: request.rawBody ?? Buffer.alloc(0),
            headers: lowerCaseHeaders(request.headers),
            query: request.query,
            receivedAt: new Date(),
          },
        );
        app.services.metrics.webhooksReceived.inc({ platform, outcome: answer.outcome });
        tracing.annotate({
          'akked.platform': platform,
          'akked.store.id': storeId,
          'akked.webhook.outcome': answer.outcome,
          ...(answer.orderId ? { 'akked.order.id': answer.orderId } : {}),
        });

        return { received: true as const, ...answer };
      } catch (error) {
        app.services.metrics.webhooksReceived.inc({ platform, outcome: 'rejected' });
        throw error;
      }
    },
  );
};

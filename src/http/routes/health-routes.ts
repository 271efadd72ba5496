import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { isSameToken } from '../../ingest/webhook-signature.ts';
import type { AppInstance } from '../app.ts';
import { checkReadiness } from '../readiness.ts';

/**
 * Whether a request to `/metrics` on the public port may read it: only with
 * `Authorization: Bearer <AKKED_METRICS_TOKEN>`, compared in constant time. Without a configured
 * token the route does not exist here (AKKED_METRICS_PORT serves it on a private port).
 */
const authorizeMetrics = (authorization: string | undefined, token: string | undefined): void => {
  if (!token) throw new AppError('not_found', { message: 'no route for GET /metrics (set AKKED_METRICS_TOKEN, or scrape AKKED_METRICS_PORT)' });
  const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
  if (!isSameToken(presented, token)) throw new AppError('unauthorized', { message: '/metrics needs Authorization: Bearer <AKKED_METRICS_TOKEN>' });
};

export const registerHealthRoutes = (app: AppInstance): void => {
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is up', response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database answers and every migration is applied',
        response: { 200: z.object({ status: z.literal('ready') }), 503: z.object({ error: z.object({ code: z.string(), message: z.string() }) }) },
      },
    },
    async (_request, reply) => {
      const readiness = await checkReadiness(app.services.database);
      if (!readiness.isReady) return reply.status(503).send({ error: { code: 'unavailable', message: readiness.reason } });

      return { status: 'ready' as const };
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    authorizeMetrics(request.headers.authorization, app.services.config.AKKED_METRICS_TOKEN);
    reply.header('content-type', app.services.metrics.registry.contentType);

    return app.services.metrics.registry.metrics();
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

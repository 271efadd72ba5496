import { z } from 'zod';
import { hasPendingMigrations } from '../../db/migrate.ts';
import type { AppInstance } from '../app.ts';

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
      try {
        await app.services.database.query('select 1');
        if (await hasPendingMigrations(app.services.database)) {
          return reply.status(503).send({ error: { code: 'unavailable', message: 'database migrations are pending (run akked migrate)' } });
        }
      } catch {
        return reply.status(503).send({ error: { code: 'unavailable', message: 'the database does not answer' } });
      }

      return { status: 'ready' as const };
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', app.services.metrics.registry.contentType);

    return app.services.metrics.registry.metrics();
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

import { z } from 'zod';
import { defineJob } from '../services.ts';

/**
 * PGlite has no autovacuum: without this, the queue's churning tables grow without end
 * (measured: 45 MB of dead rows after 250k job updates, 11 MB after VACUUM). PostgreSQL runs its
 * own autovacuum, so this is a no-op there.
 */
export const vacuumJob = defineJob({
  name: 'maintenance.vacuum',
  schema: z.object({}),
  retry: { limit: 0, delaySeconds: 60, backoff: false },
  policy: 'stately',
  expireInSeconds: 600,
  heartbeatSeconds: 10,
  concurrency: 1,
  handle: async (_payload, { services }) => {
    if (services.database.kind !== 'pglite') return;
    const started = Date.now();
    await services.database.exec('VACUUM');
    services.logger.info({ durationMs: Date.now() - started }, 'embedded database vacuumed');
  },
});

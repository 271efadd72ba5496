import { z } from 'zod';
import { defineJob } from '../services.ts';
import { purge } from './purge.ts';

/** The daily retention run (the same code as `akked purge`). */
export const purgeJob = defineJob({
  name: 'privacy.purge',
  schema: z.object({}),
  retry: { limit: 6, delaySeconds: 5, backoff: true, maximumDelaySeconds: 7200 },
  policy: 'stately',
  expireInSeconds: 3600,
  heartbeatSeconds: 10,
  concurrency: 1,
  handle: async (_payload, { services }) => {
    await purge({
      database: services.database,
      keyring: services.keyring,
      jobSchema: services.queue.schema,
      logger: services.logger,
      asOf: new Date(),
      dryRun: false,
      messageTextDays: services.config.AKKED_MESSAGE_TEXT_DAYS,
    });
  },
});

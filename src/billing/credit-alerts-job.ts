import { z } from 'zod';
import type { Plan } from '../config-plans.ts';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { defineJob } from '../services.ts';
import { billingEmailJob } from './billing-email-job.ts';
import { lowCreditsThreshold } from './plans.ts';

/** Accounts announced per run at most; the next minute takes the rest. */
const BATCH_SIZE = 500;

/** Every minute: a low balance is announced within a minute of being reached. */
export const CREDIT_ALERTS_CRON = '* * * * *';

/**
 * Marks the accounts whose balance has fallen to their plan's "credits low" threshold (and is not
 * zero: the exhaustion alert covers that) and queues their email, in one transaction, so each is
 * announced once per period. The next grant (monthly credits, a top-up) clears the mark. A sweep
 * rather than a check in every consumption: the send path stays one guarded UPDATE.
 */
export const announceLowCredits = async (services: { database: Database; queue: JobQueue }, plans: readonly Plan[]): Promise<string[]> => {
  const planIds = plans.map((plan) => plan.id);
  const thresholds = plans.map((plan) => lowCreditsThreshold(plan));
  const defaultThreshold = lowCreditsThreshold(undefined);
  const highest = Math.max(defaultThreshold, ...thresholds);

  return services.database.transaction(async (transaction) => {
    const announced = await transaction.query<{ id: string }>(
      `with thresholds (plan, threshold) as (select * from unnest($1::text[], $2::int[]))
       update accounts a set low_credits_notified_at = now()
       where a.id in (
         select candidate.id from accounts candidate
         left join thresholds t on t.plan = candidate.plan
         where candidate.low_credits_notified_at is null
           and candidate.credit_balance > 0
           and candidate.credit_balance <= $3
           and candidate.credit_balance <= coalesce(t.threshold, $4)
         order by candidate.id
         limit ${BATCH_SIZE}
         for update of candidate skip locked)
       returning a.id`,
      [planIds, thresholds, highest, defaultThreshold],
    );
    for (const account of announced) {
      await services.queue.enqueue(billingEmailJob, { accountId: account.id, kind: 'credits_low' }, { transaction });
    }

    return announced.map((account) => account.id);
  });
};

export const creditAlertsJob = defineJob({
  name: 'billing.credit-alerts',
  schema: z.object({}),
  retry: { limit: 0, delaySeconds: 60, backoff: false },
  policy: 'stately',
  expireInSeconds: 120,
  heartbeatSeconds: 10,
  concurrency: 1,
  handle: async (_payload, { services }) => {
    const announced = await announceLowCredits(services, services.config.plans);
    if (announced.length > 0) services.logger.info({ accounts: announced.length }, 'low credits announced');
  },
});

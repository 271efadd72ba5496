import { billingEmailJob } from '../billing/billing-email-job.ts';
import { CREDIT_ALERTS_CRON, creditAlertsJob } from '../billing/credit-alerts-job.ts';
import { followUpJob } from '../confirmation/follow-up-job.ts';
import { sendConfirmationJob } from '../confirmation/send-confirmation-job.ts';
import { writeBackJob } from '../confirmation/write-back-job.ts';
import { RECONCILE_WOOCOMMERCE_CRON, reconcileWooCommerceJob } from '../ingest/reconcile-woocommerce-job.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { vacuumJob } from '../maintenance/vacuum-job.ts';
import { notifyMerchantJob } from '../notifications/notify-merchant-job.ts';
import { purgeJob } from '../privacy/purge-job.ts';
import type { Job } from '../services.ts';

/**
 * Every job of Akked: workers handle these, and every process registers their queues. The list is
 * the entry points' to make (the queue runs whatever it is given).
 */
export const ALL_JOBS: readonly Job<unknown>[] = [
  sendConfirmationJob,
  followUpJob,
  writeBackJob,
  notifyMerchantJob,
  vacuumJob,
  purgeJob,
  reconcileWooCommerceJob,
  billingEmailJob,
  creditAlertsJob,
];

/** Recurring jobs (UTC cron); pg-boss runs each slot once across all processes. */
export const scheduleRecurringJobs = async (queue: JobQueue): Promise<void> => {
  await queue.schedule(vacuumJob, '*/10 * * * *', {});
  await queue.schedule(purgeJob, '17 3 * * *', {});
  await queue.schedule(reconcileWooCommerceJob, RECONCILE_WOOCOMMERCE_CRON, {});
  await queue.schedule(creditAlertsJob, CREDIT_ALERTS_CRON, {});
};

import { vacuumJob } from '../maintenance/vacuum-job.ts';
import type { AnyJobDefinition } from './define-job.ts';
import type { JobQueue } from './job-queue.ts';

/** Every job of Akked: workers handle these, and every process may enqueue them. */
export const ALL_JOBS: readonly AnyJobDefinition[] = [vacuumJob as AnyJobDefinition];

/** Recurring jobs (UTC cron); pg-boss runs each slot once across all processes. */
export const scheduleRecurringJobs = async (queue: JobQueue): Promise<void> => {
  await queue.schedule(vacuumJob, '*/10 * * * *', {});
};

import type { StripeGateway } from './billing/stripe-client.ts';
import type { Config } from './config.ts';
import type { Keyring } from './crypto/envelope.ts';
import type { Database } from './db/database.ts';
import type { Mailer } from './email/mailer.ts';
import type { JobContext as QueueJobContext, JobDefinition } from './jobs/define-job.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { SessionManager } from './whatsapp/session-manager.ts';

/**
 * Everything a route handler or job needs, built once by an entry point (`cli/`) and passed down.
 * Nothing here is created anywhere else.
 */
export type Services = {
  config: Config;
  database: Database;
  queue: JobQueue;
  logger: Logger;
  keyring: Keyring;
  mailer: Mailer;
  metrics: Metrics;
  /** The WhatsApp session manager, in processes that run the worker role. */
  sessions: SessionManager | null;
  /** Stripe, when STRIPE_SECRET_KEY is set; billing answers "not configured" otherwise. */
  stripe: StripeGateway | null;
};

/** A job of Akked: its handler is given the Services. */
export type Job<Payload> = JobDefinition<Payload, Services>;

export type JobContext = QueueJobContext<Services>;

/** Defines a job once (see JobDefinition); the entry points list them all (src/cli/jobs.ts). */
export const defineJob = <Payload>(definition: Job<Payload>): Job<Payload> => definition;

import type { Config } from '../config.ts';
import { loadKeyring } from '../crypto/master-key.ts';
import { describeTightened } from '../db/data-directory.ts';
import { openConfiguredDatabase, type Database, type Queryable } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { migrate } from '../db/migrate.ts';
import { createMailer, type OutboxAnnouncement } from '../email/mailer.ts';
import type { AppInstance } from '../http/app.ts';
import { startOperationsServer } from '../http/operations-server.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import type { Logger, Notice } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import type { SessionManager } from '../whatsapp/session-manager.ts';
import type { Services } from '../services.ts';
import { ALL_JOBS, scheduleRecurringJobs } from './jobs.ts';

export type Roles = { api: boolean; worker: boolean };

// Each role imports only its own modules, so an api process never loads the WhatsApp library and a
// worker never loads the web framework or the auth library (bench/startup.ts measures both).
const loadWorkerModules = async () => {
  const [{ SessionManager }, { createProviders }, { createConfirmationHooks }, { buildPacingPolicy }] = await Promise.all([
    import('../whatsapp/session-manager.ts'),
    import('../whatsapp/providers/index.ts'),
    import('../confirmation/session-hooks.ts'),
    import('../confirmation/pacing.ts'),
  ]);

  return { SessionManager, createProviders, createConfirmationHooks, buildPacingPolicy };
};

const loadApiModules = async () => {
  const [{ createAuth, deriveSecret }, { createApp }, { createAuthenticator }, { registerRoutes }] = await Promise.all([
    import('../accounts/auth.ts'),
    import('../http/app.ts'),
    import('../http/authenticate.ts'),
    import('../http/routes/index.ts'),
  ]);

  return { createAuth, deriveSecret, createApp, createAuthenticator, registerRoutes };
};

const announceOutboxEmail =
  (notice: Notice) =>
  ({ kind, file, links }: OutboxAnnouncement): void =>
    notice(`email "${kind}" written to the outbox (no SMTP_URL is set)`, { file, links });

export type Runtime = {
  services: Services;
  app: AppInstance | null;
  /** The address the HTTP server listens on, when the api role runs. */
  url: string | null;
  /** The address of /healthz, /readyz and /metrics, when AKKED_METRICS_PORT is set. */
  metricsUrl: string | null;
  stop(): Promise<void>;
};

export type StartRuntimeOptions = {
  config: Config;
  roles: Roles;
  logger: Logger;
  /** pg-boss schema (tests isolate themselves with their own). */
  jobSchema?: string;
  /** Use this database instead of opening one (tests share one per worker). */
  database?: Database;
  /** Listen on the configured port (default) or only build the app (tests use `app.inject`). */
  listen?: boolean;
  /** Console notices for the person running the process (each outbox email and its links). */
  notice?: Notice;
};

/**
 * The composition root of every long-running role: opens the database, applies migrations, starts
 * the queue, and runs the HTTP api and/or the workers. Everything is built here and nowhere else.
 */
export const startRuntime = async (options: StartRuntimeOptions): Promise<Runtime> => {
  const { config, roles, logger } = options;
  const keyring = await loadKeyring(config);
  const database =
    options.database ??
    (await openConfiguredDatabase(config, {
      onTightened: (count, directory) => logger.warn({ directory, entries: count }, describeTightened(count, directory)),
    }));
  const ownsDatabase = !options.database;
  // One line when the database goes away and one when it is back, however many statements failed.
  database.availability.onChange((change) => {
    if (change.isAvailable) logger.info({ downForMs: change.downForMs }, 'the database is available again');
    else logger.error({ err: change.error }, 'the database is unavailable: requests answer 503 database_unavailable; work resumes by itself when it returns');
  });
  const stoppers: (() => Promise<void>)[] = [];
  try {
    const migrations = await migrate(database);
    if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, 'database migrations applied');
    const queue = await JobQueue.start({ database, logger, schema: options.jobSchema, isSupervisor: roles.worker });
    stoppers.push(() => queue.stop());
    await queue.register(ALL_JOBS);
    const metrics = createMetrics();
    metrics.readGaugesFrom({
      sessionsByStatus: async () =>
        Object.fromEntries(
          (await database.query<{ status: string; count: number }>('select status, count(*)::int as count from whatsapp_numbers group by status')).map((row) => [row.status, row.count]),
        ),
      jobsWaiting: () => queue.waitingCounts(),
    });
    const mailer = createMailer({
      smtpUrl: config.SMTP_URL,
      from: config.EMAIL_FROM,
      dataDirectory: config.AKKED_DATA_DIR,
      logger,
      onSent: (kind, transport) => metrics.emailsSent.inc({ kind, transport }),
      ...(options.notice ? { announce: announceOutboxEmail(options.notice), publicUrl: config.publicUrl } : {}),
    });
    // The providers check key writes against the manager's leases; the manager needs the providers.
    let sessionManager: SessionManager | null = null;
    const fencingFor = (numberId: string) => ({
      check: async (transaction: Queryable) => {
        if (!sessionManager) throw new AppError('lease_lost', { message: 'this process drives no WhatsApp sessions' });
        await sessionManager.fencingFor(numberId).check(transaction);
      },
    });
    const worker = roles.worker ? await loadWorkerModules() : null;
    const sessions = worker
      ? new worker.SessionManager({
          database,
          keyring,
          logger: logger.child({ component: 'sessions' }),
          providers: worker.createProviders({ config, database, keyring, logger, fencingFor }),
          hooks: worker.createConfirmationHooks({ database, queue, logger }),
          pacing: worker.buildPacingPolicy(config.AKKED_SEND_GAP_SECONDS),
          metrics,
        })
      : null;
    sessionManager = sessions;
    const stripe = config.STRIPE_SECRET_KEY
      ? (await import('../billing/stripe-client.ts')).createStripeGateway({ secretKey: config.STRIPE_SECRET_KEY, apiBaseUrl: config.STRIPE_API_BASE_URL })
      : null;
    const services: Services = { config, database, queue, logger, keyring, mailer, metrics, sessions, stripe };

    if (roles.worker && sessions) {
      await scheduleRecurringJobs(queue);
      await queue.work(ALL_JOBS, services, config.AKKED_WORKER_CONCURRENCY);
      await sessions.start();
      // Sessions close before the queue stops, so no send is cut off halfway.
      stoppers.unshift(() => sessions.stop());
    }

    let app: AppInstance | null = null;
    let url: string | null = null;
    if (roles.api) {
      const api = await loadApiModules();
      const auth = api.createAuth({ config, database, keyring, mailer, logger });
      const csrfSecret = api.deriveSecret(keyring, 'csrf');
      app = await api.createApp({ services });
      await api.registerRoutes(app, { auth, authenticator: api.createAuthenticator({ auth, services, csrfSecret, rateLimits: app.rateLimits }), csrfSecret });
      await app.ready();
      const httpApp = app;
      // Closed first, so no request starts while the queue and database shut down.
      stoppers.unshift(() => httpApp.close());
      if (options.listen !== false) {
        url = await app.listen({ port: config.PORT, host: config.HOST });
      }
    }

    // Last to start, first to stop: /readyz there answers for a process that runs everything else.
    let metricsUrl: string | null = null;
    if (config.AKKED_METRICS_PORT !== undefined && options.listen !== false) {
      const operations = await startOperationsServer({ port: config.AKKED_METRICS_PORT, host: config.HOST, database, metrics, logger });
      stoppers.unshift(() => operations.close());
      metricsUrl = operations.url;
    }

    let isStopped = false;

    return {
      services,
      app,
      url,
      metricsUrl,
      stop: async () => {
        if (isStopped) return;
        isStopped = true;
        for (const stop of stoppers) await stop().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
        if (ownsDatabase) await database.close();
      },
    };
  } catch (error) {
    for (const stop of stoppers) await stop().catch(() => undefined);
    if (ownsDatabase) await database.close().catch(() => undefined);
    throw error;
  }
};

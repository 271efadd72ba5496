import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createCommandLogger, createCommandNotice, loadConfigOrExplain, type CommandIo } from './command-io.ts';
import type { Roles, Runtime } from './runtime.ts';
import { readVersion } from './version.ts';

export type RoleCommand = 'serve' | 'api' | 'worker';

const ROLE_HELP: Record<RoleCommand, string> = {
  serve: `Usage: akked serve [--port N]

Runs the HTTP api (dashboard, REST, webhooks), the job workers and the WhatsApp session manager
in one process. Without DATABASE_URL it uses the embedded database in AKKED_DATA_DIR (default ./data).
  --port N   listen on port N (default: PORT, else 3000)`,
  api: `Usage: akked api [--port N]

Runs only the HTTP api (dashboard, REST, webhooks). Run several behind a load balancer, all with the
same DATABASE_URL and AKKED_MASTER_KEY.
  --port N   listen on port N (default: PORT, else 3000)`,
  worker: `Usage: akked worker

Runs only the job workers and the WhatsApp session manager. Run several against one PostgreSQL
(DATABASE_URL): they share jobs and split WhatsApp numbers between them with leases. With
AKKED_METRICS_PORT it serves /healthz, /readyz and /metrics there.`,
};

const LOOPBACK_OR_ANY = new Set(['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost']);

/** Where a person opens Akked: the public URL when set, else this machine at the port it listens on. */
export const addressToOpen = (config: Config, listeningOn: string): string => {
  if (config.AKKED_PUBLIC_URL) return config.AKKED_PUBLIC_URL;
  const port = new URL(listeningOn).port;
  const host = LOOPBACK_OR_ANY.has(config.HOST) ? 'localhost' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;

  return `http://${host}:${port}`;
};

/** EADDRINUSE as the one thing to do about it, instead of a stack trace. */
const explainStartFailure = (error: unknown, config: Config): string => {
  const { code, port } = error as { code?: unknown; port?: unknown };
  if (code === 'EADDRINUSE') {
    return `port ${String(port ?? config.PORT)} is already in use: stop what listens there, or set PORT (or pass --port) to use another`;
  }

  return (error as Error).message;
};

const waitForStopSignal = (logger: Logger, stop: () => Promise<void>): Promise<number> =>
  new Promise<number>((resolve) => {
    let isStopping = false;
    const onSignal = (signal: string) => {
      if (isStopping) return;
      isStopping = true;
      logger.info({ signal }, 'stopping: no new work is taken, running jobs finish or are released');
      stop().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'failed to stop cleanly');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });

/** `akked serve | api | worker`: starts the role, says where to open it, runs until SIGTERM/SIGINT. */
export const runRoleCommand = async (command: RoleCommand, args: string[], io: CommandIo): Promise<number> => {
  let values: { port?: string; help?: boolean };
  try {
    values = parseArgs({
      args,
      options: { help: { type: 'boolean', short: 'h' }, port: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    io.stderr(`akked ${command}: ${(error as Error).message}\n\n${ROLE_HELP[command]}\n`);

    return 2;
  }
  if (values.help === true) {
    io.stdout(`${ROLE_HELP[command]}\n`);

    return 0;
  }
  if (command === 'worker' && values.port !== undefined) {
    io.stderr(`akked worker: --port: a worker serves no api; AKKED_METRICS_PORT sets the port of its /healthz, /readyz and /metrics\n`);

    return 2;
  }
  if (values.port !== undefined && !/^\d{1,5}$/.test(values.port)) {
    io.stderr(`akked ${command}: --port: expected a port number, got "${values.port}"\n`);

    return 2;
  }
  const config = loadConfigOrExplain(io, values.port === undefined ? {} : { PORT: values.port });
  if (!config) return 1;
  const logger = createCommandLogger(config, command);
  const roles: Roles = { api: command !== 'worker', worker: command !== 'api' };
  // Before the application loads: the instrumentations patch pg and http as they are imported.
  const telemetry = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? (await import('../telemetry/start-tracing.ts')).startTracing({
        endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
        serviceName: config.OTEL_SERVICE_NAME,
        version: readVersion(),
        role: command,
      })
    : null;
  let runtime: Runtime;
  try {
    // Imported only now: a mistyped flag is answered before the whole application loads.
    const { startRuntime } = await import('./runtime.ts');
    runtime = await startRuntime({ config, roles, logger, notice: createCommandNotice(config, command) });
  } catch (error) {
    const explanation = explainStartFailure(error, config);
    logger.fatal({ err: error }, `failed to start: ${explanation}`);
    io.stderr(`akked ${command}: ${explanation}\n`);
    await telemetry?.stop();

    return 1;
  }
  const operations = runtime.metricsUrl ? { metricsOn: `${runtime.metricsUrl}/metrics` } : {};
  if (runtime.url) logger.info({ listeningOn: runtime.url, ...operations }, `Akked is ready: open ${addressToOpen(config, runtime.url)}`);
  else logger.info(operations, 'Akked worker is ready');

  // Spans still batched are exported once everything else has stopped.
  return waitForStopSignal(logger, async () => {
    await runtime.stop();
    await telemetry?.stop();
  });
};

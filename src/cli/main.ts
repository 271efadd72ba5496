import { ensureDashboardBuild } from '../dashboard/dashboard-build.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { runCreditsCommand } from './credits-command.ts';
import { runDbCommand } from './db-command.ts';
import { runKeysCommand } from './keys-command.ts';
import { runMigrateCommand } from './migrate-command.ts';
import { runPurgeCommand } from './purge-command.ts';
import { runSimulatorCommand } from '../whatsapp/simulator/simulator-command.ts';
import { runParseOrder } from '../ingest/parse-order.ts';
import { readFile } from 'node:fs/promises';
import { startRuntime, type Roles } from './runtime.ts';

const USAGE = `Usage: akked <command> [options]

Commands:
  serve         api + workers + scheduler in one process (default); embedded database unless DATABASE_URL
  api           the HTTP api and dashboard only (scale out: several behind a load balancer)
  worker        job workers and WhatsApp sessions only (scale out: several against one PostgreSQL)
  migrate       apply pending database migrations and exit
  parse-order   print the normalized order JSON of one webhook body
  parse-reply   print how Akked reads one customer reply (stdin): intent, topic, the words that decided
  simulator     run the fake WhatsApp network for demos and tests
  purge         delete data past its retention (12 months) and blank old message text
  keys rotate   re-encrypt every stored credential under the current master key
  credits grant add (or take back) credits of an account, as an operator adjustment in its ledger
  db copy       copy this installation's database into an empty PostgreSQL (--to <postgres-url>)
  db dump       write a plain SQL dump of the database (stdout or --file)

Run "akked <command> --help" for the options of a command.
Configuration comes from environment variables; see the README.`;

const ROLE_HELP: Record<'serve' | 'api' | 'worker', string> = {
  serve: 'Usage: akked serve\n\nRuns the HTTP api (dashboard, REST, webhooks), the job workers and the WhatsApp session manager\nin one process. Without DATABASE_URL it uses the embedded database in AKKED_DATA_DIR (default ./data).',
  api: 'Usage: akked api\n\nRuns only the HTTP api (dashboard, REST, webhooks). Run several behind a load balancer, all with the\nsame DATABASE_URL and AKKED_MASTER_KEY.',
  worker: 'Usage: akked worker\n\nRuns only the job workers and the WhatsApp session manager. Run several against one PostgreSQL\n(DATABASE_URL): they share jobs and split WhatsApp numbers between them with leases.',
};

export type CommandIo = { stdout: (text: string) => void; stderr: (text: string) => void };

const defaultIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Loads the configuration, printing what is wrong (naming the variable) when it is invalid. */
export const loadConfigOrExplain = (io: CommandIo): Config | null => {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);

      return null;
    }
    throw error;
  }
};

const runRole = async (roles: Roles, config: Config, logger: Logger): Promise<number> => {
  // The api role serves the dashboard: never a stale or missing build.
  if (roles.api) await ensureDashboardBuild(logger);
  const runtime = await startRuntime({ config, roles, logger });

  return new Promise<number>((resolve) => {
    let isStopping = false;
    const stop = (signal: string) => {
      if (isStopping) return;
      isStopping = true;
      logger.info({ signal }, 'stopping: no new work is taken, running jobs finish or are released');
      runtime.stop().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'failed to stop cleanly');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
};

export const main = async (argv: string[], io: CommandIo = defaultIo): Promise<number> => {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout(`${USAGE}\n`);

    return 0;
  }
  const command = first === undefined || first.startsWith('-') ? 'serve' : first;
  const args = first === undefined || first.startsWith('-') ? argv : rest;
  const wantsHelp = args.includes('--help') || args.includes('-h');

  switch (command) {
    case 'serve':
    case 'api':
    case 'worker': {
      if (wantsHelp) {
        io.stdout(`${ROLE_HELP[command]}\n`);

        return 0;
      }
      const config = loadConfigOrExplain(io);
      if (!config) return 1;
      const logger = createLogger({ level: config.LOG_LEVEL, base: { role: command } });
      try {
        return await runRole({ api: command !== 'worker', worker: command !== 'api' }, config, logger);
      } catch (error) {
        logger.fatal({ err: error }, 'failed to start');
        io.stderr(`akked ${command}: ${(error as Error).message}\n`);

        return 1;
      }
    }
    case 'migrate':
      return runMigrateCommand(args, io);
    case 'keys':
      return runKeysCommand(args, io);
    case 'purge':
      return runPurgeCommand(args, io);
    case 'credits':
      return runCreditsCommand(args, io);
    case 'db':
      return runDbCommand(args, io);
    case 'parse-order':
      // Needs no configuration and no database: it only reads a body and prints the order.
      return runParseOrder(args, { ...io, stdin: process.stdin, readFile: (file) => readFile(file) });
    case 'parse-reply':
      // No configuration, no database, and loaded only when asked for.
      return (await import('../confirmation/parse-reply-command.ts')).runParseReply(args, { ...io, stdin: process.stdin });
    case 'simulator': {
      if (wantsHelp) return runSimulatorCommand(args, io);
      const config = loadConfigOrExplain(io);
      if (!config) return 1;

      return runSimulatorCommand(args, io, { logLevel: config.LOG_LEVEL });
    }
    default:
      io.stderr(`akked: unknown command "${command}"\n\n${USAGE}\n`);

      return 2;
  }
};

import type { CommandIo } from './command-io.ts';
import { readVersion } from './version.ts';

// Each command's module is imported when that command runs: `akked --help` loads none of them, and
// a worker never loads what only the api uses (see bench/startup.ts).

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

Options:
  -h, --help     this text; "akked <command> --help" for the options of a command
  -v, --version  the version of Akked

Configuration comes from environment variables; see the README.`;

const defaultIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const unknownUsage = (io: CommandIo, problem: string): number => {
  io.stderr(`akked: ${problem}\n\n${USAGE}\n`);

  return 2;
};

export const main = async (argv: string[], io: CommandIo = defaultIo): Promise<number> => {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout(`${USAGE}\n`);

    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout(`${readVersion()}\n`);

    return 0;
  }
  // `akked --port 3780` is `akked serve --port 3780`; an unknown flag is refused by serve's parser.
  const command = first === undefined || first.startsWith('-') ? 'serve' : first;
  const args = first === undefined || first.startsWith('-') ? argv : rest;

  switch (command) {
    case 'serve':
    case 'api':
    case 'worker':
      return (await import('./role-command.ts')).runRoleCommand(command, args, io);
    case 'migrate':
      return (await import('./migrate-command.ts')).runMigrateCommand(args, io);
    case 'keys':
      return (await import('./keys-command.ts')).runKeysCommand(args, io);
    case 'purge':
      return (await import('./purge-command.ts')).runPurgeCommand(args, io);
    case 'credits':
      return (await import('./credits-command.ts')).runCreditsCommand(args, io);
    case 'db':
      return (await import('./db-command.ts')).runDbCommand(args, io);
    case 'parse-order': {
      // Needs no configuration and no database: it only reads a body and prints the order.
      const [{ runParseOrder }, { readFile }] = await Promise.all([import('../ingest/parse-order.ts'), import('node:fs/promises')]);

      return runParseOrder(args, { ...io, stdin: process.stdin, readFile: (file) => readFile(file) });
    }
    case 'parse-reply':
      // No configuration, no database, and loaded only when asked for.
      return (await import('../confirmation/parse-reply-command.ts')).runParseReply(args, { ...io, stdin: process.stdin });
    case 'simulator': {
      const { runSimulatorCommand } = await import('../whatsapp/simulator/simulator-command.ts');
      if (args.includes('--help') || args.includes('-h')) return runSimulatorCommand(args, io);
      const { loadConfigOrExplain } = await import('./command-io.ts');
      const config = loadConfigOrExplain(io);
      if (!config) return 1;

      return runSimulatorCommand(args, io, { logLevel: config.LOG_LEVEL, ...(config.LOG_FORMAT ? { logFormat: config.LOG_FORMAT } : {}) });
    }
    default:
      return unknownUsage(io, `unknown command "${command}"`);
  }
};

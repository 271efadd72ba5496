import { open, type FileHandle } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { masterKeyFilePath } from '../crypto/master-key.ts';
import { openConfiguredDatabase, openDatabase, type Database } from '../db/database.ts';
import { DEFAULT_JOB_SCHEMA } from '../jobs/job-queue.ts';
import { createLogger } from '../logger.ts';
import { copyDatabase } from '../maintenance/copy-database.ts';
import { dumpDatabase } from '../maintenance/dump-database.ts';
import { loadConfigOrExplain, type CommandIo } from './command-io.ts';
import { ALL_JOBS } from './jobs.ts';

const HELP = `Usage: akked db copy --to <postgres-url>
       akked db dump [--file <path>]

db dump writes a plain SQL script of the database Akked runs on (embedded or DATABASE_URL) to
stdout or --file: Akked's schema, the job queue's, every row and the pending jobs, in one
transaction; restore it into an empty PostgreSQL with psql -v ON_ERROR_STOP=1 -f <file>. Credentials
stay encrypted: keep the master key with the dump. Prints {"rows":{...},"jobs":N} on stderr.

db copy 
copies the database Akked runs on (the embedded one in AKKED_DATA_DIR, or DATABASE_URL) into an
empty PostgreSQL database: every table of the schema akked, the sequences and the job queue's
pending jobs, in one transaction (on failure the target is left as it was). It refuses a target
that already holds data. Stop "akked serve" first. TLS to the target follows its URL's sslmode
and PGSSLROOTCERT, as for DATABASE_URL.
Stored credentials stay encrypted under the same master key: start Akked on the target with
AKKED_MASTER_KEY set to the first line of <data dir>/master.key (embedded installations) or to the
same AKKED_MASTER_KEY. Prints {"rows":{table:count},"jobs":N,"sequences":N}; logs go to stderr.`;

const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0] ?? 'unknown error';

const isPostgresUrl = (value: string): boolean => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol) && new URL(value).hostname !== '';

/** The one string option of a subcommand, or the exit code when the arguments end the command (help, a mistake). */
const parseOptions = <Name extends string>(subcommand: string, args: string[], name: Name, io: CommandIo): Partial<Record<Name, string>> | number => {
  try {
    const { values } = parseArgs({ args, options: { [name]: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
    if (!values.help) return values as Partial<Record<Name, string>>;
    io.stdout(`${HELP}\n`);

    return 0;
  } catch (error) {
    io.stderr(`akked db ${subcommand}: ${firstLine(error)}\n\n${HELP}\n`);

    return 2;
  }
};

export const runDbCommand = async (args: string[], io: CommandIo): Promise<number> => {
  const [subcommand, ...rest] = args;
  if (subcommand === 'dump') return runDump(rest, io);
  if (subcommand !== 'copy') {
    const isHelp = subcommand === undefined || subcommand === '--help' || subcommand === '-h';
    io[isHelp ? 'stdout' : 'stderr'](`${isHelp ? '' : `akked db: unknown subcommand "${subcommand}"\n\n`}${HELP}\n`);

    return isHelp ? 0 : 2;
  }
  const values = parseOptions('copy', rest, 'to', io);
  if (typeof values === 'number') return values;
  if (!values.to || !isPostgresUrl(values.to)) {
    io.stderr(`akked db copy: --to must be a postgres:// or postgresql:// URL with a host\n`);

    return 2;
  }
  const config = loadConfigOrExplain(io);
  if (!config) return 1;
  const logger = createLogger({ level: config.LOG_LEVEL, base: { role: 'db-copy' } });
  const opened: Database[] = [];
  try {
    const source = await openConfiguredDatabase(config).catch((error: unknown) => {
      throw new Error(`cannot open the source database: ${firstLine(error)}`);
    });
    opened.push(source);
    const target = await openDatabase({
      databaseUrl: values.to,
      dataDirectory: config.AKKED_DATA_DIR,
      tls: { sslMode: config.PGSSLMODE, sslRootCert: config.PGSSLROOTCERT },
    }).catch((error: unknown) => {
      throw new Error(`cannot connect to the target database: ${firstLine(error).replace(/^cannot connect to DATABASE_URL: /, '')}`);
    });
    opened.push(target);
    const result = await copyDatabase({ source, target, jobSchema: DEFAULT_JOB_SCHEMA, logger, jobs: ALL_JOBS });
    io.stdout(`${JSON.stringify(result)}\n`);
    io.stderr(
      config.AKKED_MASTER_KEY
        ? 'Copied. Start Akked on the target with the same AKKED_MASTER_KEY.\n'
        : `Copied. Start Akked on the target with AKKED_MASTER_KEY set to the first line of ${masterKeyFilePath(config.AKKED_DATA_DIR)} (and any further lines as AKKED_PREVIOUS_MASTER_KEYS).\n`,
    );

    return 0;
  } catch (error) {
    io.stderr(`akked db copy: ${firstLine(error)}\n`);

    return 1;
  } finally {
    for (const database of opened.reverse()) await database.close().catch(() => undefined);
  }
};

const runDump = async (args: string[], io: CommandIo): Promise<number> => {
  const values = parseOptions('dump', args, 'file', io);
  if (typeof values === 'number') return values;
  const config = loadConfigOrExplain(io);
  if (!config) return 1;
  let output: FileHandle | null = null;
  let database: Database | null = null;
  try {
    database = await openConfiguredDatabase(config).catch((error: unknown) => {
      throw new Error(`cannot open the database: ${firstLine(error)}`);
    });
    const file = values.file ? await open(values.file, 'w', 0o600) : null;
    output = file;
    const write = file ? async (text: string) => void (await file.write(text)) : async (text: string) => io.stdout(text);
    const result = await dumpDatabase({ source: database, jobSchema: DEFAULT_JOB_SCHEMA, write });
    io.stderr(`${JSON.stringify(result)}\n`);

    return 0;
  } catch (error) {
    io.stderr(`akked db dump: ${firstLine(error)}\n`);

    return 1;
  } finally {
    await output?.close();
    await database?.close().catch(() => undefined);
  }
};

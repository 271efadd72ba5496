import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRuntime, type Roles, type Runtime } from '../../src/cli/runtime.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { LIMITS_FOR_TESTS } from '../../test/harness/runtime.ts';

/** A port free right now on 127.0.0.1, so the public URL (links in emails) can name it before listening. */
export const findFreePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

export type BenchConfig = {
  config: Config;
  dataDirectory: string;
  /** The environment the configuration was parsed from, for child processes (worker-process.ts). */
  environment: Record<string, string>;
};

/**
 * The configuration of a benchmark's Akked: real PostgreSQL, HTTP on 127.0.0.1, a throw-away data
 * directory (outbox of verification emails), warnings and errors logged to a file.
 */
export const createBenchConfig = async (databaseUrl: string, environment: Record<string, string> = {}): Promise<BenchConfig> => {
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-bench-'));
  const port = await findFreePort();
  const variables: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    AKKED_MASTER_KEY: randomBytes(32).toString('base64'),
    AKKED_DATA_DIR: dataDirectory,
    PORT: String(port),
    HOST: '127.0.0.1',
    AKKED_PUBLIC_URL: `http://127.0.0.1:${port}`,
    AKKED_SEND_GAP_SECONDS: '0',
    ...LIMITS_FOR_TESTS,
    LOG_LEVEL: 'warn',
    ...environment,
  };

  return { config: parseConfig(variables), dataDirectory, environment: variables };
};

export type BenchRuntime = {
  runtime: Runtime;
  config: Config;
  /** Where the HTTP server listens. */
  url: string;
  dataDirectory: string;
  /** Warnings and errors the runtime logged so far, by message. */
  readLoggedProblems(): Promise<{ warnings: number; errors: number; messages: Map<string, number> }>;
  stop(): Promise<void>;
};

export const startBenchRuntime = async (benchConfig: BenchConfig, roles: Roles = { api: true, worker: true }): Promise<BenchRuntime> => {
  const { config, dataDirectory } = benchConfig;
  const logFile = path.join(dataDirectory, 'akked.log');
  const logStream = createWriteStream(logFile);
  const logger = createLogger({ level: config.LOG_LEVEL, destination: logStream });
  const runtime = await startRuntime({ config, roles, logger, listen: roles.api });
  if (roles.api && !runtime.url) throw new Error('the runtime did not listen');
  let isStopped = false;

  return {
    runtime,
    config,
    url: (runtime.url ?? '').replace('localhost', '127.0.0.1'),
    dataDirectory,
    readLoggedProblems: () => readLoggedProblemsOf(logFile),
    stop: async () => {
      if (isStopped) return;
      isStopped = true;
      await runtime.stop();
      await new Promise<void>((resolve) => logStream.end(resolve));
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
};

export type LoggedProblems = { warnings: number; errors: number; messages: Map<string, number> };

/** Warnings and errors in a runtime's log file (JSON lines), by message. */
export const readLoggedProblemsOf = async (logFile: string): Promise<LoggedProblems> => {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const messages = new Map<string, number>();
  let warnings = 0;
  let errors = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const entry = JSON.parse(line) as { level?: number; msg?: string };
    if ((entry.level ?? 0) >= 50) errors++;
    else if ((entry.level ?? 0) >= 40) warnings++;
    const key = `${(entry.level ?? 0) >= 50 ? 'error' : 'warn'}: ${entry.msg ?? ''}`;
    messages.set(key, (messages.get(key) ?? 0) + 1);
  }

  return { warnings, errors, messages };
};

/** The problems of several processes' logs together. */
export const mergeLoggedProblems = (...all: LoggedProblems[]): LoggedProblems => {
  const messages = new Map<string, number>();
  for (const problems of all) for (const [message, count] of problems.messages) messages.set(message, (messages.get(message) ?? 0) + count);

  return { warnings: all.reduce((sum, problems) => sum + problems.warnings, 0), errors: all.reduce((sum, problems) => sum + problems.errors, 0), messages };
};

/** A one-line summary of what the runtime logged, for the notes. */
export const describeLoggedProblems = (problems: { warnings: number; errors: number; messages: Map<string, number> }): string => {
  if (problems.warnings + problems.errors === 0) return 'the runtime logged no warning or error';
  const top = [...problems.messages.entries()]
    .sort((first, second) => second[1] - first[1])
    .slice(0, 4)
    .map(([message, count]) => `${count}× "${message}"`)
    .join(', ');

  return `the runtime logged ${problems.errors} errors and ${problems.warnings} warnings: ${top}`;
};

import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startRuntime, type Roles, type Runtime } from '../../src/cli/runtime.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, type TestBackend, type TestDatabase } from './database.ts';

/** Tests and benchmarks call from one address, with one key, into one store, far faster than anyone would. */
export const LIMITS_FOR_TESTS = {
  AKKED_SIGN_IN_RATE_LIMIT: '1000',
  AKKED_PUBLIC_RATE_LIMIT: '100000',
  AKKED_API_RATE_LIMIT: '100000',
  AKKED_WEBHOOK_RATE_LIMIT: '1000000',
  AKKED_MAX_NUMBERS: '100000',
  AKKED_MAX_STORES: '100000',
  AKKED_MAX_API_KEYS: '100000',
  AKKED_MAX_STREAMS: '100000',
} as const;

export type TestRuntime = {
  runtime: Runtime;
  config: Config;
  testDatabase: TestDatabase;
  dataDirectory: string;
  /** Every log line the runtime wrote, parsed. */
  logLines: Record<string, unknown>[];
  /** Raw log output, for redaction tests. */
  logText(): string;
  stop(): Promise<void>;
};

export const startTestRuntime = async (
  backend: TestBackend,
  options: { environment?: Record<string, string>; roles?: Roles; listen?: boolean } = {},
): Promise<TestRuntime> => {
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-test-'));
  const config = parseConfig({
    AKKED_DATA_DIR: dataDirectory,
    AKKED_MASTER_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    HOST: '127.0.0.1',
    AKKED_PUBLIC_URL: 'http://127.0.0.1:3000',
    AKKED_SEND_GAP_SECONDS: '0',
    ...LIMITS_FOR_TESTS,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    ...options.environment,
  });
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  // TEST_LOG_TO_STDERR=1 shows the runtime's log while debugging a test.
  const logger = createLogger({ level: config.LOG_LEVEL, ...(process.env.TEST_LOG_TO_STDERR ? {} : { destination }) });
  const testDatabase = await createTestDatabase(backend);
  const runtime = await startRuntime({
    config,
    roles: options.roles ?? { api: true, worker: true },
    logger,
    database: testDatabase.database,
    jobSchema: testDatabase.jobSchema,
    listen: options.listen ?? false,
  });

  return {
    runtime,
    config,
    testDatabase,
    dataDirectory,
    get logLines() {
      return chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => chunks.join(''),
    stop: async () => {
      await runtime.stop();
      await testDatabase.close();
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
};

const decodeQuotedPrintable = (text: string): string =>
  Buffer.from(
    text
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');

export type OutboxEmail = { file: string; to: string; subject: string; text: string; html: string };

/** Every email written to the outbox so far, oldest first, decoded. */
export const readOutbox = async (dataDirectory: string): Promise<OutboxEmail[]> => {
  const root = path.join(dataDirectory, 'outbox');
  const emails: OutboxEmail[] = [];
  const folders = await readdir(root).catch(() => [] as string[]);
  for (const folder of folders) {
    for (const file of (await readdir(path.join(root, folder))).sort()) {
      const raw = await readFile(path.join(root, folder, file), 'utf8');
      const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(raw)?.[1] ?? '';
      const parts = raw.split(/^----_NmP[^\n]*$/m);
      const partBody = (type: string) => {
        const part = parts.find((candidate) => candidate.includes(`Content-Type: ${type}`)) ?? '';
        const body = part.split(/\r?\n\r?\n/).slice(1).join('\n\n');

        if (part.includes('Content-Transfer-Encoding: base64')) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');

        return part.includes('quoted-printable') ? decodeQuotedPrintable(body) : body;
      };
      // The subject may be folded over lines and made of several RFC 2047 encoded words.
      const subjectHeader = (/^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ');
      const subject = subjectHeader.replace(/=\?UTF-8\?([QB])\?([^?]*)\?=\s*/gi, (_match, encoding: string, text: string) =>
        encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
      );
      emails.push({ file: path.join(folder, file), to: header('To'), subject, text: partBody('text/plain'), html: partBody('text/html') });
    }
  }

  return emails.sort((first, second) => path.basename(first.file).localeCompare(path.basename(second.file)));
};

/** The first link in an email's text that starts with `prefix`. */
export const findLink = (email: OutboxEmail, prefix: string): string => {
  const match = email.text.match(new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\S+`));
  if (!match) throw new Error(`no link starting with ${prefix} in "${email.subject}"`);

  return match[0];
};

import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createMemoryPglite, openDatabase, wrapPglite, type Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * Database tests run on the embedded PGlite always, and on the real PostgreSQL of
 * TEST_DATABASE_URL when it is set (CI sets it when a server answers).
 */
export type TestBackend = 'pglite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

export const TEST_BACKENDS: TestBackend[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export type TestDatabase = {
  backend: TestBackend;
  database: Database;
  /** pg-boss schema reserved for this database. */
  jobSchema: string;
  /** The PostgreSQL URL of this test database (postgres backend only), for child processes. */
  url: string | null;
  close(): Promise<void>;
};

// One PGlite per test worker (vitest runs with isolate: false, so this module lives as long as
// the worker): starting one costs ~3 s and ~0.9 GB. Each test file gets its own schema on it.
let sharedPglite: Promise<PGlite> | undefined;
let schemaCounter = 0;

const openSharedPglite = (): Promise<PGlite> => {
  sharedPglite ??= createMemoryPglite();

  return sharedPglite;
};

const uniqueName = (prefix: string): string => `${prefix}_${process.pid}_${++schemaCounter}_${randomBytes(3).toString('hex')}`;

export const createTestDatabase = async (backend: TestBackend, options: { migrate?: boolean } = {}): Promise<TestDatabase> => {
  const jobSchema = uniqueName('pgboss');
  let testDatabase: TestDatabase;
  if (backend === 'pglite') {
    const pglite = await openSharedPglite();
    // Akked's schema (`akked` in a deployment) is this file's own here, created as migrate would.
    const schemaName = uniqueName('test');
    await pglite.exec(`create schema ${schemaName}`);
    const database = await wrapPglite(pglite, {
      schema: schemaName,
      closesInstance: false,
      onClose: async () => {
        await pglite.exec(`drop schema if exists ${schemaName} cascade; drop schema if exists ${jobSchema} cascade; reset search_path;`);
      },
    });
    testDatabase = { backend, database, jobSchema, url: null, close: () => database.close() };
  } else {
    if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
    const name = uniqueName('akked_test');
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    const database = await openDatabase({ databaseUrl: url.toString(), dataDirectory: '/nonexistent', poolSize: 20 });
    testDatabase = {
      backend,
      database,
      jobSchema,
      url: url.toString(),
      close: async () => {
        await database.close();
        const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await dropper.connect();
        await dropper.query(`drop database if exists ${name} with (force)`);
        await dropper.end();
      },
    };
  }
  if (options.migrate !== false) await migrate(testDatabase.database);

  return testDatabase;
};

/** An empty database of its own on the TEST_DATABASE_URL server, for tests that run real processes on it. */
export type ScratchDatabase = { name: string; url: string; drop(): Promise<void> };

const asAdmin = async (statement: string): Promise<void> => {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
};

export const createScratchDatabase = async (prefix: string): Promise<ScratchDatabase> => {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await asAdmin(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;

  return { name, url: url.toString(), drop: () => asAdmin(`drop database if exists ${name} with (force)`) };
};

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { MIGRATIONS_DIRECTORY } from '../install-paths.ts';
import type { Database, Transaction } from './database.ts';

// Any constant works; it only has to be the same in every Akked process sharing the database.
const MIGRATION_LOCK_KEY = 4_242_001;

export type Migration = { version: number; name: string; sql: string };

export const readMigrations = async (directory = MIGRATIONS_DIRECTORY): Promise<Migration[]> => {
  const files = (await readdir(directory)).filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file)).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    migrations.push({
      version: Number.parseInt(file.slice(0, 4), 10),
      name: file.replace(/\.sql$/, ''),
      sql: await readFile(path.join(directory, file), 'utf8'),
    });
  }

  return migrations;
};

export type MigrationResult = {
  applied: string[];
  current: number;
  /** The schema Akked's tables were moved from on this run (an installation of before 0012). */
  movedFrom?: string;
};

export type MigrateOptions = {
  directory?: string;
  /**
   * Where the code before migration 0012 created the tables: the first schema of the default
   * search_path, `public` on PGlite and practically every PostgreSQL (Supabase included).
   */
  legacySchema?: string;
};

/**
 * The tables of migrations 0001-0011, created unqualified (so in `public`) before Akked had a
 * schema of its own. Frozen: later migrations create theirs in Akked's schema directly.
 */
export const LEGACY_TABLES = [
  'accounts', 'api_keys', 'auth_identities', 'auth_rate_limits', 'auth_sessions', 'auth_verifications',
  'credentials', 'credit_ledger', 'erasure_audit', 'invoices', 'messages', 'order_events', 'orders',
  'stores', 'stripe_events', 'users', 'whatsapp_auth_keys', 'whatsapp_leases', 'whatsapp_number_events',
  'whatsapp_numbers', 'workers', 'akked_migrations',
] as const;

/**
 * Applies pending numbered migrations, each in its own transaction, forward only, in the
 * database's schema (created here). Several processes starting at once on PostgreSQL serialise on
 * an advisory lock, so each migration runs once.
 */
export const migrate = async (database: Database, options: MigrateOptions = {}): Promise<MigrationResult> => {
  const migrations = await readMigrations(options.directory);
  const movedFrom = await database.transaction(async (transaction) => {
    await transaction.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const schema = database.schema;
    // Only when missing: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database, which an
    // operator's restricted role may lack while the schema it was given exists.
    const [existing] = await transaction.query('select 1 from pg_namespace where nspname = $1', [schema]);
    if (!existing) await transaction.exec(`create schema "${schema}"`);
    const moved = await moveLegacyTables(transaction, options.legacySchema ?? 'public', schema);
    await transaction.exec(
      `create table if not exists akked_migrations (
         version integer primary key,
         name text not null,
         applied_at timestamptz not null default now());
       alter table akked_migrations enable row level security`,
    );

    return moved;
  });
  const applied: string[] = [];
  for (const migration of migrations) {
    const wasApplied = await database.transaction(async (transaction) => {
      await transaction.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const existing = await transaction.query('select 1 from akked_migrations where version = $1', [migration.version]);
      if (existing.length > 0) return false;
      await transaction.exec(migration.sql);
      await transaction.query('insert into akked_migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ]);

      return true;
    });
    if (wasApplied) applied.push(migration.name);
  }

  return { applied, current: migrations.at(-1)?.version ?? 0, ...(movedFrom ? { movedFrom } : {}) };
};

/**
 * Moves an installation of before 0012 into Akked's schema, in the caller's transaction: rows,
 * indexes, constraints and grants travel with each table. Only when the legacy schema holds Akked's
 * migrations table and the target does not, so an operator's own `users` in `public` stays put.
 */
const moveLegacyTables = async (transaction: Transaction, legacySchema: string, schema: string): Promise<string | null> => {
  if (legacySchema === schema) return null;
  const tables = await transaction.query<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and n.nspname in ($1, $2) and c.relname = any($3::text[])`,
    [legacySchema, schema, LEGACY_TABLES],
  );
  const isIn = (where: string) => tables.some((table) => table.schema === where && table.name === 'akked_migrations');
  if (!isIn(legacySchema) || isIn(schema)) return null;
  for (const table of tables.filter((candidate) => candidate.schema === legacySchema)) {
    await transaction.exec(`alter table "${legacySchema}"."${table.name}" set schema "${schema}"`);
  }

  return legacySchema;
};

// The shipped migrations never change while a process runs; /readyz is polled, so read them once.
let shippedMigrations: Promise<Migration[]> | undefined;

/** Whether every migration shipped with this code has been applied (for /readyz). */
export const hasPendingMigrations = async (database: Database): Promise<boolean> => {
  shippedMigrations ??= readMigrations();
  const migrations = await shippedMigrations;
  const rows = await database
    .query<{ version: number }>('select version from akked_migrations')
    .catch(() => [] as { version: number }[]);
  const appliedVersions = new Set(rows.map((row) => Number(row.version)));

  return migrations.some((migration) => !appliedVersions.has(migration.version));
};

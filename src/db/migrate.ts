import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';

const MIGRATIONS_DIRECTORY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

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

export type MigrationResult = { applied: string[]; current: number };

/**
 * Applies pending numbered migrations, each in its own transaction, forward only. Several processes
 * starting at once on PostgreSQL serialise on an advisory lock, so each migration runs once.
 */
export const migrate = async (database: Database, directory?: string): Promise<MigrationResult> => {
  const migrations = await readMigrations(directory);
  await database.query(
    `create table if not exists akked_migrations (
       version integer primary key,
       name text not null,
       applied_at timestamptz not null default now())`,
  );
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

  return { applied, current: migrations.at(-1)?.version ?? 0 };
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

import { randomBytes } from 'node:crypto';
import { getConstructionPlans } from 'pg-boss';
import type { Database } from '../db/database.ts';
import { migrate, readMigrations } from '../db/migrate.ts';
import { hasSchema, PENDING_JOBS, quote, readTableInBatches, tablesInDependencyOrder } from './copy-database.ts';

export type DumpDatabaseOptions = {
  source: Database;
  /** pg-boss's schema. */
  jobSchema: string;
  /** Receives the script piece by piece (stdout, a file). */
  write: (text: string) => Promise<void>;
  batchSize?: number;
};

export type DumpResult = { rows: Record<string, number>; jobs: number };

// pg-boss's create_queue options, from the columns of its queue table.
const QUEUE_OPTIONS = `json_strip_nulls(json_build_object('policy', policy, 'retryLimit', retry_limit, 'retryDelay', retry_delay,
  'retryBackoff', retry_backoff, 'retryDelayMax', retry_delay_max, 'expireInSeconds', expire_seconds,
  'retentionSeconds', retention_seconds, 'deleteAfterSeconds', deletion_seconds, 'warningQueueSize', warning_queued,
  'deadLetter', dead_letter, 'heartbeatSeconds', heartbeat_seconds, 'notify', notify, 'partition', partition))::text`;

/** A dollar-quoted literal whose tag occurs nowhere in the text. */
const dollarQuoted = (text: string): string => {
  let tag = `$akked_${randomBytes(4).toString('hex')}$`;
  while (text.includes(tag)) tag = `$akked_${randomBytes(4).toString('hex')}$`;

  return `${tag}${text}${tag}`;
};

/**
 * Writes a plain SQL script that recreates this Akked database in an empty PostgreSQL
 * (`psql -v ON_ERROR_STOP=1 -f dump.sql`), in one transaction: Akked's schema from the shipped
 * migrations, the job queue's schema from pg-boss's own construction SQL, its queues, every row
 * and the pending jobs. Works the same on the embedded database and on PostgreSQL. Envelopes stay
 * encrypted: keep the master key with the dump.
 */
export const dumpDatabase = async (options: DumpDatabaseOptions): Promise<DumpResult> => {
  const { source, jobSchema, write } = options;
  const batchSize = options.batchSize ?? 500;
  await migrate(source);
  const schema = quote(source.schema);
  const applied = new Set(
    (await source.query<{ version: number }>('select version from akked_migrations')).map((row) => Number(row.version)),
  );
  await write(
    [
      `-- Akked database dump of ${new Date().toISOString()}: schema ${source.schema}, job queue ${jobSchema}.`,
      '-- Restore into an empty PostgreSQL database: psql -v ON_ERROR_STOP=1 -f <this file>',
      "-- Stored credentials are encrypted: Akked needs the same master key on the restored database.",
      'BEGIN;',
      "SET client_encoding = 'UTF8';",
      'SET standard_conforming_strings = on;',
      `CREATE SCHEMA ${schema};`,
      `SET search_path TO ${schema};`,
      'CREATE TABLE akked_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now());',
      'ALTER TABLE akked_migrations ENABLE ROW LEVEL SECURITY;',
      '',
    ].join('\n'),
  );
  for (const migration of await readMigrations()) {
    if (!applied.has(migration.version)) continue;
    await write(`-- migration ${migration.name}\n${migration.sql.trim()}\n`);
    await write(`INSERT INTO akked_migrations (version, name) VALUES (${migration.version}, '${migration.name}');\n\n`);
  }
  // The search path the script runs with, once the migrations created what they need.
  await write(`SET search_path TO ${schema};\n`);

  const rows: Record<string, number> = {};
  for (const table of await tablesInDependencyOrder(source)) {
    if (table.name === 'akked_migrations') continue;
    const target = `${schema}.${quote(table.name)}`;
    rows[table.name] = await readTableInBatches(source, { from: target, keyColumns: table.keyColumns, batchSize }, async (rowsJson) => {
      await write(`INSERT INTO ${target} SELECT * FROM json_populate_recordset(NULL::${target}, ${dollarQuoted(rowsJson)});\n`);
    });
  }

  let jobs = 0;
  if (await hasSchema(source, jobSchema)) {
    // pg-boss's own script wraps itself in BEGIN/COMMIT; here it runs inside the dump's transaction.
    const construction = getConstructionPlans(jobSchema).trim().replace(/^BEGIN;/, '').replace(/COMMIT;$/, '');
    await write(`\n-- job queue (pg-boss)\n${construction}\n`);
    const queues = await source.query<{ name: string; options: string }>(`select name, ${QUEUE_OPTIONS} as options from ${quote(jobSchema)}.queue order by name`);
    for (const queue of queues) {
      await write(`SELECT ${quote(jobSchema)}.create_queue(${dollarQuoted(queue.name)}, ${dollarQuoted(queue.options)}::jsonb);\n`);
    }
    const jobTable = `${quote(jobSchema)}.job`;
    jobs = await readTableInBatches(source, { from: jobTable, keyColumns: [{ name: 'id', type: 'uuid' }], batchSize, where: PENDING_JOBS }, async (rowsJson) => {
      await write(`INSERT INTO ${jobTable} SELECT * FROM json_populate_recordset(NULL::${jobTable}, ${dollarQuoted(rowsJson)});\n`);
    });
  }
  await write('COMMIT;\n');

  return { rows, jobs };
};

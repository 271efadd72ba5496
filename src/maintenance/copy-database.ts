import type { Database, Queryable } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { AppError } from '../errors.ts';
import type { AnyJobDefinition } from '../jobs/define-job.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';

export type CopyDatabaseOptions = {
  source: Database;
  target: Database;
  /** pg-boss's schema, the same on both sides. */
  jobSchema: string;
  logger: Logger;
  /** The queues to create in the target (the entry point's list of every job). */
  jobs: readonly AnyJobDefinition[];
  /** Rows per read and per insert. */
  batchSize?: number;
};

export type CopyResult = {
  /** Rows copied per table of Akked's schema. */
  rows: Record<string, number>;
  /** Jobs still to run (created, retry, active) copied into the target's queue. */
  jobs: number;
  sequences: number;
};

type Table = { name: string; keyColumns: { name: string; type: string }[] };

// A job in one of these states has work left: copied. Finished ones are history, left behind.
const PENDING_JOB_STATES = ['created', 'retry', 'active'];

/** The filter of the job rows that still have work to do. */
export const PENDING_JOBS = `state::text = any(array[${PENDING_JOB_STATES.map((state) => `'${state}'`).join(', ')}])`;

export const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/**
 * Copies one Akked database into another, empty one (an embedded installation moving to
 * PostgreSQL): the target gets the same migrations and job queues, then every row of Akked's
 * tables, the pending jobs and the sequences' positions in one transaction. Rows travel as
 * PostgreSQL's own JSON text, so every type (64-bit integers included) arrives exactly.
 * Envelopes are copied as they are: the target needs the source's master key.
 * On failure the target is left as it was found: the transaction rolls back and schemas this
 * copy created are dropped.
 */
export const copyDatabase = async (options: CopyDatabaseOptions): Promise<CopyResult> => {
  const { source, target, jobSchema, logger } = options;
  const batchSize = options.batchSize ?? 1_000;
  await migrate(source);
  const schemasBefore = await existingSchemas(target, [target.schema, jobSchema]);
  await refuseNonEmptyTarget(target, jobSchema, schemasBefore);
  try {
    await migrate(target);
    const queue = await JobQueue.start({ database: target, logger, schema: jobSchema, isSupervisor: false });
    try {
      await queue.register(options.jobs);
    } finally {
      await queue.stop();
    }
    await refuseMigrationMismatch(source, target);

    return await target.transaction(async (transaction) => {
      const rows: Record<string, number> = {};
      for (const table of await tablesInDependencyOrder(source)) {
        if (table.name === 'akked_migrations') continue;
        rows[table.name] = await copyTable(source, transaction, {
          from: `${quote(source.schema)}.${quote(table.name)}`,
          to: `${quote(target.schema)}.${quote(table.name)}`,
          keyColumns: table.keyColumns,
          batchSize,
        });
        logger.info({ table: table.name, rows: rows[table.name] }, 'table copied');
      }
      const jobs = (await hasSchema(source, jobSchema))
        ? await copyTable(source, transaction, {
            from: `${quote(jobSchema)}.job`,
            to: `${quote(jobSchema)}.job`,
            keyColumns: [{ name: 'id', type: 'uuid' }],
            batchSize,
            where: PENDING_JOBS,
          })
        : 0;
      const sequences = await copySequences(source, transaction, target.schema);

      return { rows, jobs, sequences };
    });
  } catch (error) {
    for (const schema of [target.schema, jobSchema]) {
      if (!schemasBefore.has(schema)) await target.exec(`drop schema if exists ${quote(schema)} cascade`).catch(() => undefined);
    }
    throw error;
  }
};

const existingSchemas = async (database: Queryable, names: string[]): Promise<Set<string>> =>
  new Set((await database.query<{ name: string }>('select nspname as name from pg_namespace where nspname = any($1::text[])', [names])).map((row) => row.name));

export const hasSchema = async (database: Queryable, name: string): Promise<boolean> => (await existingSchemas(database, [name])).has(name);

/** A target that holds any row of Akked (beyond its migration list) or any job is not overwritten. */
const refuseNonEmptyTarget = async (target: Database, jobSchema: string, schemas: Set<string>): Promise<void> => {
  const tables = schemas.has(target.schema) ? await tablesInDependencyOrder(target) : [];
  const occupied: string[] = [];
  for (const table of tables) {
    if (table.name === 'akked_migrations') continue;
    const [row] = await target.query(`select 1 from ${quote(target.schema)}.${quote(table.name)} limit 1`);
    if (row) occupied.push(table.name);
  }
  if (schemas.has(jobSchema)) {
    const [job] = await target.query(`select 1 from ${quote(jobSchema)}.job limit 1`).catch(() => []);
    if (job) occupied.push(`${jobSchema}.job`);
  }
  if (occupied.length > 0) {
    throw new AppError('conflict', {
      message: `the target database is not empty (rows in ${occupied.slice(0, 3).join(', ')}${occupied.length > 3 ? ', ...' : ''}); copy only into an empty database`,
    });
  }
};

const refuseMigrationMismatch = async (source: Database, target: Database): Promise<void> => {
  const versions = async (database: Database) =>
    (await database.query<{ version: number }>('select version from akked_migrations order by version')).map((row) => Number(row.version)).join(',');
  if ((await versions(source)) !== (await versions(target))) {
    throw new AppError('conflict', { message: 'the target database has other migrations than this version of Akked; update Akked or use an empty database' });
  }
};

/**
 * Akked's tables with their primary keys, each after the tables its foreign keys point to, so
 * rows can be inserted in this order with every constraint checked.
 */
export const tablesInDependencyOrder = async (database: Database): Promise<Table[]> => {
  const tables = await database.query<{ name: string; keyColumns: { name: string; type: string }[] | null; dependsOn: string[] | null }>(
    `select c.relname as name,
       (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) order by k.ordinality)
          from pg_index i cross join unnest(i.indkey) with ordinality as k(attnum, ordinality)
          join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
          where i.indrelid = c.oid and i.indisprimary) as "keyColumns",
       (select array_agg(distinct referenced.relname::text) from pg_constraint f join pg_class referenced on referenced.oid = f.confrelid
          where f.conrelid = c.oid and f.contype = 'f' and f.confrelid <> c.oid) as "dependsOn"
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relkind in ('r', 'p') order by c.relname`,
    [database.schema],
  );
  const ordered: Table[] = [];
  const placed = new Set<string>();
  let remaining = tables;
  while (remaining.length > 0) {
    const ready = remaining.filter((table) => (table.dependsOn ?? []).every((name) => placed.has(name)));
    if (ready.length === 0) throw new AppError('internal', { message: `foreign keys form a cycle among ${remaining.map((table) => table.name).join(', ')}` });
    for (const table of ready) {
      if (!table.keyColumns) throw new AppError('internal', { message: `table ${table.name} has no primary key to copy it by` });
      ordered.push({ name: table.name, keyColumns: table.keyColumns });
      placed.add(table.name);
    }
    remaining = remaining.filter((table) => !placed.has(table.name));
  }

  return ordered;
};

/** One table to read: qualified names, its primary key, an optional filter. */
export type TableRead = { from: string; keyColumns: { name: string; type: string }[]; batchSize: number; where?: string };

/**
 * Reads rows in primary-key order, a batch at a time (constant memory whatever the table's size),
 * each batch as a JSON array text of PostgreSQL's own `row_to_json`, handed to `onBatch`.
 */
export const readTableInBatches = async (source: Queryable, table: TableRead, onBatch: (rowsJson: string, count: number) => Promise<void>): Promise<number> => {
  const keyList = table.keyColumns.map((column) => quote(column.name)).join(', ');
  const keyArray = `array[${table.keyColumns.map((column) => `${quote(column.name)}::text`).join(', ')}]`;
  const after = `(${keyList}) > (${table.keyColumns.map((column, index) => `$${index + 2}::${column.type}`).join(', ')})`;
  let lastKey: string[] | null = null;
  let read = 0;
  for (;;) {
    const conditions = [table.where, lastKey ? after : null].filter(Boolean);
    const batch: { row: string; key: string[] }[] = await source.query<{ row: string; key: string[] }>(
      `select row_to_json(t)::text as row, ${keyArray} as key from ${table.from} t
       ${conditions.length > 0 ? `where ${conditions.join(' and ')}` : ''} order by ${keyList} limit $1`,
      [table.batchSize, ...(lastKey ?? [])],
    );
    if (batch.length === 0) return read;
    await onBatch(`[${batch.map((entry) => entry.row).join(',')}]`, batch.length);
    read += batch.length;
    lastKey = batch.at(-1)?.key ?? null;
    if (batch.length < table.batchSize) return read;
  }
};

const copyTable = (source: Queryable, target: Queryable, table: TableRead & { to: string }): Promise<number> =>
  readTableInBatches(source, table, async (rowsJson) => {
    await target.query(`insert into ${table.to} select * from json_populate_recordset(null::${table.to}, $1::json)`, [rowsJson]);
  });

const copySequences = async (source: Database, target: Queryable, targetSchema: string): Promise<number> => {
  const sequences = await source.query<{ name: string; value: string; isCalled: boolean }>(
    `select sequencename as name, coalesce(last_value, start_value)::text as value, last_value is not null as "isCalled"
     from pg_sequences where schemaname = $1`,
    [source.schema],
  );
  for (const sequence of sequences) {
    await target.query('select setval($1::regclass, $2::bigint, $3)', [`${quote(targetSchema)}.${quote(sequence.name)}`, sequence.value, sequence.isCalled]);
  }

  return sequences.length;
};

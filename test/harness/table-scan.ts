import type { Queryable } from '../../src/db/database.ts';

/** One table (any schema, the job queue's included) whose rows contain one of the searched texts. */
export type TableScanHit = { table: string; text: string };

/**
 * Reads every row of every table of every schema and answers where any of `texts` occurs: the
 * proof that an erasure or a purge left nothing behind, whatever table a future change adds.
 * A table that cannot be read fails the scan instead of being skipped.
 */
export const findInEveryTable = async (queryable: Queryable, texts: readonly string[]): Promise<TableScanHit[]> => {
  const tables = await queryable.query<{ table_schema: string; table_name: string }>(
    `select table_schema, table_name from information_schema.tables
     where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
     order by table_schema, table_name`,
  );
  if (tables.length === 0) throw new Error('the scan found no table at all');
  const hits: TableScanHit[] = [];
  for (const table of tables) {
    const name = `${table.table_schema}.${table.table_name}`;
    const rows = await queryable.query(`select * from "${table.table_schema}"."${table.table_name}"`).catch((error: unknown) => {
      throw new Error(`the scan could not read ${name}: ${(error as Error).message}`);
    });
    const content = JSON.stringify(rows);
    for (const text of texts) if (content.includes(text)) hits.push({ table: name, text });
  }

  return hits;
};

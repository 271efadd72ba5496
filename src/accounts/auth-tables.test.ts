import { getTableConfig } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { AUTH_TABLES } from './auth-tables.ts';

type Column = { column_name: string; data_type: string; is_nullable: 'YES' | 'NO'; column_default: string | null };

describe.each(TEST_BACKENDS)('better-auth tables on %s', (backend) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
  }, 90_000);

  afterAll(async () => {
    await testDatabase?.close();
  });

  const columnsOf = async (table: string): Promise<Column[]> =>
    testDatabase.database.query<Column>(
      `select column_name, data_type, is_nullable, column_default from information_schema.columns
        where table_schema = $1 and table_name = $2 order by ordinal_position`,
      [testDatabase.database.schema, table],
    );

  it.each(Object.values(AUTH_TABLES).map((table) => [getTableConfig(table).name, table] as const))(
    'defines %s as the migrations create it: every column, type and nullability',
    async (name, table) => {
      const defined = getTableConfig(table).columns.map((column) => ({ name: column.name, type: column.getSQLType(), notNull: column.notNull }));
      const migrated = await columnsOf(name);

      expect(migrated.length, `table ${name} exists`).toBeGreaterThan(0);
      expect(defined.map(({ name: column, type, notNull }) => ({ column, type, notNull }))).toEqual(
        defined.map(({ name: column }) => {
          const found = migrated.find((row) => row.column_name === column);

          return { column, type: found?.data_type ?? 'missing', notNull: found?.is_nullable === 'NO' };
        }),
      );
      // better-auth inserts only the columns defined here: any other must be optional.
      const required = migrated.filter((row) => row.is_nullable === 'NO' && row.column_default === null).map((row) => row.column_name);
      expect(required.filter((column) => !defined.some((definedColumn) => definedColumn.name === column))).toEqual([]);
    },
  );
});

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { installPreviousRelease, LAST_PREVIOUS_MIGRATION, seedPreviousRelease, type ScriptRunner } from '../../test/harness/previous-release.ts';
import { searchPathStatement, type Queryable } from './database.ts';
import { LEGACY_TABLES, migrate, readMigrations } from './migrate.ts';

const tablesIn = async (queryable: Queryable, schema: string): Promise<string[]> =>
  (
    await queryable.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind in ('r', 'p') order by 1`,
      [schema],
    )
  ).map((row) => row.name);

describe.each(TEST_BACKENDS)('migrations on %s', (backend) => {
  let testDatabase: TestDatabase | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
    await testDatabase?.close();
    testDatabase = undefined;
  });

  /**
   * The previous release's database: on PostgreSQL in `public` of a fresh database, as deployed;
   * on the shared test PGlite in a schema of its own (its `public` is shared by every test file).
   */
  const installPrevious = async (database: TestDatabase): Promise<string> => {
    if (backend === 'postgres') {
      const client = new pg.Client({ connectionString: database.url as string });
      await client.connect();
      const runner: ScriptRunner = { exec: (script) => client.query(script), query: (text, params) => client.query(text, params) };
      try {
        await installPreviousRelease(runner);
        await seedPreviousRelease(runner);
      } finally {
        await client.end();
      }

      return 'public';
    }
    const legacySchema = `legacy_${randomBytes(4).toString('hex')}`;
    const runner: ScriptRunner = database.database;
    await runner.exec(`create schema ${legacySchema}; set search_path to ${legacySchema}`);
    try {
      await installPreviousRelease(runner);
      await seedPreviousRelease(runner);
    } finally {
      await runner.exec(searchPathStatement(database.database.schema));
    }
    cleanup = async () => {
      await database.database.exec(`drop schema if exists ${legacySchema} cascade`);
    };

    return legacySchema;
  };

  it('moves an installation of the previous release into its schema, rows, indexes and all', async () => {
    testDatabase = await createTestDatabase(backend, { migrate: false });
    const { database } = testDatabase;
    const legacySchema = await installPrevious(testDatabase);

    const result = await migrate(database, { legacySchema });

    expect(result.movedFrom).toBe(legacySchema);
    expect(result.applied).toEqual((await readMigrations()).filter((migration) => migration.version > LAST_PREVIOUS_MIGRATION).map((migration) => migration.name));
    expect(await tablesIn(database, legacySchema)).toEqual([]);
    expect(await tablesIn(database, database.schema)).toEqual(expect.arrayContaining([...LEGACY_TABLES]));
    const [account] = await database.query<{ credit_balance: number }>('select credit_balance from accounts where id = $1', ['acc_old']);
    expect(account?.credit_balance).toBe(42);
    const [credential] = await database.query<{ envelope: string }>('select envelope from credentials where owner_id = $1', ['sto_old']);
    expect(credential?.envelope).toBe('v1:key:iv:ciphertext');
    // The trigram search index moved with its table and still answers.
    const found = await database.query<{ id: string }>(
      `select id from orders where (number || ' ' || coalesce(customer_name, '') || ' ' || coalesce(customer_phone, '')) ilike $1`,
      ['%haddad%'],
    );
    expect(found.map((row) => row.id)).toEqual(['ord_old']);
    const [index] = await database.query<{ schema: string }>(`select schemaname as schema from pg_indexes where indexname = 'orders_search'`);
    expect(index?.schema).toBe(database.schema);
    // The application's own writes land in the moved tables.
    await database.query("insert into order_events (id, account_id, order_id, status, cause) values ('evt_new', 'acc_old', 'ord_old', 'confirmed', 'reply')");
    expect(await database.query('select id from order_events order by id')).toEqual([{ id: 'evt_new' }, { id: 'evt_old' }]);

    const again = await migrate(database, { legacySchema });
    expect(again).toEqual({ applied: [], current: result.current });
  });

  it('leaves alone tables of the same names in public that are not an Akked installation', async () => {
    testDatabase = await createTestDatabase(backend, { migrate: false });
    const { database } = testDatabase;
    const otherSchema = `other_${randomBytes(4).toString('hex')}`;
    await database.exec(`create schema ${otherSchema}; create table ${otherSchema}.users (id text primary key); insert into ${otherSchema}.users values ('theirs')`);
    cleanup = async () => {
      await database.exec(`drop schema if exists ${otherSchema} cascade`);
    };

    const result = await migrate(database, { legacySchema: otherSchema });

    expect(result.movedFrom).toBeUndefined();
    expect(await tablesIn(database, otherSchema)).toEqual(['users']);
    expect(await database.query('select * from users')).toEqual([]);
  });

  it('creates every table in its own schema with row-level security on and no policy, and nothing in public', async () => {
    testDatabase = await createTestDatabase(backend);
    const { database } = testDatabase;

    const tables = await database.query<{ name: string; isSecured: boolean; isForced: boolean; policies: number }>(
      `select c.relname as name, c.relrowsecurity as "isSecured", c.relforcerowsecurity as "isForced",
              (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind in ('r', 'p') order by 1`,
      [database.schema],
    );

    expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining([...LEGACY_TABLES]));
    // A new table without `alter table ... enable row level security` in its migration fails here.
    expect(tables.filter((table) => !table.isSecured || table.isForced || table.policies > 0)).toEqual([]);
    const inPublic = await tablesIn(database, 'public');
    expect(inPublic.filter((name) => (LEGACY_TABLES as readonly string[]).includes(name))).toEqual([]);
  });
});

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/harness/database.ts';
import { installPreviousRelease, seedPreviousRelease } from '../../test/harness/previous-release.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import { createLogger } from '../logger.ts';
import { migrate } from './migrate.ts';

/**
 * Supabase's Data API (PostgREST) runs every request as `anon` (the key shipped in web pages) or
 * `authenticated`; `service_role` bypasses RLS and must stay secret. These are the roles and the
 * grants of a new Supabase project (supabase/postgres initial schema): usage on `public` and
 * every future table, function and sequence there.
 */
const SUPABASE_SETUP = `
  do $$ begin create role anon nologin noinherit; exception when duplicate_object then null; end $$;
  do $$ begin create role authenticated nologin noinherit; exception when duplicate_object then null; end $$;
  do $$ begin create role service_role nologin noinherit bypassrls; exception when duplicate_object then null; end $$;
  grant usage on schema public to anon, authenticated, service_role;
  alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
  alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
  alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
`;

/** What Supabase's guide for exposing a custom schema to the Data API has the operator run. */
const exposeSchema = (schema: string) => `
  grant usage on schema ${schema} to anon, authenticated, service_role;
  grant all on all tables in schema ${schema} to anon, authenticated, service_role;
  grant all on all sequences in schema ${schema} to anon, authenticated, service_role;
`;

type Attempt = { table: string; rows?: number; error?: string };

describe.skipIf(!TEST_DATABASE_URL)('Supabase Data API roles on PostgreSQL', () => {
  let testDatabase: TestDatabase | undefined;
  let admin: pg.Client | undefined;

  afterEach(async () => {
    await admin?.end();
    admin = undefined;
    await testDatabase?.close();
    testDatabase = undefined;
  });

  const connectAdmin = async (database: TestDatabase): Promise<pg.Client> => {
    admin = new pg.Client({ connectionString: database.url as string });
    await admin.connect();

    return admin;
  };

  /** Every table of the given schemas, with what `role` gets when it selects from it. */
  const readEveryTableAs = async (client: pg.Client, role: string, schemas: string[]): Promise<Attempt[]> => {
    const { rows: tables } = await client.query<{ name: string }>(
      `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1::text[]) and c.relkind in ('r', 'p') order by 1`,
      [schemas],
    );
    const attempts: Attempt[] = [];
    for (const { name } of tables) {
      await client.query('begin');
      try {
        await client.query(`set local role ${role}`);
        const { rows } = await client.query<{ count: number }>(`select count(*)::int as count from ${name}`);
        attempts.push({ table: name, rows: rows[0]?.count ?? 0 });
      } catch (error) {
        attempts.push({ table: name, error: (error as Error).message });
      } finally {
        await client.query('rollback');
      }
    }

    return attempts;
  };

  const startQueue = async (database: TestDatabase): Promise<void> => {
    const queue = await JobQueue.start({ database: database.database, logger: createLogger({ level: 'silent' }), schema: database.jobSchema, isSupervisor: false });
    await queue.stop();
  };

  it('an installation of the previous release on Supabase defaults: anon read its orders, and after the upgrade no Data API role reads a row', async () => {
    testDatabase = await createTestDatabase('postgres', { migrate: false });
    const client = await connectAdmin(testDatabase);
    await client.query(SUPABASE_SETUP);
    await installPreviousRelease({ exec: (script) => client.query(script), query: (text, params) => client.query(text, params) });
    await seedPreviousRelease({ exec: (script) => client.query(script), query: (text, params) => client.query(text, params) });
    // The finding of issue 13, reproduced: the public web key read customers' orders.
    expect(await readEveryTableAs(client, 'anon', ['public'])).toContainEqual({ table: 'public.orders', rows: 1 });

    await migrate(testDatabase.database);
    await startQueue(testDatabase);

    const schemas = [testDatabase.database.schema, testDatabase.jobSchema, 'public'];
    for (const role of ['anon', 'authenticated', 'service_role']) {
      const attempts = await readEveryTableAs(client, role, schemas);
      expect(attempts.length).toBeGreaterThan(22);
      expect(attempts.filter((attempt) => attempt.error === undefined || !/permission denied for schema/.test(attempt.error))).toEqual([]);
    }
  });

  it('a schema the operator exposes to the Data API still answers no row to anon and authenticated, and refuses their writes', async () => {
    testDatabase = await createTestDatabase('postgres', { migrate: false });
    const client = await connectAdmin(testDatabase);
    await client.query(SUPABASE_SETUP);
    await migrate(testDatabase.database);
    const { schema } = testDatabase.database;
    await testDatabase.database.query("insert into accounts (id, name) values ('acc_exposed', 'Exposed merchant')");
    await testDatabase.database.query("insert into stores (id, account_id, platform, name) values ('sto_exposed', 'acc_exposed', 'generic', 'Shop')");
    await client.query(exposeSchema(schema));

    for (const role of ['anon', 'authenticated']) {
      const attempts = await readEveryTableAs(client, role, [schema]);
      expect(attempts.length).toBeGreaterThanOrEqual(22);
      expect(attempts.filter((attempt) => attempt.rows !== 0)).toEqual([]);
      await client.query('begin');
      try {
        await client.query(`set local role ${role}`);
        expect((await client.query(`update ${schema}.accounts set credit_balance = 1000000`)).rowCount).toBe(0);
        expect((await client.query(`delete from ${schema}.stores`)).rowCount).toBe(0);
        await expect(client.query(`insert into ${schema}.accounts (id, name) values ('acc_intruder', 'x')`)).rejects.toThrow(/row-level security/);
      } finally {
        await client.query('rollback');
      }
    }
    const [account] = await testDatabase.database.query<{ credit_balance: number }>("select credit_balance from accounts where id = 'acc_exposed'");
    expect(account?.credit_balance).toBe(0);
  });
});

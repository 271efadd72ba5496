import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../test/harness/database.ts';
import { seedPreviousRelease } from '../../test/harness/previous-release.ts';
import { ALL_JOBS } from '../cli/jobs.ts';
import type { Database } from '../db/database.ts';
import { createLogger } from '../logger.ts';
import { copyDatabase } from './copy-database.ts';

const logger = createLogger({ level: 'silent' });

/** The embedded source (PGlite) and an empty PostgreSQL target, as `akked db copy` sees them. */
describe.skipIf(!TEST_DATABASE_URL)('copying an embedded database into PostgreSQL', () => {
  const opened: TestDatabase[] = [];

  afterEach(async () => {
    for (const database of opened.splice(0).reverse()) await database.close();
  });

  const open = async (backend: 'pglite' | 'postgres', options: { migrate?: boolean } = {}) => {
    const database = await createTestDatabase(backend, options);
    opened.push(database);

    return database;
  };

  const seededSource = async () => {
    const source = await open('pglite');
    await seedPreviousRelease(source.database);
    // A 64-bit value past 2^53 survives only if rows never pass through a JavaScript number.
    await source.database.exec(`
      insert into whatsapp_numbers (id, account_id, provider, status) values ('num_big', 'acc_old', 'simulator', 'hibernated');
      insert into whatsapp_leases (number_id, owner_id, fencing_token, expires_at) values ('num_big', 'wrk_x', 9007199254740993, now());`);

    return source;
  };

  it('copies every row exactly, with the schema and job queue created on the target', async () => {
    const source = await seededSource();
    const target = await open('postgres', { migrate: false });

    const result = await copyDatabase({ source: source.database, target: target.database, jobSchema: source.jobSchema, jobs: ALL_JOBS, logger, batchSize: 2 });

    expect(result.rows).toMatchObject({ accounts: 1, users: 1, stores: 1, credentials: 1, orders: 1, order_events: 1, whatsapp_leases: 1 });
    const [lease] = await target.database.query<{ token: string }>('select fencing_token::text as token from whatsapp_leases');
    expect(lease?.token).toBe('9007199254740993');
    const [order] = await target.database.query<{ customer_name: string; platform_created_at: Date }>('select customer_name, platform_created_at from orders');
    const [sourceOrder] = await source.database.query<{ platform_created_at: Date }>('select platform_created_at from orders');
    expect(order).toEqual({ customer_name: 'Layla Haddad', platform_created_at: sourceOrder?.platform_created_at });
    const [queue] = await target.database.query<{ count: number }>(`select count(*)::int as count from ${source.jobSchema}.queue`);
    expect(queue?.count).toBeGreaterThan(5);
  }, 180_000);

  it('leaves the target as it was when the copy fails halfway', async () => {
    const source = await seededSource();
    const target = await open('postgres', { migrate: false });
    let inserts = 0;
    // The target's connection drops after a few tables have been written in the transaction.
    const failing: Database = {
      ...target.database,
      transaction: (work) =>
        target.database.transaction((transaction) =>
          work({
            ...transaction,
            query: async (text, params, options) => {
              if (text.startsWith('insert') && ++inserts === 4) throw new Error('connection lost');
              return transaction.query(text, params, options);
            },
          }),
        ),
    };

    await expect(copyDatabase({ source: source.database, target: failing, jobSchema: source.jobSchema, jobs: ALL_JOBS, logger })).rejects.toThrow('connection lost');

    const schemas = await target.database.query<{ name: string }>(`select nspname as name from pg_namespace where nspname in ($1, $2)`, [target.database.schema, source.jobSchema]);
    expect(schemas).toEqual([]);
  }, 180_000);

  it('refuses a target that holds data, and changes nothing there', async () => {
    const source = await seededSource();
    const target = await open('postgres');
    await target.database.query("insert into accounts (id, name) values ('acc_there', 'Already here')");

    await expect(copyDatabase({ source: source.database, target: target.database, jobSchema: source.jobSchema, jobs: ALL_JOBS, logger })).rejects.toThrow(
      'the target database is not empty (rows in accounts); copy only into an empty database',
    );
    expect(await target.database.query('select id from accounts')).toEqual([{ id: 'acc_there' }]);
  }, 180_000);
});

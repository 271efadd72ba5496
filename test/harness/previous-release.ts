import { readMigrations } from '../../src/db/migrate.ts';

/** What installing needs of a connection: a raw pg.Client or a Database both fit. */
export type ScriptRunner = {
  exec(script: string): Promise<unknown>;
  query(text: string, params: unknown[]): Promise<unknown>;
};

/** The last migration of the releases that created Akked's tables in `public`. */
export const LAST_PREVIOUS_MIGRATION = 11;

/**
 * Installs the database as the code before migration 0012 left it: its migrations applied with
 * unqualified names, so into the first schema of the connection's search_path, with the old
 * migrate's tracking table beside them. Upgrade tests start from here.
 */
export const installPreviousRelease = async (runner: ScriptRunner): Promise<void> => {
  await runner.exec(
    `create table akked_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())`,
  );
  for (const migration of await readMigrations()) {
    if (migration.version > LAST_PREVIOUS_MIGRATION) continue;
    await runner.exec(migration.sql);
    await runner.query('insert into akked_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
  }
};

/** A few rows across the tables, as a merchant's installation would hold them. */
export const seedPreviousRelease = async (runner: ScriptRunner): Promise<void> => {
  await runner.exec(`
    insert into accounts (id, name, credit_balance) values ('acc_old', 'Old merchant', 42);
    insert into users (id, name, email, account_id) values ('usr_old', 'Old Owner', 'old@example.com', 'acc_old');
    insert into stores (id, account_id, platform, name) values ('sto_old', 'acc_old', 'shopify', 'Old store');
    insert into credentials (id, account_id, owner_id, purpose, envelope, key_id)
      values ('crd_old', 'acc_old', 'sto_old', 'write_back', 'v1:key:iv:ciphertext', 'key');
    insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at,
                        currency, total, is_cod, customer_name, customer_phone)
      values ('ord_old', 'acc_old', 'sto_old', 'shopify', '1001', '#1001', 'K7Q2', 'sent', now(), 'SAR', '199.00', true,
              'Layla Haddad', '+966551234567');
    insert into order_events (id, account_id, order_id, status, cause) values ('evt_old', 'acc_old', 'ord_old', 'sent', 'test');
  `);
};

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { createKeyring, toMasterKey } from '../crypto/envelope.ts';
import { createLogger } from '../logger.ts';
import { purge } from './purge.ts';

const keyring = createKeyring(toMasterKey(randomBytes(32).toString('base64')));
const DAY = 86_400_000;

describe.each(TEST_BACKENDS)('retention purge on %s', (backend) => {
  let testDatabase: TestDatabase;
  const asOf = new Date('2027-06-15T12:00:00.000Z');

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    const { database } = testDatabase;
    await database.query("insert into accounts (id, name) values ('acc_purge', 'Purge')");
    await database.query("insert into stores (id, account_id, platform, name) values ('sto_purge', 'acc_purge', 'generic', 'S')");
    const orders: [string, number, string][] = [
      ['ord_13_months', 395, '+966551230101'],
      ['ord_11_months', 335, '+966551230102'],
      ['ord_40_days', 40, '+966551230103'],
      ['ord_today', 0, '+966551230104'],
    ];
    for (const [id, ageDays, phone] of orders) {
      const createdAt = new Date(asOf.getTime() - ageDays * DAY);
      await database.query(
        `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_phone, customer_name, created_at)
         values ($1, 'acc_purge', 'sto_purge', 'generic', $1, $1, 'AK000000', 'confirmed', $2, 'SAR', '1.00', true, $3, 'Customer', $2)`,
        [id, createdAt, phone],
      );
      await database.query(
        `insert into messages (id, account_id, order_id, direction, kind, text, status, customer_phone, created_at)
         values ($1, 'acc_purge', $2, 'outbound', 'confirmation', 'please confirm', 'read', $3, $4)`,
        [`msg_${id}`, id, phone, createdAt],
      );
      await database.query("insert into order_events (id, account_id, order_id, status, cause, at) values ($1, 'acc_purge', $2, 'confirmed', 'customer_reply', $3)", [`evt_${id}`, id, createdAt]);
    }
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  const options = (dryRun: boolean) => ({ database: testDatabase.database, keyring, jobSchema: testDatabase.jobSchema, logger: createLogger({ level: 'silent' }), asOf, dryRun, messageTextDays: 30 });

  it('counts without deleting in a dry run', async () => {
    const result = await purge(options(true));
    expect(result).toEqual({ asOf: asOf.toISOString(), dryRun: true, deleted: { orders: 1, messages: 1, events: 1, jobs: 0 }, blanked: { messages: 2 } });
    expect(await testDatabase.database.query('select id from orders')).toHaveLength(4);
  });

  it('deletes what was received more than 12 months before --as-of, keeps 11 months, and blanks old message text', async () => {
    const result = await purge(options(false));
    expect(result).toEqual({ asOf: asOf.toISOString(), dryRun: false, deleted: { orders: 1, messages: 1, events: 1, jobs: 0 }, blanked: { messages: 2 } });
    const orders = await testDatabase.database.query<{ id: string }>('select id from orders order by id');
    expect(orders.map((order) => order.id)).toEqual(['ord_11_months', 'ord_40_days', 'ord_today']);
    const texts = await testDatabase.database.query<{ id: string; text: string }>('select id, text from messages order by id');
    expect(texts).toEqual([
      { id: 'msg_ord_11_months', text: '' },
      { id: 'msg_ord_40_days', text: '' },
      { id: 'msg_ord_today', text: 'please confirm' },
    ]);
    const everything = JSON.stringify(await testDatabase.database.query("select * from orders, messages, order_events where orders.id = 'ord_13_months'"));
    expect(everything).toBe('[]');
    expect(await purge(options(false))).toMatchObject({ deleted: { orders: 0, messages: 0, events: 0, jobs: 0 }, blanked: { messages: 0 } });
  });
});

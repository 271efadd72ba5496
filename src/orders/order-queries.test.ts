import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { AnalyticsQuerySchema, readAnalytics } from './analytics.ts';
import { listOrders, ListOrdersQuerySchema } from './order-queries.ts';

type Seed = { id: string; account: string; store: string; number: string; name: string | null; phone: string | null; status: string; createdAt: string; sentAt?: string; repliedAt?: string };

const SEEDS: Seed[] = [
  { id: 'ord_a1', account: 'acc_a', store: 'sto_a', number: '#1001', name: 'Amina Haddad', phone: '+966551234567', status: 'confirmed', createdAt: '2026-11-20T10:00:00Z', sentAt: '2026-11-20T10:00:10Z', repliedAt: '2026-11-20T10:02:10Z' },
  { id: 'ord_a2', account: 'acc_a', store: 'sto_a', number: '#1002', name: 'يوسف العلوي', phone: '+212612345678', status: 'cancelled', createdAt: '2026-11-20T12:00:00Z', sentAt: '2026-11-20T12:00:10Z', repliedAt: '2026-11-20T12:10:10Z' },
  { id: 'ord_a3', account: 'acc_a', store: 'sto_b', number: '#2001', name: 'Omar 100%_done', phone: null, status: 'failed', createdAt: '2026-11-21T09:00:00Z' },
  { id: 'ord_a4', account: 'acc_a', store: 'sto_b', number: '#2002', name: 'Layla Mansour', phone: '+201012345678', status: 'no_response', createdAt: '2026-11-22T09:00:00Z', sentAt: '2026-11-22T09:00:05Z' },
  { id: 'ord_b1', account: 'acc_b', store: 'sto_c', number: '#1001', name: 'Amina Other', phone: '+966551234567', status: 'confirmed', createdAt: '2026-11-20T10:00:00Z', sentAt: '2026-11-20T10:00:10Z', repliedAt: '2026-11-20T10:00:20Z' },
];

describe.each(TEST_BACKENDS)('orders search and analytics (%s)', (backend) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    for (const account of ['acc_a', 'acc_b']) await testDatabase.database.query('insert into accounts (id, name) values ($1, $1)', [account]);
    for (const [store, account] of [['sto_a', 'acc_a'], ['sto_b', 'acc_a'], ['sto_c', 'acc_b']]) {
      await testDatabase.database.query(`insert into stores (id, account_id, platform, name) values ($1, $2, 'shopify', $1)`, [store, account]);
    }
    for (const seed of SEEDS) {
      await testDatabase.database.query(
        `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod,
           customer_name, customer_phone, sent_at, replied_at, created_at, updated_at)
         values ($1, $2, $3, 'shopify', $1, $4, $1, $5, $6, 'SAR', '10.00', true, $7, $8, $9, $10, $6, $6)`,
        [seed.id, seed.account, seed.store, seed.number, seed.status, seed.createdAt, seed.name, seed.phone, seed.sentAt ?? null, seed.repliedAt ?? null],
      );
    }
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  const search = async (q: string, account = 'acc_a') =>
    (await listOrders(testDatabase.database, account, ListOrdersQuerySchema.parse({ q }))).data.map((order) => order.id).sort();

  it('finds orders by number, by part of the name in any script, and by phone in E.164 or local form', async () => {
    expect(await search('#1001')).toEqual(['ord_a1']);
    expect(await search('amina')).toEqual(['ord_a1']);
    expect(await search('العلوي')).toEqual(['ord_a2']);
    expect(await search('+966 55 123 4567')).toEqual(['ord_a1']);
    expect(await search('0551234567')).toEqual(['ord_a1']);
    expect(await search('00212612345678')).toEqual(['ord_a2']);
    expect(await search('51234567')).toEqual(['ord_a1']);
    expect(await search('4567')).toEqual(['ord_a1', 'ord_a2', 'ord_a4']);
  });

  it('treats % and _ in a search as the characters themselves', async () => {
    expect(await search('100%_d')).toEqual(['ord_a3']);
    expect(await search('%')).toEqual(['ord_a3']);
  });

  it('never finds another account’s orders', async () => {
    expect(await search('Amina Other')).toEqual([]);
    expect(await search('Amina Other', 'acc_b')).toEqual(['ord_b1']);
  });

  it('computes totals, rates, the median reply time and the per-day series of one account', async () => {
    const analytics = await readAnalytics(testDatabase.database, 'acc_a', { from: '2026-11-19T00:00:00Z', to: '2026-11-23T00:00:00Z' });
    expect(analytics.totals).toMatchObject({ all: 4, confirmed: 1, cancelled: 1, failed: 1, no_response: 1 });
    // asked = confirmed + cancelled + no_response = 3
    expect(analytics.confirmationRate).toBe(0.3333);
    expect(analytics.cancellationRate).toBe(0.3333);
    expect(analytics.noResponseRate).toBe(0.3333);
    // replies after 120 s and 600 s
    expect(analytics.medianTimeToReplySeconds).toBe(360);
    expect(analytics.perDay).toEqual([
      { date: '2026-11-20', received: 2, confirmed: 1, cancelled: 1, noResponse: 0, failed: 0 },
      { date: '2026-11-21', received: 1, confirmed: 0, cancelled: 0, noResponse: 0, failed: 1 },
      { date: '2026-11-22', received: 1, confirmed: 0, cancelled: 0, noResponse: 1, failed: 0 },
    ]);
  });

  it('counts the per-day series in the calendar of the time zone asked for', async () => {
    // UTC+14: 10:00Z on the 20th is already the 21st there.
    const analytics = await readAnalytics(testDatabase.database, 'acc_a', { from: '2026-11-19T00:00:00Z', to: '2026-11-23T00:00:00Z', timezone: 'Pacific/Kiritimati' });
    expect(analytics.timezone).toBe('Pacific/Kiritimati');
    expect(analytics.perDay).toEqual([
      { date: '2026-11-21', received: 3, confirmed: 1, cancelled: 1, noResponse: 0, failed: 1 },
      { date: '2026-11-22', received: 1, confirmed: 0, cancelled: 0, noResponse: 1, failed: 0 },
    ]);
    expect(AnalyticsQuerySchema.safeParse({ timezone: 'Mars/Olympus_Mons' }).success).toBe(false);
  });

  it('counts the credits of one store when asked for that store, refunds deducted', async () => {
    const entries: [string, string, number, string][] = [
      ['led_a1', 'consumption', -1, 'sto_a'],
      ['led_a2', 'consumption', -1, 'sto_a'],
      ['led_a3', 'refund', 1, 'sto_a'],
      ['led_b1', 'consumption', -1, 'sto_b'],
    ];
    for (const [id, kind, credits, store] of entries) {
      await testDatabase.database.query(
        "insert into credit_ledger (id, account_id, kind, credits, reason, reference, store_id, created_at) values ($1, 'acc_a', $2, $3, 'test', $1, $4, '2026-11-21T10:00:00Z')",
        [id, kind, credits, store],
      );
    }
    const window = { from: '2026-11-19T00:00:00Z', to: '2026-11-23T00:00:00Z' };
    expect((await readAnalytics(testDatabase.database, 'acc_a', window)).creditsUsed).toBe(2);
    expect((await readAnalytics(testDatabase.database, 'acc_a', { ...window, storeId: 'sto_a' })).creditsUsed).toBe(1);
    expect((await readAnalytics(testDatabase.database, 'acc_a', { ...window, storeId: 'sto_b' })).creditsUsed).toBe(1);
    await testDatabase.database.query("delete from credit_ledger where id like 'led_%'");
  });

  it('narrows analytics to one store and answers zeros for an empty range', async () => {
    const store = await readAnalytics(testDatabase.database, 'acc_a', { storeId: 'sto_b', from: '2026-11-19T00:00:00Z', to: '2026-11-23T00:00:00Z' });
    expect(store.totals.all).toBe(2);
    expect(store.medianTimeToReplySeconds).toBeNull();
    const empty = await readAnalytics(testDatabase.database, 'acc_a', { from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' });
    expect(empty.totals.all).toBe(0);
    expect(empty.confirmationRate).toBeNull();
    expect(empty.perDay).toEqual([]);
  });
});

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { writeExport } from './export-orders.ts';

const ORDERS = 1_234;

describe.each(TEST_BACKENDS)('export streaming on %s', (backend) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    const { database } = testDatabase;
    await database.query("insert into accounts (id, name) values ('acc_export', 'Export')");
    await database.query("insert into stores (id, account_id, platform, name) values ('sto_export', 'acc_export', 'generic', 'S')");
    // Several orders share a creation time, so the keyset must order by id too.
    await database.query(
      `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_name, created_at)
       select 'ord_export' || lpad(i::text, 5, '0'), 'acc_export', 'sto_export', 'generic', 'e' || i, '#' || i, 'AK000000', 'confirmed', now(), 'SAR', '1.00', true,
              'Customer ' || i, timestamptz '2026-05-01T00:00:00Z' + (i / 3) * interval '1 minute'
       from generate_series(1, ${ORDERS}) i`,
    );
    await database.query(
      `insert into messages (id, account_id, order_id, direction, kind, text, status, created_at)
       select 'msg_export' || i, 'acc_export', 'ord_export' || lpad(i::text, 5, '0'), 'outbound', 'confirmation', 'please confirm', 'read', now()
       from generate_series(1, ${ORDERS}) i`,
    );
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  it('streams every order once, oldest first, across many batches', async () => {
    const chunks: string[] = [];
    const output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    });
    await writeExport(testDatabase.database, 'acc_export', { format: 'ndjson' }, output);
    const orders = chunks
      .join('')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; messages: unknown[] });
    expect(orders).toHaveLength(ORDERS);
    expect(new Set(orders.map((order) => order.id)).size).toBe(ORDERS);
    expect(orders.map((order) => order.id)).toEqual([...orders.map((order) => order.id)].sort());
    expect(orders.every((order) => order.messages.length === 1)).toBe(true);
    // Far fewer writes than orders: text reaches the socket in large pieces.
    expect(chunks.length).toBeLessThan(ORDERS / 10);
  });

  it('stops when the client goes away instead of waiting for a drain that never comes', async () => {
    let writes = 0;
    // A client that reads nothing, then hangs up.
    const output = new Writable({
      highWaterMark: 1024,
      write(_chunk, _encoding, _callback) {
        writes++;
      },
    });
    const exporting = writeExport(testDatabase.database, 'acc_export', { format: 'csv' }, output);
    await new Promise((resolve) => setTimeout(resolve, 200));
    output.destroy();
    await expect(exporting).resolves.toBeUndefined();
    expect(writes).toBe(1);
  });
});

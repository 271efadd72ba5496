import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { toCsvCell, writeExport } from './export-orders.ts';

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
    // Hang up once the export is stuck on its first write (a fixed pause raced the first batch's read on a busy machine).
    for (let waited = 0; writes === 0 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    output.destroy();
    await expect(exporting).resolves.toBeUndefined();
    expect(writes).toBe(1);
  });
});

/**
 * Splits one CSV line the way a spreadsheet does with `separator` as its list separator: a field
 * is quoted only when it starts with `"` (a quote inside an unquoted field is a plain character).
 */
const splitAsSpreadsheet = (line: string, separator: string): string[] => {
  const fields: string[] = [];
  let index = 0;
  while (index <= line.length) {
    if (line[index] === '"') {
      let value = '';
      index++;
      while (index < line.length) {
        if (line[index] === '"' && line[index + 1] === '"') {
          value += '"';
          index += 2;
        } else if (line[index] === '"') {
          index++;
          break;
        } else value += line[index++];
      }
      const next = line.indexOf(separator, index);
      value += next === -1 ? line.slice(index) : line.slice(index, next);
      fields.push(value);
      index = next === -1 ? line.length + 1 : next + 1;
    } else {
      const next = line.indexOf(separator, index);
      fields.push(next === -1 ? line.slice(index) : line.slice(index, next));
      index = next === -1 ? line.length + 1 : next + 1;
    }
  }

  return fields;
};

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

const hostile = [
  "Ali;=cmd|' /C calc'!A0;",
  '=HYPERLINK("http://evil.example","click")',
  'Ali,=1+1',
  'Ali; =1+1',
  'Ali;+1',
  'Ali;-1',
  'Ali;@SUM(1)',
  'Ali;\t=1',
  'Ali\n=1+1',
  'Ali\r\n@SUM(A1)',
  '\t=1+1',
  '\r=1+1',
  '＝1+1',
  'Ali;＋1',
  '"quoted";=1',
];

describe('toCsvCell', () => {
  it('leaves no cell starting a formula when the row is read with "," or ";" as the separator', () => {
    const row = ['ord_1', ...hostile, 'end'].map(toCsvCell).join(',');
    for (const separator of [',', ';']) {
      for (const line of row.split(/\r\n|\n|\r/)) {
        for (const field of splitAsSpreadsheet(line, separator)) expect(field, `${separator} ${JSON.stringify(field)}`).not.toMatch(FORMULA_START);
      }
    }
  });

  it('quotes cells with separators, quotes and line breaks, so a comma reader gets the text back', () => {
    expect(toCsvCell("Ali;=cmd|' /C calc'!A0;")).toBe(`"Ali;'=cmd|' /C calc'!A0;"`);
    expect(toCsvCell('a;b')).toBe('"a;b"');
    expect(toCsvCell('a,b')).toBe('"a,b"');
    expect(toCsvCell('say "hi"')).toBe('"say ""hi"""');
    expect(toCsvCell('two\nlines')).toBe('"two\nlines"');
    expect(toCsvCell('tab\there')).toBe('"tab\there"');
    const row = ['Layla Haddad', 'a;b', 'say "hi"', '12, Tahlia Street'].map(toCsvCell).join(',');
    expect(splitAsSpreadsheet(row, ',')).toEqual(['Layla Haddad', 'a;b', 'say "hi"', '12, Tahlia Street']);
  });

  it('prefixes a formula start with an apostrophe and leaves ordinary text alone', () => {
    expect(toCsvCell('=1+1')).toBe("'=1+1");
    expect(toCsvCell('+966551234567')).toBe("'+966551234567");
    expect(toCsvCell('@SUM(1)')).toBe("'@SUM(1)");
    expect(toCsvCell('2x Shirt; 1x Hat')).toBe('"2x Shirt; 1x Hat"');
    expect(toCsvCell('Jeddah')).toBe('Jeddah');
    expect(toCsvCell('a-b')).toBe('a-b');
    expect(toCsvCell(null)).toBe('');
    expect(toCsvCell(42)).toBe('42');
  });
});

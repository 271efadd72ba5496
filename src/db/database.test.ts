import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';

describe.each(TEST_BACKENDS)('prepared statements on %s', (backend) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend, { migrate: false });
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  it('answers a statement marked isPrepared with each call\'s parameters, prepared once on PostgreSQL', async () => {
    const text = 'select $1::int + 1 as value';
    await testDatabase.database.transaction(async (transaction) => {
      const answers: number[] = [];
      for (const input of [1, 41, 99]) {
        const [row] = await transaction.query<{ value: number }>(text, [input], { isPrepared: true });
        answers.push(Number(row?.value));
      }
      expect(answers).toEqual([2, 42, 100]);
      if (backend === 'postgres') {
        const prepared = await transaction.query<{ statement: string }>('select statement from pg_prepared_statements');
        expect(prepared.filter((row) => row.statement === text)).toHaveLength(1);
      }
    });
    const [outside] = await testDatabase.database.query<{ value: number }>(text, [7], { isPrepared: true });
    expect(Number(outside?.value)).toBe(8);
  });
});

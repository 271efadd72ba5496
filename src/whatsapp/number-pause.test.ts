import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { pauseFirstContact } from './number-pause.ts';

const HOUR = 3_600_000;

describe.each(TEST_BACKENDS)('first-contact pauses on %s', (backend) => {
  let testDatabase: TestDatabase;
  let counter = 0;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    await testDatabase.database.query("insert into accounts (id, name) values ('acc_pause', 'Pause')");
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  const newNumber = async () => {
    const id = `num_pause_${++counter}`;
    await testDatabase.database.query("insert into whatsapp_numbers (id, account_id, provider, status) values ($1, 'acc_pause', 'simulator', 'connected')", [id]);

    return id;
  };
  const guess = (now: number) => ({ until: new Date(now + 6 * HOUR), repeatedUntil: new Date(now + 24 * HOUR), reason: 'reach_out_restricted', isExact: false });

  it('pauses for the guess the first time, longer when the restriction comes back within a day, and WhatsApp’s own end replaces any guess', async () => {
    const numberId = await newNumber();
    const now = Date.now();
    expect(await pauseFirstContact(testDatabase.database, numberId, guess(now))).toEqual({ until: new Date(now + 6 * HOUR), isNew: true });
    // Ended an hour ago, then another 463: a day this time.
    await testDatabase.database.query("update whatsapp_numbers set first_contact_paused_until = now() - interval '1 hour' where id = $1", [numberId]);
    expect(await pauseFirstContact(testDatabase.database, numberId, guess(now))).toEqual({ until: new Date(now + 24 * HOUR), isNew: true });
    const ends = new Date(now + 2 * HOUR);
    expect(await pauseFirstContact(testDatabase.database, numberId, { until: ends, reason: 'reach_out_timelock', isExact: true })).toEqual({ until: ends, isNew: false });
  });

  it('starts again from the guess when the last pause ended more than a day ago', async () => {
    const numberId = await newNumber();
    await testDatabase.database.query("update whatsapp_numbers set first_contact_paused_until = now() - interval '3 days' where id = $1", [numberId]);
    const now = Date.now();
    expect(await pauseFirstContact(testDatabase.database, numberId, guess(now))).toEqual({ until: new Date(now + 6 * HOUR), isNew: true });
  });
});

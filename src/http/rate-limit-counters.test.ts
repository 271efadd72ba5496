import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { RateLimitCounters } from './rate-limit-counters.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(TEST_BACKENDS)('rate-limit counters on %s', (backend) => {
  let testDatabase: TestDatabase;
  const opened: RateLimitCounters[] = [];
  const counters = () => {
    const created = new RateLimitCounters(testDatabase.database);
    opened.push(created);
    return created;
  };

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend, { migrate: true });
  });

  afterAll(async () => {
    for (const each of opened) await each.close();
    await testDatabase?.close();
  });

  it('counts concurrent exact hits one by one, across two processes, in one window', async () => {
    const [first, second] = [counters(), counters()];
    const counts = await Promise.all(
      Array.from({ length: 20 }, (_unused, index) => (index % 2 === 0 ? first : second).hit('auth', '/sign-up 203.0.113.7', 60_000, 'exact')),
    );
    expect(counts.map((count) => count.current).sort((left, right) => left - right)).toEqual(Array.from({ length: 20 }, (_unused, index) => index + 1));
    for (const count of counts) expect(count.ttl).toBeGreaterThan(50_000);
    expect((await first.hit('auth', '/sign-up 203.0.113.8', 60_000, 'exact')).current).toBe(1);
  });

  it('starts a new window once the last one ended', async () => {
    const each = counters();
    await each.hit('auth', 'short window', 300, 'exact');
    expect((await each.hit('auth', 'short window', 300, 'exact')).current).toBe(2);
    await sleep(400);
    expect((await each.hit('auth', 'short window', 300, 'exact')).current).toBe(1);
  });

  it('counts batched hits in memory and learns what other processes counted at each flush', async () => {
    const [first, second] = [counters(), counters()];
    for (let index = 0; index < 3; index++) await first.hit('webhook', 'store:sto_1', 60_000, 'batched');
    await first.flush();
    await second.hit('webhook', 'store:sto_1', 60_000, 'batched');
    expect((await second.hit('webhook', 'store:sto_1', 60_000, 'batched')).current).toBe(2);
    await second.flush();
    // The first process has not heard of the second's two yet; it does at its next flush.
    expect((await first.hit('webhook', 'store:sto_1', 60_000, 'batched')).current).toBe(4);
    await first.flush();
    expect((await first.hit('webhook', 'store:sto_1', 60_000, 'batched')).current).toBe(7);
    const [row] = await testDatabase.database.query<{ hits: number }>("select hits from rate_limits where key like 'webhook:%'");
    expect(row?.hits).toBe(6);
  });

  it('keeps no address or id at rest: keys are the limiter and a hash', async () => {
    await counters().hit('auth', '/sign-in/email 198.51.100.23', 60_000, 'exact');
    const rows = await testDatabase.database.query<{ key: string }>('select key from rate_limits');
    expect(rows.length).toBeGreaterThan(0);
    for (const { key } of rows) {
      expect(key).toMatch(/^[a-z-]+:[A-Za-z0-9_-]{27}$/);
      expect(key).not.toContain('198.51.100.23');
      expect(key).not.toContain('sto_1');
    }
  });

  it('deletes windows that ended more than a minute ago', async () => {
    await testDatabase.database.query("insert into rate_limits (key, hits, expires_at) values ('old:x', 3, now() - interval '2 minutes')");
    expect(await counters().sweep()).toBeGreaterThanOrEqual(1);
    expect(await testDatabase.database.query("select 1 from rate_limits where key = 'old:x'")).toEqual([]);
  });
});

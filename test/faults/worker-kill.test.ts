import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEMA } from '../../src/db/database.ts';
import { TEST_DATABASE_URL } from '../harness/database.ts';
import { createDatabase, isRunning, startRig, summarizeAudit, waitFor, type Rig } from './fault-rig.ts';

/**
 * kill -9 of a worker at its worst moment, with real processes on PostgreSQL: a batch of
 * confirmation jobs claimed and in progress, and sends handed to WhatsApp but not acknowledged
 * (the simulator stalls its numbers). Every order must still be sent exactly once, by the other
 * worker, within 30 s of the kill.
 */
const RECOVERY_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (!TEST_DATABASE_URL) {
  describe('fault: a worker killed with -9', () => {
    it.skip('needs PostgreSQL: set TEST_DATABASE_URL (as CI does) to run the real processes', () => {});
  });
}

describe.runIf(TEST_DATABASE_URL)('fault: a worker killed with -9 (real processes on PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let rig: Rig;

  beforeAll(async () => {
    database = await createDatabase(TEST_DATABASE_URL as string);
    rig = await startRig({ databaseUrl: database.url, workers: 2, numbers: 4 });
  }, 240_000);

  afterAll(async () => {
    await rig?.stop();
    await database?.drop();
  });

  it('sends every order exactly once, from the surviving worker, within 30 s of kill -9 during a claimed batch and unacknowledged sends', async () => {
    // Both workers drive numbers (placement spreads them); the victim is one of them.
    let owners = await rig.leaseOwners();
    for (const deadline = Date.now() + 60_000; new Set(owners.values()).size < 2 && Date.now() < deadline; owners = await rig.leaseOwners()) await sleep(250);
    const victimPid = [...owners.values()][0];
    const victim = rig.workers.find((worker) => worker.child.pid === victimPid);
    const survivor = rig.workers.find((worker) => worker !== victim);
    if (!victim || !survivor) throw new Error(`no worker drives a number: ${JSON.stringify([...owners])}`);
    const victimStores = rig.stores.filter((store) => owners.get(store.numberId) === victim.child.pid);
    expect(victimStores.length).toBeGreaterThan(0);

    // 1. Sends in flight: the victim's numbers are stalled, so what it sends stays unacknowledged.
    for (const store of victimStores) await rig.simulatorControl('fail', { phone: store.phone, mode: 'stall' });
    const inFlight = victimStores.flatMap((store, position) => [0, 1].map((offset) => ({ ...rig.order(1000 + position * 2 + offset), store })));
    for (const delivery of await Promise.all(inFlight.map((target) => rig.deliver(target)))) expect(delivery.statuses.at(-1)).toBe(200);
    const handedOver = await waitFor(async () => {
      const rows = await rig.query<{ count: string }>(
        "select count(*) from messages m join orders o on o.id = m.order_id where o.external_id = any($1::text[]) and m.kind = 'confirmation'",
        [inFlight.map((target) => target.externalId)],
      );

      return Number(rows[0]?.count);
    }, (count) => count === inFlight.length, 30_000);
    expect(handedOver).toBe(inFlight.length);
    // The worker has written them to the network by now (the network holds them, unacked).
    await sleep(1_000);

    // 2. A claimed batch: the account's credit row is locked, so preparation waits inside its
    // transaction with the jobs active (NO KEY UPDATE, so inserting orders, which only checks the
    // account's key, is not held up); the survivor is paused so that the victim claims them.
    const locker = new pg.Client({ connectionString: database.url, options: `-c search_path=${DEFAULT_SCHEMA}` });
    await locker.connect();
    const accountId = (await rig.query<{ account_id: string }>('select account_id from stores where id = $1', [rig.stores[0]?.storeId]))[0]?.account_id;
    await locker.query('begin');
    await locker.query('select 1 from accounts where id = $1 for no key update', [accountId]);
    survivor.child.kill('SIGSTOP');
    const burst = Array.from({ length: 40 }, (_, index) => rig.order(2000 + index));
    let killedAt = 0;
    try {
      for (const delivery of await rig.deliverAtRate(burst, 100)) expect(delivery.statuses.at(-1)).toBe(200);
      const active = await waitFor(
        async () =>
          Number(
            (await rig.query<{ count: string }>("select count(*) from pgboss.job where name = 'confirmation.send' and state = 'active'"))[0]?.count,
          ),
        (count) => count > 0,
        30_000,
      );
      expect(active).toBeGreaterThan(0);
      victim.child.kill('SIGKILL');
      killedAt = Date.now();
    } finally {
      survivor.child.kill('SIGCONT');
      await locker.query('rollback').catch(() => undefined);
      await locker.end().catch(() => undefined);
    }
    // What the network held from the dead connection is delivered now (once); the survivor sends
    // the same message ids again after taking the numbers over.
    for (const store of victimStores) await rig.simulatorControl('clear', { phone: store.phone });

    const everything = [...inFlight, ...burst];
    const audits = await waitFor(() => rig.audit(everything), (current) => current.every((audit) => audit.sentRows >= 1 && audit.received >= 1), RECOVERY_MS + 30_000);
    const recoveredAt = Date.now();
    await sleep(2_000);
    const summary = summarizeAudit(await rig.audit(everything));
    owners = await rig.leaseOwners();

    expect(summary, await rig.diagnose([...summary.notSent, ...summary.sentTwice])).toMatchObject({ notStored: [], storedTwice: [], notSent: [], sentTwice: [] });
    const late = audits.filter((audit) => (audit.sentAt?.getTime() ?? Infinity) > killedAt + RECOVERY_MS).map((audit) => audit.order.externalId);
    expect(late, await rig.diagnose(late)).toEqual([]);
    expect(recoveredAt - killedAt).toBeLessThanOrEqual(RECOVERY_MS + 5_000);
    expect([...owners.values()]).not.toContain(victimPid);
    expect(isRunning(survivor)).toBe(true);
  }, 240_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../harness/database.ts';
import { createDatabase, isRunning, startRig, summarizeAudit, waitFor, type Rig } from './fault-rig.ts';

/**
 * A disconnect storm while orders arrive: the simulated network cuts every device every second.
 * Every order must be sent exactly once, no number stays stuck, and every session is back within
 * 30 s of the storm's end. The contract's full size (1,000 orders on 20 numbers, at 50/s through
 * a 20 s storm) fits in under a minute here.
 */
const NUMBERS = 20;
const ORDERS = 1_000;
const STORM_MS = 20_000;
const SESSIONS_BACK_MS = 30_000;

if (!TEST_DATABASE_URL) {
  describe('fault: a disconnect storm', () => {
    it.skip('needs PostgreSQL: set TEST_DATABASE_URL (as CI does) to run the real processes', () => {});
  });
}

describe.runIf(TEST_DATABASE_URL)('fault: a disconnect storm (real processes on PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let rig: Rig;

  beforeAll(async () => {
    database = await createDatabase(TEST_DATABASE_URL as string);
    rig = await startRig({ databaseUrl: database.url, workers: 2, numbers: NUMBERS });
  }, 240_000);

  afterAll(async () => {
    await rig?.stop();
    await database?.drop();
  });

  it(`sends each of ${ORDERS} orders on ${NUMBERS} numbers exactly once through a storm, and every session is back within 30 s of its end`, async () => {
    const orders = Array.from({ length: ORDERS }, (_, index) => rig.order(index));
    const storm = await rig.simulatorControl('storm', { durationMs: STORM_MS, everyMs: 1_000 });
    const stormEnd = Date.parse(String(storm.endsAt));
    const deliveries = await rig.deliverAtRate(orders, 50);
    expect(deliveries.filter((delivery) => delivery.acceptedAt === null)).toEqual([]);

    const stormState = await waitFor(async () => (await fetch(`${rig.simulatorUrl}/control/storm`)).json() as Promise<{ active: boolean; disconnects: number }>, (state) => !state.active, STORM_MS + 5_000);
    const phones = new Set(rig.stores.map((store) => store.phone));
    const sessionsBack = async () => {
      const { devices } = (await (await fetch(`${rig.simulatorUrl}/control/devices`)).json()) as { devices: { phone: string }[] };
      const online = devices.filter((device) => phones.has(device.phone)).length;
      const connected = await rig.query<{ count: string }>("select count(*) from whatsapp_numbers where id = any($1::text[]) and status = 'connected'", [rig.stores.map((store) => store.numberId)]);

      return Math.min(online, Number(connected[0]?.count));
    };
    const back = await waitFor(sessionsBack, (count) => count === NUMBERS, SESSIONS_BACK_MS + 10_000);
    const backAfterMs = Date.now() - stormEnd;
    await waitFor(() => rig.audit(orders), (audits) => audits.every((audit) => audit.sentRows >= 1 && audit.received >= 1), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const summary = summarizeAudit(await rig.audit(orders));

    expect(stormState.disconnects).toBeGreaterThanOrEqual(NUMBERS * 5);
    expect(summary, await rig.diagnose([...summary.notSent, ...summary.sentTwice])).toMatchObject({ notStored: [], storedTwice: [], notSent: [], sentTwice: [] });
    expect(back).toBe(NUMBERS);
    expect(backAfterMs).toBeLessThanOrEqual(SESSIONS_BACK_MS);
    expect(rig.workers.every(isRunning)).toBe(true);
  }, 240_000);
});

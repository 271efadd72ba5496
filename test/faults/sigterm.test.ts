import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../harness/database.ts';
import type { AkkedProcess } from '../harness/processes.ts';
import { createDatabase, isRunning, startRig, summarizeAudit, waitFor, type Rig } from './fault-rig.ts';

/**
 * SIGTERM on every role while orders arrive (a deploy, a scale-down, an orchestrator's stop): each
 * process stops gracefully (exit 0) and a replacement starts; the webhook client retries what was
 * refused as Shopify does. Nothing may be lost and nothing sent twice.
 */
const ORDERS = 300;
const PER_SECOND = 20;
const SENT_WITHIN_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (!TEST_DATABASE_URL) {
  describe('fault: SIGTERM during load', () => {
    it.skip('needs PostgreSQL: set TEST_DATABASE_URL (as CI does) to run the real processes', () => {});
  });
}

describe.runIf(TEST_DATABASE_URL)('fault: SIGTERM during load (real processes on PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let rig: Rig | undefined;

  afterEach(async () => {
    await rig?.stop();
    await database?.drop();
    rig = undefined;
    database = undefined;
  });

  /** Delivers the orders while `disrupt` runs, then checks every order was stored and sent exactly once. */
  const loadThrough = async (current: Rig, disrupt: () => Promise<{ exitCodes: Array<number | null>; replacements: AkkedProcess[] }>) => {
    const orders = Array.from({ length: ORDERS }, (_, index) => current.order(index));
    const loading = current.deliverAtRate(orders, PER_SECOND, { deadlineMs: 120_000 });
    const { exitCodes, replacements } = await disrupt();
    const deliveries = await loading;
    const loadEnded = Date.now();
    await waitFor(() => current.audit(orders), (audits) => audits.every((audit) => audit.sentRows >= 1 && audit.received >= 1), SENT_WITHIN_MS);
    await sleep(2_000);
    const summary = summarizeAudit(await current.audit(orders));

    expect(exitCodes).toEqual(exitCodes.map(() => 0));
    expect(deliveries.filter((delivery) => delivery.acceptedAt === null).map((delivery) => delivery.statuses)).toEqual([]);
    expect(summary, await current.diagnose([...summary.notSent, ...summary.sentTwice, ...summary.notStored])).toMatchObject({ notStored: [], storedTwice: [], notSent: [], sentTwice: [] });
    expect(Date.now() - loadEnded).toBeLessThanOrEqual(SENT_WITHIN_MS + 5_000);
    expect([current.api, ...replacements].every(isRunning)).toBe(true);
  };

  it('loses nothing and sends nothing twice when the api and then each worker get SIGTERM mid-load and are replaced', async () => {
    database = await createDatabase(TEST_DATABASE_URL as string);
    const current = (rig = await startRig({ databaseUrl: database.url, workers: 2, numbers: 4 }));

    await loadThrough(current, async () => {
      const exitCodes: Array<number | null> = [];
      const replacements: AkkedProcess[] = [];
      await sleep(3_000);
      exitCodes.push(await current.restartApi('SIGTERM'));
      for (const worker of [...current.workers]) {
        await sleep(2_000);
        exitCodes.push(await worker.stop('SIGTERM'));
        replacements.push(current.startWorker());
      }

      return { exitCodes, replacements };
    });
  }, 360_000);

  it('loses nothing and sends nothing twice when `akked serve` gets SIGTERM mid-load and starts again', async () => {
    database = await createDatabase(TEST_DATABASE_URL as string);
    const current = (rig = await startRig({ databaseUrl: database.url, workers: 0, numbers: 4, httpRole: 'serve' }));

    await loadThrough(current, async () => {
      await sleep(4_000);

      return { exitCodes: [await current.restartApi('SIGTERM')], replacements: [] };
    });
  }, 360_000);
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { sendConfirmationJob } from '../confirmation/send-confirmation-job.ts';
import { createKeyring, toMasterKey } from '../crypto/envelope.ts';
import type { Database } from '../db/database.ts';
import { newId } from '../ids.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import { createLogger } from '../logger.ts';
import type { IngestResult } from '../orders/ingest-order.ts';
import { createStore, findStore, type Store } from '../stores/stores.ts';
import { createNumber } from '../whatsapp/numbers.ts';
import { IngestBatcher } from './ingest-batcher.ts';
import type { NormalizedOrder } from './order.ts';

const silentLogger = createLogger({ level: 'silent' });

const orderOf = (externalId: string): NormalizedOrder => ({
  platform: 'shopify',
  externalId,
  number: `#${externalId.slice(-6)}`,
  createdAt: '2026-05-01T10:00:00.000Z',
  currency: 'SAR',
  total: '199.00',
  paymentMethod: 'Cash on Delivery (COD)',
  isCod: true,
  locale: 'ar',
  customer: { name: 'Fatima Al-Zahra', phone: '+966551234567', phoneRaw: '0551234567', phoneProblem: null },
  shippingAddress: { line1: '12 King Fahd Road', line2: null, city: 'Riyadh', region: null, postalCode: null, countryCode: 'SA' },
  items: [{ name: 'Oud', variant: null, sku: null, quantity: 1, unitPrice: '199.00' }],
});

/** A database whose transactions count their commits, to check that nothing is answered before one. */
const countingCommits = (database: Database): { database: Database; commits: () => number } => {
  let commits = 0;

  return {
    database: {
      ...database,
      transaction: async (work) => {
        const result = await database.transaction(work);
        commits++;

        return result;
      },
    },
    commits: () => commits,
  };
};

describe.each(TEST_BACKENDS)('ingest batcher on %s', (backend) => {
  let testDatabase: TestDatabase;
  let queue: JobQueue;
  let store: Store;
  let otherStore: Store;
  let externalCounter = 0;
  const keyring = createKeyring(toMasterKey(randomBytes(32).toString('base64')));

  const nextExternalId = () => `9007199254740993${String(++externalCounter).padStart(4, '0')}`;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    const database = testDatabase.database;
    queue = await JobQueue.start({ database, logger: silentLogger, schema: testDatabase.jobSchema, isSupervisor: false });
    await queue.register([sendConfirmationJob]);
    const accountId = newId('account');
    await database.query('insert into accounts (id, name) values ($1, $2)', [accountId, 'Batch merchant']);
    const dependencies = { database, keyring, publicUrl: 'http://127.0.0.1:3000' };
    const number = await createNumber({ ...dependencies, isSimulatorEnabled: false, sessions: null }, accountId, {
      provider: 'cloud',
      phone: '+966500000001',
      cloud: { phoneNumberId: '1234567890', accessToken: 'EAAG-token', appSecret: 'app-secret', verifyToken: 'verify-token' },
    });
    const input = { platform: 'shopify', whatsappNumberId: number.id, defaultCountry: 'SA', timezone: 'Asia/Riyadh', language: 'ar', webhookSecret: 'shopify-secret-batch' } as const;
    store = await findStore(database, accountId, (await createStore(dependencies, accountId, { ...input, name: 'Dar Al Oud' })).id);
    otherStore = await findStore(database, accountId, (await createStore(dependencies, accountId, { ...input, name: 'Second shop' })).id);
  }, 90_000);

  afterAll(async () => {
    await queue?.stop(5_000);
    await testDatabase?.close();
  });

  const ordersOf = (storeId: string, externalId: string) =>
    testDatabase.database.query<{ id: string; status: string }>('select id, status from orders where store_id = $1 and external_id = $2', [storeId, externalId]);

  const jobsOf = (orderId: string) =>
    testDatabase.database.query<{ singleton_key: string; state: string }>(
      `select singleton_key, state from ${testDatabase.jobSchema}.job where name = 'confirmation.send' and data->>'orderId' = $1`,
      [orderId],
    );

  it('writes copies of one order within a batch once, with one job, answering the first as new and the others as duplicates', async () => {
    const counting = countingCommits(testDatabase.database);
    const batcher = new IngestBatcher({ database: counting.database, queue, logger: silentLogger, maxWaitMs: 50 });
    const repeated = nextExternalId();
    const single = nextExternalId();
    const requests = [repeated, single, repeated, repeated, single].map((externalId) => ({ store, order: orderOf(externalId), source: 'webhook' }));

    const results = await Promise.all(requests.map((request) => batcher.write(request)));

    expect(counting.commits()).toBe(1);
    expect(results.map((result) => result.isNew)).toEqual([true, true, false, false, false]);
    expect(new Set([results[0]?.orderId, results[2]?.orderId, results[3]?.orderId]).size).toBe(1);
    expect(results[4]?.orderId).toBe(results[1]?.orderId);
    for (const result of results) expect(result.status).toBe('queued');
    for (const externalId of [repeated, single]) {
      const orders = await ordersOf(store.id, externalId);
      expect(orders).toHaveLength(1);
      expect(await jobsOf(orders[0]?.id ?? '')).toEqual([{ singleton_key: `send:${orders[0]?.id}`, state: 'created' }]);
    }
  });

  it('answers a redelivery of an order stored by an earlier batch as a duplicate, changing nothing', async () => {
    const batcher = new IngestBatcher({ database: testDatabase.database, queue, logger: silentLogger });
    const externalId = nextExternalId();
    const first = await batcher.write({ store, order: orderOf(externalId), source: 'webhook' });
    const [again, fresh] = await Promise.all([
      batcher.write({ store, order: orderOf(externalId), source: 'webhook' }),
      batcher.write({ store, order: orderOf(nextExternalId()), source: 'webhook' }),
    ]);

    expect(first.isNew).toBe(true);
    expect(again).toEqual({ orderId: first.orderId, isNew: false, status: 'queued' });
    expect(fresh?.isNew).toBe(true);
    expect(await jobsOf(first.orderId)).toHaveLength(1);
  });

  it('writes the good orders of a failing batch one by one, so only the bad one fails', async () => {
    // A store deleted after the webhook read it: its order breaks the batch's foreign key.
    const deletedStore: Store = { ...otherStore, id: 'sto_deletedmeanwhile' };
    const counting = countingCommits(testDatabase.database);
    const batcher = new IngestBatcher({ database: counting.database, queue, logger: silentLogger, maxWaitMs: 50 });
    const good = [nextExternalId(), nextExternalId(), nextExternalId()];
    const bad = nextExternalId();

    const settled = await Promise.allSettled([
      batcher.write({ store, order: orderOf(good[0] as string), source: 'webhook' }),
      batcher.write({ store: deletedStore, order: orderOf(bad), source: 'webhook' }),
      batcher.write({ store: otherStore, order: orderOf(good[1] as string), source: 'webhook' }),
      batcher.write({ store, order: orderOf(good[2] as string), source: 'webhook' }),
    ]);

    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { code: 'not_found' } });
    // The batch rolled back, then each good order committed on its own.
    expect(counting.commits()).toBe(3);
    for (const [index, externalId] of good.entries()) {
      const orders = await ordersOf(index === 1 ? otherStore.id : store.id, externalId);
      expect(orders).toHaveLength(1);
      expect(await jobsOf(orders[0]?.id ?? '')).toHaveLength(1);
    }
    expect(await testDatabase.database.query('select 1 from orders where external_id = $1', [bad])).toEqual([]);
  });

  it('answers each caller only once its order and job are committed, in the order they called', async () => {
    const counting = countingCommits(testDatabase.database);
    const batcher = new IngestBatcher({ database: counting.database, queue, logger: silentLogger, maxBatchSize: 8, maxConcurrentBatches: 1 });
    const externalIds = Array.from({ length: 20 }, () => nextExternalId());
    const resolved: number[] = [];
    const commitsSeen: number[] = [];
    const isStored: boolean[] = [];

    await Promise.all(
      externalIds.map((externalId, index) =>
        batcher.write({ store, order: orderOf(externalId), source: 'webhook' }).then(async (result: IngestResult) => {
          resolved.push(index);
          commitsSeen[index] = counting.commits();
          // The order and its job are visible to any reader as soon as the caller is answered.
          const [order] = await testDatabase.database.query<{ id: string }>(
            `select o.id from orders o join ${testDatabase.jobSchema}.job j on j.data->>'orderId' = o.id where o.id = $1`,
            [result.orderId],
          );
          isStored[index] = order?.id === result.orderId;
        }),
      ),
    );

    // 20 orders in batches of at most 8, one batch at a time: three transactions, and each caller
    // answered after the commit of its own batch, never before.
    expect(counting.commits()).toBe(3);
    expect(commitsSeen).toEqual(externalIds.map((_, index) => Math.floor(index / 8) + 1));
    expect(resolved).toEqual(externalIds.map((_, index) => index));
    expect(isStored.every(Boolean)).toBe(true);
  });

  it('writes what is waiting when closed', async () => {
    const batcher = new IngestBatcher({ database: testDatabase.database, queue, logger: silentLogger, maxWaitMs: 60_000 });
    const externalId = nextExternalId();
    const pending = batcher.write({ store, order: orderOf(externalId), source: 'webhook' });

    await batcher.close();

    await expect(pending).resolves.toMatchObject({ isNew: true, status: 'queued' });
    expect(await ordersOf(store.id, externalId)).toHaveLength(1);
  });
});

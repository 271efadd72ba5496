import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_SCHEMA } from '../../src/db/database.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStoreApi, type FakeStoreApi } from '../harness/fake-store-api.ts';
import { createScratchDatabase, TEST_DATABASE_URL, type ScratchDatabase } from '../harness/database.ts';
import { postShopifyWebhook, shopifyCodOrder, simulatorControl, simulatorMessages, waitUntil } from '../harness/flow.ts';
import { findFreePort, signUpMerchant, startAkked, startServeWithSimulator, startSimulatorProcess, waitForHttp, type AkkedProcess } from '../harness/processes.ts';

const answerLikeShopify = (shopify: FakeStoreApi) =>
  shopify.answerWith((request) => {
    const query = (request.body as { query?: string } | undefined)?.query ?? '';
    if (!query.includes('mutation')) return { body: { data: { order: { id: 'gid://shopify/Order/1', note: null } } } };

    return { body: { data: { tagsAdd: { userErrors: [] }, orderUpdate: { userErrors: [] } } } };
  });

const signedShopifyDelivery = (baseUrl: string, storeId: string, secret: string, body: string) => postShopifyWebhook(baseUrl, { storeId, secret, body });

/** Where the processes of a suite listen: Akked's public URL, the simulator, the data directory and a fake Shopify. */
type RunningProcesses = { baseUrl: string; simulatorUrl: string; dataDirectory: string; shopify: FakeStoreApi };

/**
 * The confirmation flow as a merchant and customers live it, against whichever processes `running`
 * names (`akked serve` on the embedded database, or `akked api` and workers on PostgreSQL): one
 * merchant, one simulator number and one Shopify store for all the steps, in order.
 */
const walkConfirmationVariants = (running: () => RunningProcesses): void => {
  let baseUrl: string;
  let simulatorUrl: string;
  let dataDirectory: string;
  let shopify: FakeStoreApi;
  let merchant: Awaited<ReturnType<typeof signUpMerchant>>;
  let storeId: string;
  let merchantPhone: string;

  beforeAll(() => {
    ({ baseUrl, simulatorUrl, dataDirectory, shopify } = running());
  });

  it('walks sign-up → API key → simulator number → Shopify store → signed webhook and duplicates → "١" → confirmed → thank-you → tagsAdd', async () => {
    merchant = await signUpMerchant(baseUrl, dataDirectory, { email: `e2e.${Date.now()}@example.com` });
    const number = await merchant.api('POST', '/api/v1/whatsapp-numbers', { provider: 'simulator' });
    expect(number.status, number.text).toBe(201);
    const numberId = String(number.json.id);
    merchantPhone = String(number.json.phone);
    await waitUntil(async () => (await merchant.api('GET', `/api/v1/whatsapp-numbers/${numberId}`)).json.status, (status) => status === 'connected', 30_000, 'the number to link');
    const store = await merchant.api('POST', '/api/v1/stores', {
      name: 'متجر الاختبار',
      platform: 'shopify',
      whatsappNumberId: numberId,
      defaultCountry: 'SA',
      timezone: 'Asia/Riyadh',
      webhookSecret: 'e2e-shopify-secret',
    });
    expect(store.status, store.text).toBe(201);
    storeId = String(store.json.id);
    await merchant.api('PATCH', `/api/v1/stores/${storeId}`, { writeBack: { shopDomain: shopify.host, accessToken: 'shpat_e2e' } });

    const customer = '+966551239901';
    const body = shopifyCodOrder({ id: '9007199254740993001', number: '#5001', phone: '0551239901' });
    const answers = await Promise.all([0, 1, 2].map(() => signedShopifyDelivery(baseUrl, storeId, 'e2e-shopify-secret', body)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);

    await waitUntil(() => simulatorMessages(simulatorUrl, customer), (messages) => messages.length >= 1, 30_000, 'the confirmation message');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await simulatorMessages(simulatorUrl, customer)).toHaveLength(1);
    const list = await merchant.api('GET', `/api/v1/orders?storeId=${storeId}`);
    const orders = list.json.data as { id: string; externalId: string; status: string }[];
    expect(orders).toHaveLength(1);
    expect(orders[0]?.externalId).toBe('9007199254740993001');
    await waitUntil(async () => (await merchant.api('GET', `/api/v1/orders/${orders[0]?.id}`)).json.status, (status) => ['sent', 'delivered', 'read'].includes(String(status)), 30_000, 'the send');

    await simulatorControl(simulatorUrl, 'reply', { from: customer, to: merchantPhone, text: '١' });
    await waitUntil(async () => (await merchant.api('GET', `/api/v1/orders/${orders[0]?.id}`)).json.status, (status) => status === 'confirmed', 30_000, 'the confirmation');
    await waitUntil(() => simulatorMessages(simulatorUrl, customer), (messages) => messages.length >= 2, 30_000, 'the thank-you');
    await waitUntil(async () => shopify.requests.filter((request) => JSON.stringify(request.body).includes('akked-confirmed')).length, (count) => count >= 1, 30_000, 'tagsAdd at the fake Shopify');
  }, 180_000);

  const orderByExternalId = async (externalId: string) => {
    const list = await merchant.api('GET', `/api/v1/orders?storeId=${storeId}&limit=200`);
    const summary = (list.json.data as { id: string; externalId: string }[]).find((order) => order.externalId === externalId);

    return summary ? (await merchant.api('GET', `/api/v1/orders/${summary.id}`)).json : null;
  };

  it('cancels on "2" and tags the order akked-cancelled', async () => {
    const customer = '+966551239902';
    await signedShopifyDelivery(baseUrl, storeId, 'e2e-shopify-secret', shopifyCodOrder({ id: '9007199254740993002', number: '#5002', phone: customer }));
    await waitUntil(async () => (await orderByExternalId('9007199254740993002'))?.status, (status) => ['sent', 'delivered', 'read'].includes(String(status)), 30_000, 'the send');
    await simulatorControl(simulatorUrl, 'reply', { from: customer, to: merchantPhone, text: '2' });
    await waitUntil(async () => (await orderByExternalId('9007199254740993002'))?.status, (status) => status === 'cancelled', 30_000, 'the cancellation');
    await waitUntil(async () => shopify.requests.filter((request) => JSON.stringify(request.body).includes('akked-cancelled')).length, (count) => count >= 1, 30_000, 'the cancel tag');
  }, 90_000);

  it('shows reach_out_restricted with a customer-initiated link on a 463, and confirms from that link', async () => {
    const customer = '+966551239903';
    await simulatorControl(simulatorUrl, 'fail', { phone: customer, mode: 'reach_out_restricted' });
    await signedShopifyDelivery(baseUrl, storeId, 'e2e-shopify-secret', shopifyCodOrder({ id: '9007199254740993003', number: '#5003', phone: customer }));
    const failed = await waitUntil(() => orderByExternalId('9007199254740993003'), (order) => order?.status === 'failed', 30_000, 'the 463');
    expect(failed?.failureReason).toBe('reach_out_restricted');
    const prefilled = new URL(String(failed?.customerInitiatedLink)).searchParams.get('text') ?? '';
    await simulatorControl(simulatorUrl, 'reply', { from: customer, to: merchantPhone, text: prefilled });
    await waitUntil(async () => (await orderByExternalId('9007199254740993003'))?.status, (status) => status === 'confirmed', 30_000, 'the confirmation by link');
  }, 90_000);

  it('holds an order that arrives during quiet hours', async () => {
    const riyadhHour = (new Date().getUTCHours() + 3) % 24;
    await merchant.api('PATCH', `/api/v1/stores/${storeId}`, { quietHours: { start: `${String(riyadhHour).padStart(2, '0')}:00`, end: `${String((riyadhHour + 2) % 24).padStart(2, '0')}:00` } });
    const customer = '+966551239904';
    await signedShopifyDelivery(baseUrl, storeId, 'e2e-shopify-secret', shopifyCodOrder({ id: '9007199254740993004', number: '#5004', phone: customer }));
    const held = await waitUntil(() => orderByExternalId('9007199254740993004'), (order) => order?.status === 'queued', 30_000, 'the held order');
    expect(Date.parse(String(held?.sendAt))).toBeGreaterThan(Date.now() + 60 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await simulatorMessages(simulatorUrl, customer)).toHaveLength(0);
    await merchant.api('PATCH', `/api/v1/stores/${storeId}`, { quietHours: null });
  }, 90_000);
};

describe('the real processes on the embedded database: akked serve + akked simulator', () => {
  const processes: AkkedProcess[] = [];
  let shopify: FakeStoreApi;
  let running: RunningProcesses;

  beforeAll(async () => {
    shopify = await startFakeStoreApi();
    answerLikeShopify(shopify);
    const server = await startServeWithSimulator({ AKKED_ALLOW_PRIVATE_OUTBOUND: 'true' });
    processes.push(...server.processes);
    running = { baseUrl: server.baseUrl, simulatorUrl: server.simulatorUrl, dataDirectory: server.dataDirectory, shopify };
  }, 120_000);

  afterAll(async () => {
    for (const process of processes.reverse()) await process.stop();
    await shopify?.close();
  });

  walkConfirmationVariants(() => running);
});

describe.runIf(TEST_DATABASE_URL).each([2, 3])('the real processes on PostgreSQL: one api and %i workers', (workerCount) => {
  const processes: AkkedProcess[] = [];
  const workers: AkkedProcess[] = [];
  let scratch: ScratchDatabase | undefined;
  let databaseUrl: string;
  let baseUrl: string;
  let simulatorUrl: string;
  let dataDirectory: string;
  let shopify: FakeStoreApi;

  beforeAll(async () => {
    shopify = await startFakeStoreApi();
    answerLikeShopify(shopify);
    scratch = await createScratchDatabase('akked_e2e');
    databaseUrl = scratch.url;
    const simulator = await startSimulatorProcess();
    processes.push(simulator.process);
    simulatorUrl = simulator.url;
    const port = await findFreePort();
    baseUrl = `http://127.0.0.1:${port}`;
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-e2e-pg-'));
    const environment = {
      DATABASE_URL: databaseUrl,
      AKKED_MASTER_KEY: randomBytes(32).toString('base64'),
      AKKED_DATA_DIR: dataDirectory,
      AKKED_PUBLIC_URL: baseUrl,
      AKKED_WHATSAPP_SIMULATOR_URL: simulatorUrl,
      AKKED_SEND_GAP_SECONDS: '0',
      // Write-back goes to the fake Shopify on loopback.
      AKKED_ALLOW_PRIVATE_OUTBOUND: 'true',
    };
    processes.push(startAkked(['api'], { ...environment, PORT: String(port), HOST: '127.0.0.1' }));
    await waitForHttp(`${baseUrl}/readyz`);
    for (let index = 0; index < workerCount; index++) workers.push(startAkked(['worker'], environment));
    processes.push(...workers);
  }, 120_000);

  afterAll(async () => {
    for (const process of processes.reverse()) await process.stop();
    await scratch?.drop();
    await shopify?.close();
  });

  // Every variant of the flow once, with the api and the workers in processes of their own.
  if (workerCount === 2) describe('the confirmation flow across processes', () => walkConfirmationVariants(() => ({ baseUrl, simulatorUrl, dataDirectory, shopify })));

  it('splits numbers between the workers and moves them to the survivors after kill -9, sending nothing twice', async () => {
    const merchant = await signUpMerchant(baseUrl, dataDirectory, { email: `e2e.pg.${Date.now()}@example.com` });
    const stores: { storeId: string; numberId: string; phone: string }[] = [];
    const numberCount = workerCount * 2;
    for (let index = 0; index < numberCount; index++) {
      const number = await merchant.api('POST', '/api/v1/whatsapp-numbers', { provider: 'simulator' });
      const store = await merchant.api('POST', '/api/v1/stores', { name: `Store ${index}`, platform: 'shopify', whatsappNumberId: number.json.id, defaultCountry: 'SA', webhookSecret: `secret-${index}-abcdef` });
      stores.push({ storeId: String(store.json.id), numberId: String(number.json.id), phone: String(number.json.phone) });
    }
    const database = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${DEFAULT_SCHEMA}` });
    await database.connect();
    try {
      // The leases of this test's numbers (the flow variants hold one of their own).
      const owners = async () =>
        (
          await database.query<{ number_id: string; owner_id: string; pid: number | null }>(
            'select l.number_id, l.owner_id, w.pid from whatsapp_leases l left join workers w on w.id = l.owner_id where l.expires_at > now() and l.number_id = any($1::text[])',
            [stores.map((store) => store.numberId)],
          )
        ).rows;
      // Both workers drive numbers: placement spreads them (a worker that took all hands some over).
      await waitUntil(async () => {
        const rows = await owners();

        return rows.length === numberCount ? new Set(rows.map((row) => row.owner_id)).size : 0;
      }, (ownerCount) => ownerCount === workerCount, 60_000, 'the numbers to be spread over every worker');

      const send = async (round: number) => {
        for (const [index, store] of stores.entries()) {
          const body = shopifyCodOrder({ id: `77${round}${index}${Date.now() % 100000}`, number: `#${round}${index}`, phone: `05512${round}${index}777` });
          const answer = await signedShopifyDelivery(baseUrl, store.storeId, `secret-${index}-abcdef`, body);
          expect(answer.status).toBe(200);
        }
      };
      await send(1);
      for (const [index] of stores.entries()) {
        await waitUntil(() => simulatorMessages(simulatorUrl, `+96655121${index}777`), (messages) => messages.length >= 1, 30_000, `round 1 store ${index}`);
      }

      const victimPid = (await owners()).find((row) => row.pid !== null)?.pid;
      const victim = workers.find((worker) => worker.child.pid === victimPid);
      expect(victim).toBeDefined();
      victim?.child.kill('SIGKILL');
      const killedAt = Date.now();
      await send(2);
      await waitUntil(
        async () => {
          const rows = await owners();

          return rows.length === numberCount && rows.every((row) => row.pid !== victimPid) ? new Set(rows.map((row) => row.pid)).size : 0;
        },
        (count) => count === workerCount - 1,
        45_000,
        'the survivors to take every number',
      );
      expect(Date.now() - killedAt).toBeLessThan(40_000);
      for (const [index] of stores.entries()) {
        await waitUntil(() => simulatorMessages(simulatorUrl, `+96655122${index}777`), (messages) => messages.length >= 1, 45_000, `round 2 store ${index}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (const [index] of stores.entries()) {
        expect(await simulatorMessages(simulatorUrl, `+96655121${index}777`)).toHaveLength(1);
        expect(await simulatorMessages(simulatorUrl, `+96655122${index}777`)).toHaveLength(1);
      }
      const { rows } = await database.query<{ count: string }>("select count(*) from messages where kind = 'confirmation' and status <> 'failed' and number_id = any($1::text[])", [
        stores.map((store) => store.numberId),
      ]);
      expect(Number(rows[0]?.count)).toBe(numberCount * 2);
    } finally {
      await database.end();
    }
  }, 240_000);

  it('sends a reminder when the customer does not answer, then ends as no_response', async () => {
    const merchant = await signUpMerchant(baseUrl, dataDirectory, { email: `e2e.pg.silent.${Date.now()}@example.com` });
    const number = await merchant.api('POST', '/api/v1/whatsapp-numbers', { provider: 'simulator' });
    await waitUntil(async () => (await merchant.api('GET', `/api/v1/whatsapp-numbers/${number.json.id}`)).json.status, (status) => status === 'connected', 30_000, 'the number to link');
    const store = await merchant.api('POST', '/api/v1/stores', { name: 'Silent', platform: 'shopify', whatsappNumberId: number.json.id, defaultCountry: 'SA', webhookSecret: 'secret-silent-abcdef' });
    expect(store.status, store.text).toBe(201);
    const customer = '+966551239990';
    await signedShopifyDelivery(baseUrl, String(store.json.id), 'secret-silent-abcdef', shopifyCodOrder({ id: `9900${Date.now() % 100000}`, number: '#9901', phone: customer }));
    await waitUntil(() => simulatorMessages(simulatorUrl, customer), (messages) => messages.length >= 1, 30_000, 'the confirmation message');
    const database = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${DEFAULT_SCHEMA}` });
    await database.connect();
    try {
      // The store waits two hours before the reminder and two more before giving up: move the
      // follow-up job of this order to now, as the clock would, each time it is scheduled.
      const pullForward = () =>
        database.query(
          `update pgboss.job set start_after = now() where name = 'confirmation.follow-up' and state = 'created'
             and data->>'orderId' in (select id from orders where store_id = $1)`,
          [store.json.id],
        );
      await waitUntil(async () => {
        await pullForward();

        return simulatorMessages(simulatorUrl, customer);
      }, (messages) => messages.length >= 2, 30_000, 'the reminder');
      const statusOfOrder = async () => {
        await pullForward();
        const list = await merchant.api('GET', `/api/v1/orders?storeId=${store.json.id}`);

        return (list.json.data as { status: string }[])[0]?.status;
      };
      await waitUntil(statusOfOrder, (status) => status === 'no_response', 30_000, 'no_response');
      const messages = await simulatorMessages(simulatorUrl, customer);
      expect(messages).toHaveLength(2);
    } finally {
      await database.end();
    }
  }, 120_000);
});

import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, decrypt, toMasterKey } from '../../src/crypto/envelope.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createScratchDatabase, TEST_DATABASE_URL, type ScratchDatabase } from '../harness/database.ts';
import { postShopifyWebhook, shopifyCodOrder, waitUntil } from '../harness/flow.ts';
import { findFreePort, runAkkedCommand, signUpMerchant, startAkked, startServeWithSimulator, waitForHttp, type AkkedProcess, type ServeWithSimulator } from '../harness/processes.ts';

const WRITE_BACK_TOKEN = 'shpat_copied_write_back_token';

/**
 * An embedded installation moves to PostgreSQL with `akked db copy`, and `akked api` + `akked
 * worker` on PostgreSQL take over with the same master key: everything the merchant had is there.
 */
describe.skipIf(!TEST_DATABASE_URL)('akked db copy: an embedded installation moved to PostgreSQL', () => {
  let serve: ServeWithSimulator;
  let merchant: Awaited<ReturnType<typeof signUpMerchant>>;
  const seeded = { numberId: '', storeId: '', orderId: '' };
  let target: ScratchDatabase | undefined;
  let targetUrl: string;
  const processes: AkkedProcess[] = [];

  beforeAll(async () => {
    serve = await startServeWithSimulator();
    merchant = await signUpMerchant(serve.baseUrl, serve.dataDirectory, { email: `copy.${Date.now()}@example.com` });
    const number = await merchant.api('POST', '/api/v1/whatsapp-numbers', { provider: 'simulator' });
    seeded.numberId = String(number.json.id);
    await waitUntil(async () => (await merchant.api('GET', `/api/v1/whatsapp-numbers/${seeded.numberId}`)).json.status, (status) => status === 'connected', 60_000, 'the number to link');
    const secret = 'secret-copy-abcdef';
    const store = await merchant.api('POST', '/api/v1/stores', { name: 'Copied store', platform: 'shopify', whatsappNumberId: seeded.numberId, defaultCountry: 'SA', webhookSecret: secret });
    expect(store.status, store.text).toBe(201);
    seeded.storeId = String(store.json.id);
    // The confirmation waits an hour: its send job is still pending when the database is copied.
    const patch = await merchant.api('PATCH', `/api/v1/stores/${seeded.storeId}`, { sendDelayMinutes: 60, writeBack: { shopDomain: 'copied.myshopify.com', accessToken: WRITE_BACK_TOKEN } });
    expect(patch.status, patch.text).toBe(200);
    const body = shopifyCodOrder({ id: '7700112233445566778', number: '#7701', phone: '+966551230077' });
    const delivery = await postShopifyWebhook(serve.baseUrl, { storeId: seeded.storeId, secret, body });
    expect(delivery.status).toBe(200);
    const orders = await waitUntil(async () => (await merchant.api('GET', '/api/v1/orders')).json.data as { id: string }[], (data) => data.length === 1, 30_000, 'the order');
    seeded.orderId = String(orders[0]?.id);
    // Stopped, as the command's help says: one process owns the embedded database.
    await serve.processes[1]?.stop();
    target = await createScratchDatabase('akked_copy');
    targetUrl = target.url;
  }, 300_000);

  afterAll(async () => {
    for (const process of processes.reverse()) await process.stop();
    await serve?.stop();
    await target?.drop();
    if (serve) await rm(serve.dataDirectory, { recursive: true, force: true });
  });

  it('copies every table and the pending jobs, and api + worker on PostgreSQL serve them with the same master key', async () => {
    const environment = { AKKED_DATA_DIR: serve.dataDirectory };
    const copy = await runAkkedCommand(['db', 'copy', '--to', targetUrl], environment);
    expect(copy.code, copy.stderr).toBe(0);
    const result = JSON.parse(copy.stdout) as { rows: Record<string, number>; jobs: number };
    expect(result.rows).toMatchObject({ orders: 1, stores: 1, whatsapp_numbers: 1, users: 1, api_keys: 1 });
    expect(result.jobs).toBeGreaterThanOrEqual(1);
    expect(copy.stderr).toContain('AKKED_MASTER_KEY');

    const [masterKey] = (await readFile(path.join(serve.dataDirectory, 'master.key'), 'utf8')).split('\n');
    const target = await openDatabase({ databaseUrl: targetUrl, dataDirectory: '/nonexistent', poolSize: 2 });
    try {
      const keyring = createKeyring(toMasterKey(String(masterKey)));
      const credentials = await target.query<{ owner_id: string; purpose: string; envelope: string }>('select owner_id, purpose, envelope from credentials');
      const plaintexts = credentials.map((row) => decrypt(keyring, row.envelope, { ownerId: row.owner_id, purpose: row.purpose }).toString('utf8'));
      expect(plaintexts.some((text) => text.includes(WRITE_BACK_TOKEN))).toBe(true);
      const [pending] = await target.query<{ count: number }>(
        `select count(*)::int as count from pgboss.job where state = 'created' and data->>'orderId' = $1`,
        [seeded.orderId],
      );
      expect(pending?.count).toBe(1);
    } finally {
      await target.close();
    }

    const port = await findFreePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const onPostgres = {
      DATABASE_URL: targetUrl,
      AKKED_MASTER_KEY: String(masterKey),
      AKKED_DATA_DIR: serve.dataDirectory,
      AKKED_PUBLIC_URL: baseUrl,
      AKKED_WHATSAPP_SIMULATOR_URL: serve.simulatorUrl,
      AKKED_SEND_GAP_SECONDS: '0',
    };
    processes.push(startAkked(['api'], { ...onPostgres, PORT: String(port), HOST: '127.0.0.1' }));
    await waitForHttp(`${baseUrl}/readyz`, 180_000);
    processes.push(startAkked(['worker'], onPostgres));
    const api = (url: string) => fetch(`${baseUrl}${url}`, { headers: { authorization: `Bearer ${merchant.apiKey}` } }).then(async (response) => ({ status: response.status, json: (await response.json()) as Record<string, unknown> }));
    const order = await api(`/api/v1/orders/${seeded.orderId}`);
    expect(order.status).toBe(200);
    expect(order.json).toMatchObject({ id: seeded.orderId, number: '#7701', status: 'queued' });
    expect((await api(`/api/v1/stores/${seeded.storeId}`)).json).toMatchObject({ id: seeded.storeId, name: 'Copied store' });
    // The worker drives the number again from its copied (and decrypted) session.
    await waitUntil(async () => (await api(`/api/v1/whatsapp-numbers/${seeded.numberId}`)).json.status, (status) => status === 'connected', 90_000, 'the copied number to connect on PostgreSQL');
  }, 600_000);

  it('refuses a wrong URL, an unreachable database and a non-empty target, each in one line with a non-zero exit', async () => {
    const environment = { AKKED_DATA_DIR: serve.dataDirectory };
    const cases: [string, RegExp][] = [
      ['mysql://127.0.0.1/akked', /^akked db copy: --to must be a postgres:\/\/ or postgresql:\/\/ URL/],
      ['postgres://postgres@127.0.0.1:1/akked?sslmode=disable', /^akked db copy: cannot connect to the target database: .*ECONNREFUSED/],
      [targetUrl, /^akked db copy: the target database is not empty \(rows in /],
    ];
    for (const [to, message] of cases) {
      const run = await runAkkedCommand(['db', 'copy', '--to', to], environment);
      expect(run.code, run.stderr).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  }, 600_000);
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postShopifyWebhook, shopifyCodOrder, simulatorMessages, waitUntil } from '../harness/flow.ts';
import { canStartOwnCluster, startOwnCluster, type OwnCluster } from '../harness/postgres-cluster.ts';
import { findFreePort, signUpMerchant, startAkked, startSimulatorProcess, waitForHttp, type AkkedProcess } from '../harness/processes.ts';

const SECRET = 'outage-shopify-secret';

const deliver = (baseUrl: string, storeId: string, body: string, signal?: AbortSignal) => postShopifyWebhook(baseUrl, { storeId, secret: SECRET, body, ...(signal ? { signal } : {}) });

const isRunning = (process: AkkedProcess) => process.child.exitCode === null && process.child.signalCode === null;

/**
 * PostgreSQL crashes (pg_ctl stop -m immediate, a cluster of this test's own) under a running api
 * and worker, with webhooks arriving: both processes stay up, answer 503 database_unavailable
 * quickly, report not-ready, and carry on once the database is back, without anyone touching them.
 */
describe.runIf(canStartOwnCluster())('a PostgreSQL crash under a running api and worker', () => {
  let cluster: OwnCluster;
  let dataDirectory: string;
  let baseUrl: string;
  let workerReadyUrl: string;
  let simulatorUrl: string;
  let api: AkkedProcess;
  let worker: AkkedProcess;
  const processes: AkkedProcess[] = [];

  beforeAll(async () => {
    cluster = await startOwnCluster();
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('create database akked_outage');
    await admin.end();
    const databaseUrl = cluster.url().replace(/\/postgres$/, '/akked_outage');
    const simulator = await startSimulatorProcess();
    processes.push(simulator.process);
    simulatorUrl = simulator.url;
    const port = await findFreePort();
    const metricsPort = await findFreePort();
    baseUrl = `http://127.0.0.1:${port}`;
    workerReadyUrl = `http://127.0.0.1:${metricsPort}/readyz`;
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-outage-'));
    const environment = {
      DATABASE_URL: databaseUrl,
      AKKED_MASTER_KEY: randomBytes(32).toString('base64'),
      AKKED_DATA_DIR: dataDirectory,
      AKKED_PUBLIC_URL: baseUrl,
      AKKED_WHATSAPP_SIMULATOR_URL: simulatorUrl,
      AKKED_SEND_GAP_SECONDS: '0',
      HOST: '127.0.0.1',
    };
    api = startAkked(['api'], { ...environment, PORT: String(port) });
    processes.push(api);
    await waitForHttp(`${baseUrl}/readyz`, 120_000);
    worker = startAkked(['worker'], { ...environment, AKKED_METRICS_PORT: String(metricsPort) });
    processes.push(worker);
    await waitForHttp(workerReadyUrl, 120_000);
  }, 240_000);

  afterAll(async () => {
    for (const process of processes.reverse()) await process.stop();
    await cluster?.stop();
    if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
  });

  it('keeps every process up, answers 503 database_unavailable with Retry-After within 5 s, and resumes by itself', async () => {
    const email = `outage.${Date.now()}@example.com`;
    const merchant = { ...(await signUpMerchant(baseUrl, dataDirectory, { email })), email };
    const number = await merchant.api('POST', '/api/v1/whatsapp-numbers', { provider: 'simulator' });
    expect(number.status, number.text).toBe(201);
    await waitUntil(async () => (await merchant.api('GET', `/api/v1/whatsapp-numbers/${number.json.id}`)).json.status, (status) => status === 'connected', 30_000, 'the number to link');
    const store = await merchant.api('POST', '/api/v1/stores', { name: 'Outage', platform: 'shopify', whatsappNumberId: number.json.id, defaultCountry: 'SA', webhookSecret: SECRET });
    expect(store.status, store.text).toBe(201);
    const storeId = String(store.json.id);
    const order = (index: number) => shopifyCodOrder({ id: `4400${index}`, number: `#44${index}`, phone: `05513${String(index).padStart(5, '0')}` });
    const phone = (index: number) => `+9665513${String(index).padStart(5, '0')}`;
    expect((await deliver(baseUrl, storeId, order(1))).status).toBe(200);
    await waitUntil(() => simulatorMessages(simulatorUrl, phone(1)), (messages) => messages.length === 1, 30_000, 'the first confirmation');

    // Webhooks keep arriving while the database goes away, so transactions are open at the crash.
    let isLoading = true;
    const answers: { index: number; status: number }[] = [];
    const load = (async () => {
      for (let index = 100; isLoading; index++) {
        const status = await deliver(baseUrl, storeId, order(index), AbortSignal.timeout(10_000)).then((answer) => answer.status, () => 0);
        answers.push({ index, status });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await cluster.crash();
    const crashedAt = Date.now();

    const startedAt = Date.now();
    const during = await deliver(baseUrl, storeId, order(2), AbortSignal.timeout(10_000));
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await during.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
    // An API key, a session cookie and a sign-in (better-auth answers those with a bare 500 of its own).
    const withKey = await merchant.api('GET', '/api/v1/orders');
    expect(withKey.status, withKey.text).toBe(503);
    const withCookie = await merchant.client.request('GET', '/api/v1/session', { headers: { cookie: merchant.cookie } });
    expect(withCookie.status, withCookie.text).toBe(503);
    const signIn = await merchant.client.request('POST', '/api/auth/sign-in/email', { body: { email: merchant.email, password: 'a long enough password' }, headers: { origin: baseUrl } });
    expect(signIn.status, signIn.text).toBe(503);
    for (const answer of [withKey, withCookie, signIn]) {
      expect((answer.json.error as { code: string }).code).toBe('database_unavailable');
      expect(answer.headers.get('retry-after')).toBe('5');
    }
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(503);
    expect((await fetch(workerReadyUrl)).status).toBe(503);

    // Pools, transactions, LISTEN clients and the queue all lose their connections for a while.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(isRunning(api), api.output().slice(-3000)).toBe(true);
    expect(isRunning(worker), worker.output().slice(-3000)).toBe(true);
    await cluster.start();
    const restartedAt = Date.now();

    await waitUntil(async () => (await fetch(`${baseUrl}/readyz`)).status, (status) => status === 200, 30_000, 'the api to be ready again');
    await waitUntil(async () => (await fetch(workerReadyUrl)).status, (status) => status === 200, 30_000, 'the worker to be ready again');
    const readyAfterMs = Date.now() - restartedAt;
    isLoading = false;
    await load;
    expect(await deliver(baseUrl, storeId, order(3)).then((answer) => answer.status)).toBe(200);
    await waitUntil(() => simulatorMessages(simulatorUrl, phone(3)), (messages) => messages.length === 1, 60_000, 'a confirmation after the restart');
    // Every order acknowledged with a 2xx, before or after the crash, is sent exactly once.
    const acknowledged = answers.filter((answer) => answer.status === 200);
    for (const { index } of acknowledged) {
      await waitUntil(() => simulatorMessages(simulatorUrl, phone(index)), (messages) => messages.length >= 1, 60_000, `order ${index}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const { index } of acknowledged) expect(await simulatorMessages(simulatorUrl, phone(index))).toHaveLength(1);
    expect(answers.every((answer) => [200, 503].includes(answer.status)), JSON.stringify(answers.filter((answer) => answer.status !== 200))).toBe(true);
    expect(isRunning(api)).toBe(true);
    expect(isRunning(worker)).toBe(true);
    // The outage is logged once per process, not once per failed query.
    for (const process of [api, worker]) {
      expect(process.output().match(/the database is unavailable: /g)?.length ?? 0).toBe(1);
      expect(process.output()).toMatch(/the database is available again/);
    }
    console.info(`database outage: down ${restartedAt - crashedAt} ms; api and worker ready ${readyAfterMs} ms after the restart`);
  }, 240_000);
});

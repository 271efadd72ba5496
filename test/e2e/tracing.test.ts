import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, TEST_DATABASE_URL, type ScratchDatabase } from '../harness/database.ts';
import { startFakeStoreApi, type FakeStoreApi } from '../harness/fake-store-api.ts';
import { postShopifyWebhook, shopifyCodOrder, simulatorControl, simulatorMessages, waitUntil } from '../harness/flow.ts';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../harness/otlp-collector.ts';
import { findFreePort, signUpMerchant, startAkked, startSimulatorProcess, waitForHttp, type AkkedProcess } from '../harness/processes.ts';

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

/**
 * One order's trace across real processes: `akked api` and `akked worker` on PostgreSQL export
 * OTLP/HTTP to a collector made here, and the order's webhook, send job, WhatsApp send, receipts,
 * the customer's reply and the write-back (with its HTTP call to the store) are one trace with
 * the right parents, and nothing personal leaves either process.
 */
describe.runIf(TEST_DATABASE_URL)('OpenTelemetry across the api and worker processes', () => {
  const processes: AkkedProcess[] = [];
  let collector: OtlpCollector;
  let shopify: FakeStoreApi;
  let scratch: ScratchDatabase | undefined;
  let baseUrl: string;
  let simulatorUrl: string;
  let dataDirectory: string;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    shopify = await startFakeStoreApi();
    shopify.answerWith((request) => {
      const query = (request.body as { query?: string } | undefined)?.query ?? '';
      if (!query.includes('mutation')) return { body: { data: { order: { id: 'gid://shopify/Order/1', note: null } } } };

      return { body: { data: { tagsAdd: { userErrors: [] }, orderUpdate: { userErrors: [] } } } };
    });
    scratch = await createScratchDatabase('akked_trace');
    const simulator = await startSimulatorProcess();
    processes.push(simulator.process);
    simulatorUrl = simulator.url;
    const port = await findFreePort();
    baseUrl = `http://127.0.0.1:${port}`;
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-trace-'));
    const environment = {
      DATABASE_URL: scratch.url,
      AKKED_MASTER_KEY: randomBytes(32).toString('base64'),
      AKKED_DATA_DIR: dataDirectory,
      AKKED_PUBLIC_URL: baseUrl,
      AKKED_WHATSAPP_SIMULATOR_URL: simulatorUrl,
      AKKED_SEND_GAP_SECONDS: '0',
      AKKED_ALLOW_PRIVATE_OUTBOUND: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      // Export within a fraction of a second instead of every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    processes.push(startAkked(['api'], { ...environment, PORT: String(port), HOST: '127.0.0.1' }));
    await waitForHttp(`${baseUrl}/readyz`, 120_000);
    processes.push(startAkked(['worker'], environment));
  }, 180_000);

  afterAll(async () => {
    for (const process of processes.reverse()) await process.stop();
    await scratch?.drop();
    await shopify?.close();
    await collector?.close();
  });

  it('follows one order from its webhook through the send job, the send, receipts, the reply and the write-back, and exports nothing personal', async () => {
    const email = `trace.${Date.now()}@example.com`;
    const merchant = await signUpMerchant(baseUrl, dataDirectory, { email });
    const number = await merchant.api('POST', '/api/v1/whatsapp-numbers', { provider: 'simulator' });
    expect(number.status, number.text).toBe(201);
    const numberId = String(number.json.id);
    await waitUntil(async () => (await merchant.api('GET', `/api/v1/whatsapp-numbers/${numberId}`)).json.status, (status) => status === 'connected', 60_000, 'the number to link');
    const secret = 'trace-shopify-secret-4711';
    const store = await merchant.api('POST', '/api/v1/stores', { name: 'Trace Store', platform: 'shopify', whatsappNumberId: numberId, defaultCountry: 'SA', webhookSecret: secret });
    expect(store.status, store.text).toBe(201);
    const storeId = String(store.json.id);
    await merchant.api('PATCH', `/api/v1/stores/${storeId}`, { writeBack: { shopDomain: shopify.host, accessToken: 'shpat_trace_token_0815' } });

    const customer = '+966551234876';
    const body = shopifyCodOrder({ id: '9007199254740994711', number: '#7411', phone: '0551234876', name: 'Zainab Qureshi', addressLine: '77 Olaya Street' });
    const delivery = await postShopifyWebhook(baseUrl, { storeId, secret, body });
    expect(delivery.status).toBe(200);
    const orderId = String(((await delivery.json()) as { orderId?: string }).orderId);
    // A search by phone number: its query string must not reach a span.
    expect((await merchant.api('GET', '/api/v1/orders?q=0551234876')).status).toBe(200);
    await waitUntil(() => simulatorMessages(simulatorUrl, customer), (messages) => messages.length >= 1, 30_000, 'the confirmation message');
    await waitUntil(async () => (await merchant.api('GET', `/api/v1/orders/${orderId}`)).json.status, (status) => ['delivered', 'read'].includes(String(status)), 30_000, 'the receipts');
    await simulatorControl(simulatorUrl, 'reply', { from: customer, to: String(number.json.phone), text: '١' });
    await waitUntil(async () => shopify.requests.filter((request) => JSON.stringify(request.body).includes('akked-confirmed')).length, (count) => count >= 1, 30_000, 'the write-back');

    const find = (predicate: (span: CollectedSpan) => boolean, what: string) =>
      waitUntil(async () => collector.spans.find(predicate), (span) => span !== undefined, 30_000, what) as Promise<CollectedSpan>;
    const webhook = await find((span) => span.name === 'POST /hooks/:platform/:storeId' && span.attributes['akked.order.id'] === orderId, 'the webhook span');
    const inTrace = (name: string) => (span: CollectedSpan) => span.traceId === webhook.traceId && span.name === name;
    const sendJob = await find(inTrace('job confirmation.send'), 'the send job span');
    const send = await find((span) => inTrace('whatsapp.send')(span) && span.parentSpanId === sendJob.spanId, 'the send span');
    const receipt = await find(inTrace('whatsapp.receipt'), 'a receipt span');
    const reply = await find(inTrace('confirmation.reply'), 'the reply span');
    const writeBack = await find(inTrace('job confirmation.write-back'), 'the write-back job span');
    const storeCall = await find(
      (span) => span.traceId === webhook.traceId && span.kind === SPAN_KIND_CLIENT && span.parentSpanId === writeBack.spanId && span.attributes['http.request.method'] === 'POST',
      "the write-back's HTTP call",
    );

    expect(webhook).toMatchObject({ kind: SPAN_KIND_SERVER, resource: { 'service.name': 'akked', 'akked.role': 'api' } });
    expect(webhook.attributes).toMatchObject({ 'akked.platform': 'shopify', 'akked.store.id': storeId, 'akked.webhook.outcome': 'accepted', 'http.route': '/hooks/:platform/:storeId' });
    expect(sendJob).toMatchObject({ parentSpanId: webhook.spanId, resource: { 'akked.role': 'worker' }, attributes: { 'akked.job.name': 'confirmation.send', 'akked.order.id': orderId } });
    expect(send.attributes).toMatchObject({ 'akked.order.id': orderId, 'akked.message.kind': 'confirmation', 'akked.send.outcome': 'sent' });
    expect(receipt.parentSpanId).toBe(send.spanId);
    expect(reply).toMatchObject({ parentSpanId: webhook.spanId, attributes: { 'akked.order.id': orderId, 'akked.reply.outcome': 'confirmed' } });
    expect(writeBack).toMatchObject({ parentSpanId: reply.spanId, attributes: { 'akked.order.id': orderId, 'akked.write_back.outcome': 'written' } });
    expect(storeCall.attributes['http.response.status_code']).toBe(200);
    expect(String(storeCall.attributes['url.full'])).toMatch(new RegExp(`^${shopify.origin}/admin/api/[^?]+/graphql\\.json$`));
    // The thank-you is sent in the reply's trace too, and the database calls of both processes are in it.
    await find((span) => inTrace('whatsapp.send')(span) && span.parentSpanId === reply.spanId, 'the thank-you send');
    const queries = collector.spans.filter((span) => span.traceId === webhook.traceId && span.name.startsWith('pg.query'));
    expect(new Set(queries.map((span) => span.resource['akked.role']))).toEqual(new Set(['api', 'worker']));
    // Probes are not traced.
    expect(collector.spans.some((span) => span.name.includes('/readyz'))).toBe(false);

    const exported = collector.rawBodies.join('\n');
    for (const personal of ['551234876', 'Zainab', 'Qureshi', 'Olaya', 'shpat_trace_token_0815', secret, merchant.apiKey, email, 'Amina']) {
      expect(exported, `"${personal}" was exported`).not.toContain(personal);
    }
    // Nothing outside the allow-list: no client address, user agent or query string.
    const keys = new Set(collector.spans.flatMap((span) => Object.keys(span.attributes)));
    for (const key of ['client.address', 'net.peer.ip', 'user_agent.original', 'http.user_agent', 'url.query', 'db.postgresql.values']) expect(keys.has(key), key).toBe(false);
  }, 240_000);
});

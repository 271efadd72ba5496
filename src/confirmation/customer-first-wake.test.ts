import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { deliverShopifyWebhook, shopifyCodOrder, simulatorControl, waitUntil } from '../../test/harness/flow.ts';
import { appOf, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { buildPacingPolicy } from './pacing.ts';
import { createConfirmationHooks } from './session-hooks.ts';
import { createSimulatorProvider } from '../whatsapp/providers/simulator.ts';
import { SessionManager } from '../whatsapp/session-manager.ts';
import { startSimulator, type RunningSimulator } from '../whatsapp/simulator/simulator-server.ts';

const IDLE_MS = 400;

/**
 * An order a 463 left to the customer-first flow: the customer writes through the wa.me link
 * whenever they get to it, long after the refusal. The number must still be connected then, past
 * the delay after which an idle number hibernates, or the message waits on WhatsApp's server
 * until the next daily wake. The api runs in the runtime; the session manager runs here with a
 * short hibernation delay, on the simulated network.
 */
describe.each(TEST_BACKENDS)('customer-first orders keep their number awake on %s', (backend) => {
  let simulator: RunningSimulator;
  let testRuntime: TestRuntime;
  let manager: SessionManager;
  let merchant: Merchant;
  let orderCounter = 0;

  beforeAll(async () => {
    simulator = await startSimulator({ deliveredAfterMs: 20, readAfterMs: 60 });
    testRuntime = await startTestRuntime(backend, { environment: { AKKED_WHATSAPP_SIMULATOR_URL: simulator.url }, roles: { api: true, worker: false } });
    merchant = await createMerchant(testRuntime, { language: 'en' });
    const { services } = testRuntime.runtime;
    manager = new SessionManager({
      database: services.database,
      keyring: services.keyring,
      logger: services.logger,
      providers: new Map([['simulator', createSimulatorProvider({ simulatorUrl: simulator.url })]]),
      hooks: createConfirmationHooks({ database: services.database, queue: services.queue, logger: services.logger }),
      pacing: buildPacingPolicy({ minimumSeconds: 0, maximumSeconds: 0 }),
      tickMilliseconds: 100,
      idleMilliseconds: IDLE_MS,
      leaseSeconds: 3,
    });
    await manager.start();
  }, 90_000);

  afterAll(async () => {
    await manager?.stop();
    await testRuntime?.stop();
    await simulator?.close();
  });

  const api = () => ({ authorization: `Bearer ${merchant.apiKey}` });

  /** A store on its own simulator number, linked, and one order of it left failed by a 463 `failedAgo` ago. */
  const restrictedOrder = async (failedAgo: string) => {
    const app = appOf(testRuntime);
    const number = await app.inject({ method: 'POST', url: '/api/v1/whatsapp-numbers', headers: api(), payload: { provider: 'simulator' } });
    expect(number.statusCode, number.body).toBe(201);
    const numberId = number.json().id as string;
    const numberStatus = async () => (await app.inject({ method: 'GET', url: `/api/v1/whatsapp-numbers/${numberId}`, headers: api() })).json() as { status: string; phone: string };
    const linked = await waitUntil(numberStatus, (detail) => detail.status === 'connected', 20_000, 'the number to link');
    const secret = `customer-first-secret-${++orderCounter}`;
    const store = await app.inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: api(),
      payload: { name: 'Customer first', platform: 'shopify', whatsappNumberId: numberId, defaultCountry: 'SA', timezone: 'Asia/Riyadh', language: 'en', webhookSecret: secret },
    });
    expect(store.statusCode, store.body).toBe(201);
    const storeId = store.json().id as string;
    const phone = `+96655124${String(orderCounter).padStart(4, '0')}`;
    const externalId = `77100${orderCounter}`;
    await deliverShopifyWebhook(app, { storeId, secret, body: shopifyCodOrder({ id: externalId, number: `#71${orderCounter}`, phone }) });
    const orderOf = async () => {
      const list = (await app.inject({ method: 'GET', url: `/api/v1/orders?storeId=${storeId}`, headers: api() })).json() as { data: { id: string }[] };
      const id = list.data[0]?.id;

      return id ? ((await app.inject({ method: 'GET', url: `/api/v1/orders/${id}`, headers: api() })).json() as { id: string; status: string; customerInitiatedLink: string | null }) : undefined;
    };
    const order = await waitUntil(orderOf, (detail) => detail !== undefined, 20_000, 'the order');
    // What a 463 leaves behind (the confirmation job ran, WhatsApp refused the cold contact), then
    // time passing: no worker runs jobs here, so nothing else touches the order.
    await testRuntime.runtime.services.database.query(
      `update orders set status = 'failed', failure_reason = 'reach_out_restricted', updated_at = now() - $2::interval where id = $1`,
      [order?.id, failedAgo],
    );

    return { numberId, merchantPhone: linked.phone, phone, orderOf, numberStatus };
  };

  it('stays connected past the hibernation delay and applies the customer’s link message within seconds, hours after the 463', async () => {
    const { numberId, merchantPhone, phone, orderOf, numberStatus } = await restrictedOrder('3 hours');
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 4));
    expect(manager.liveNumberIds).toContain(numberId);
    expect((await numberStatus()).status).toBe('connected');
    const failed = await orderOf();
    const prefilled = new URL(String(failed?.customerInitiatedLink)).searchParams.get('text') ?? '';
    expect(prefilled).not.toBe('');
    const sentAt = Date.now();
    await simulatorControl(simulator.url, 'reply', { from: phone, to: merchantPhone, text: prefilled });
    await waitUntil(async () => (await orderOf())?.status, (status) => status === 'confirmed', 5_000, 'the confirmation from the link');
    expect(Date.now() - sentAt).toBeLessThan(5_000);
  });

  it('lets the number hibernate once the customer-first window is over', async () => {
    const { numberId, numberStatus } = await restrictedOrder('25 hours');
    await waitUntil(async () => (await numberStatus()).status, (status) => status === 'hibernated', 10_000, 'the hibernation');
    expect(manager.liveNumberIds).not.toContain(numberId);
  });
});

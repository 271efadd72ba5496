import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AppError } from '../../errors.ts';
import type { WhatsAppSession } from '../provider.ts';
import { startSimulator, type RunningSimulator } from '../simulator/simulator-server.ts';
import {
  recordSessionEvents,
  runProviderContractTests,
  waitFor,
  type ContractNetwork,
  type NetworkMessage,
} from './provider-contract.ts';
import { createSimulatorProvider } from './simulator.ts';

const FAST_TIMINGS = { deliveredAfterMs: 20, readAfterMs: 40 };

let phoneCount = 0;
/** Distinct Moroccan mobile numbers, so tests never share a phone. */
const allocatePhone = (): string => {
  phoneCount += 1;

  return `+2126${String(10_000_000 + phoneCount).slice(-8)}`;
};

const postJson = async (baseUrl: string, path: string, body: unknown) => {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  return { status: response.status, body: (await response.json()) as unknown };
};

const createSimulatorNetwork = (simulator: RunningSimulator): ContractNetwork => ({
  allocatePhone,
  replyFromCustomer: async (message) => {
    const answer = await postJson(simulator.url, '/control/reply', message);
    if (answer.status !== 202) throw new Error(`reply answered ${answer.status}`);
  },
  listMessagesTo: async (phone) => {
    const response = await fetch(`${simulator.url}/control/messages?to=${encodeURIComponent(phone)}`);
    const body = (await response.json()) as { messages: NetworkMessage[] };

    return body.messages;
  },
  setFailureMode: async (phone, mode) => {
    const answer = await postJson(simulator.url, '/control/fail', { phone, mode });
    if (answer.status !== 200) throw new Error(`fail answered ${answer.status}`);
  },
});

runProviderContractTests('simulator', async () => {
  const simulator = await startSimulator(FAST_TIMINGS);

  return {
    provider: createSimulatorProvider({ simulatorUrl: simulator.url, ackTimeoutMs: 2_000 }),
    network: createSimulatorNetwork(simulator),
    close: () => simulator.close(),
  };
});

describe('simulator provider', () => {
  let simulator: RunningSimulator;
  const sessions: WhatsAppSession[] = [];

  beforeAll(async () => {
    simulator = await startSimulator(FAST_TIMINGS);
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.close()));
  });

  afterAll(async () => {
    await simulator.close();
  });

  const connect = async (phone: string, providerOptions: { ackTimeoutMs?: number } = {}) => {
    const recorder = recordSessionEvents();
    const provider = createSimulatorProvider({ simulatorUrl: simulator.url, ...providerOptions });
    const session = await provider.connect({ numberId: 'num_simulated', phone, settings: {}, events: recorder.events });
    sessions.push(session);

    return { session, recorder };
  };

  const fail = (phone: string, mode: string) => postJson(simulator.url, '/control/fail', { phone, mode });

  it('is a held-connection provider of kind simulator without pairing codes', async () => {
    const provider = createSimulatorProvider({ simulatorUrl: simulator.url });
    const { session } = await connect(allocatePhone());

    expect(provider.kind).toBe('simulator');
    expect(provider.holdsConnection).toBe(true);
    expect(session.requestPairingCode).toBeUndefined();
  });

  it('refuses to connect a number without a phone', async () => {
    const provider = createSimulatorProvider({ simulatorUrl: simulator.url });

    const connecting = provider.connect({ numberId: 'num_x', phone: null, settings: {}, events: recordSessionEvents().events });

    await expect(connecting).rejects.toMatchObject({ code: 'bad_request', retryable: false });
  });

  it('fails with a retryable upstream_unavailable when the simulator is not running', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const provider = createSimulatorProvider({ simulatorUrl: `http://127.0.0.1:${port}` });

    const connecting = provider.connect({ numberId: 'num_x', phone: allocatePhone(), settings: {}, events: recordSessionEvents().events });

    const error = await connecting.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'upstream_unavailable', retryable: true });
  });

  it('reports onConnected only after connect has resolved, with the phone the network reports', async () => {
    const phone = allocatePhone();
    const { recorder } = await connect(phone);

    expect(recorder.recorded).toHaveLength(0);
    const connected = await recorder.waitForConnected();
    expect(connected.phone).toBe(phone);
  });

  it('times out a send the network never acknowledges with a retryable upstream_unavailable', async () => {
    const silentServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => silentServer.once('listening', () => resolve()));
    const { port } = silentServer.address() as AddressInfo;
    const recorder = recordSessionEvents();
    const provider = createSimulatorProvider({ simulatorUrl: `http://127.0.0.1:${port}`, ackTimeoutMs: 50, closeTimeoutMs: 200 });
    const session = await provider.connect({ numberId: 'num_x', phone: allocatePhone(), settings: {}, events: recorder.events });

    try {
      const sending = session.send({ messageId: 'msg_timeout', to: allocatePhone(), text: 'hello' });

      await expect(sending).rejects.toMatchObject({ code: 'upstream_unavailable', retryable: true, details: { reason: 'timeout' } });
    } finally {
      await session.close();
      for (const client of silentServer.clients) client.terminate();
      await new Promise<void>((resolve) => silentServer.close(() => resolve()));
    }
  });

  it('rejects a recipient that is not an E.164 number without sending', async () => {
    const { session, recorder } = await connect(allocatePhone());
    await recorder.waitForConnected();

    await expect(session.send({ messageId: 'msg_bad_to', to: '0612345678', text: 'hello' })).rejects.toMatchObject({
      code: 'invalid_phone',
      retryable: false,
    });
  });

  it('lets a message through to a restricted customer once that customer has written first', async () => {
    const phone = allocatePhone();
    const customer = allocatePhone();
    await fail(customer, 'reach_out_restricted');
    const { session, recorder } = await connect(phone);
    await recorder.waitForConnected();
    await expect(session.send({ messageId: 'msg_cold', to: customer, text: 'Order #1' })).rejects.toMatchObject({
      details: { reason: 'reach_out_restricted' },
    });

    await postJson(simulator.url, '/control/reply', { from: customer, to: phone, text: 'confirm order 1' });

    await expect(session.send({ messageId: 'msg_warm', to: customer, text: 'Order #1' })).resolves.toEqual({
      providerMessageId: 'msg_warm',
    });
  });

  it('reports closed_by_us exactly once when we close, and close is idempotent', async () => {
    const { session, recorder } = await connect(allocatePhone());
    await recorder.waitForConnected();

    await Promise.all([session.close(), session.close()]);
    await session.close();

    expect(recorder.ofType('disconnected').map((event) => event.reason)).toEqual(['closed_by_us']);
  });

  it('logs out by telling the network to forget the device, which drops what was queued for it', async () => {
    const phone = allocatePhone();
    const customer = allocatePhone();
    const first = await connect(phone);
    await first.recorder.waitForConnected();

    await first.session.logout();
    await postJson(simulator.url, '/control/reply', { from: customer, to: phone, text: 'after logout' });
    const devices = (await (await fetch(`${simulator.url}/control/devices`)).json()) as { devices: Array<{ phone: string }> };

    expect(first.recorder.ofType('disconnected').map((event) => event.reason)).toEqual(['closed_by_us']);
    expect(devices.devices.map((device) => device.phone)).not.toContain(phone);
    // A later reply is queued for the next device; a second logout of the ended session is a no-op.
    await first.session.logout();
    const second = await connect(phone);
    await second.recorder.waitForInbound('after logout');
  });

  it('drops messages queued before a logout from the phone', async () => {
    const phone = allocatePhone();
    const customer = allocatePhone();
    const first = await connect(phone);
    await first.recorder.waitForConnected();
    await first.session.close();
    await postJson(simulator.url, '/control/reply', { from: customer, to: phone, text: 'queued before logout' });

    await fail(phone, 'logout');
    const second = await connect(phone);
    await second.recorder.waitForConnected();
    await postJson(simulator.url, '/control/reply', { from: customer, to: phone, text: 'marker' });
    await second.recorder.waitForInbound('marker');

    expect(second.recorder.ofType('inbound').map((event) => event.message.text)).toEqual(['marker']);
  });

  it('reports banned, and a banned number is refused again until the ban is cleared', async () => {
    const phone = allocatePhone();
    const first = await connect(phone);
    await first.recorder.waitForConnected();

    await fail(phone, 'banned');

    expect((await first.recorder.waitForDisconnected()).reason).toBe('banned');
    const second = await connect(phone);
    expect((await second.recorder.waitForDisconnected()).reason).toBe('banned');
    expect(second.recorder.ofType('connected')).toHaveLength(0);
    await postJson(simulator.url, '/control/clear', { phone });
    const third = await connect(phone);
    await third.recorder.waitForConnected();
  });

  it('reports an account-wide restriction that lasts: every first message refused (463) until it ends, customers who wrote still reachable', async () => {
    const phone = allocatePhone();
    const recorder = recordSessionEvents();
    const restrictions: { until: Date | null; reason: string }[] = [];
    const provider = createSimulatorProvider({ simulatorUrl: simulator.url });
    const session = await provider.connect({ numberId: 'num_simulated', phone, settings: {}, events: { ...recorder.events, onRestricted: (restriction) => restrictions.push(restriction) } });
    sessions.push(session);
    await recorder.waitForConnected();
    const before = Date.now();
    await postJson(simulator.url, '/control/fail', { phone, mode: 'account_restricted', durationMs: 3_600_000 });
    const [first, second, known] = [allocatePhone(), allocatePhone(), allocatePhone()];
    await postJson(simulator.url, '/control/reply', { from: known, to: phone, text: 'hello' });
    await recorder.waitForInbound('hello');
    await expect(session.send({ messageId: 'msg_cold_1', to: first, text: 'Confirm?' })).rejects.toMatchObject({ details: { reason: 'reach_out_restricted' } });
    await expect(session.send({ messageId: 'msg_cold_2', to: second, text: 'Confirm?' })).rejects.toMatchObject({ details: { reason: 'reach_out_restricted' } });
    await expect(session.send({ messageId: 'msg_warm', to: known, text: 'Thanks' })).resolves.toEqual({ providerMessageId: 'msg_warm' });
    expect(restrictions).toHaveLength(1);
    expect(restrictions[0]?.reason).toBe('reach_out_timelock');
    expect(restrictions[0]?.until?.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
    // A reconnect is told again; clearing lifts it.
    await session.close();
    const again = recordSessionEvents();
    const toldAgain: unknown[] = [];
    sessions.push(await provider.connect({ numberId: 'num_simulated', phone, settings: {}, events: { ...again.events, onRestricted: (restriction) => toldAgain.push(restriction) } }));
    await again.waitForConnected();
    await waitFor('the restriction again', () => toldAgain[0]);
    await postJson(simulator.url, '/control/clear', { phone });
    await expect(sessions.at(-1)?.send({ messageId: 'msg_cold_3', to: first, text: 'Confirm?' })).resolves.toEqual({ providerMessageId: 'msg_cold_3' });
  });

  it('reports client_outdated while the network refuses the client version, until cleared', async () => {
    const phone = allocatePhone();
    const first = await connect(phone);
    await first.recorder.waitForConnected();
    await fail(phone, 'outdated');
    expect((await first.recorder.waitForDisconnected()).reason).toBe('client_outdated');
    const second = await connect(phone);
    expect((await second.recorder.waitForDisconnected()).reason).toBe('client_outdated');
    await postJson(simulator.url, '/control/clear', { phone });
    await (await connect(phone)).recorder.waitForConnected();
  });

  it('reports restart_required when the network asks for a fresh connection', async () => {
    const phone = allocatePhone();
    const { recorder } = await connect(phone);
    await recorder.waitForConnected();

    await fail(phone, 'restart_required');

    const disconnected = await recorder.waitForDisconnected();
    expect(disconnected.reason).toBe('restart_required');
    expect(disconnected.detail).toContain('4515');
  });

  it('reports connection_lost when the simulator shuts down', async () => {
    const ownSimulator = await startSimulator(FAST_TIMINGS);
    const recorder = recordSessionEvents();
    const session = await createSimulatorProvider({ simulatorUrl: ownSimulator.url }).connect({
      numberId: 'num_x',
      phone: allocatePhone(),
      settings: {},
      events: recorder.events,
    });
    await recorder.waitForConnected();

    await ownSimulator.close();

    expect((await recorder.waitForDisconnected()).reason).toBe('connection_lost');
    await session.close();
    expect(recorder.ofType('disconnected')).toHaveLength(1);
  });

  it('runs no queued callback after a close made from inside onConnected, and keeps it queued for later', async () => {
    const phone = allocatePhone();
    const customer = allocatePhone();
    await postJson(simulator.url, '/control/reply', { from: customer, to: phone, text: 'queued' });
    const recorder = recordSessionEvents();
    let closing: Promise<void> | undefined;
    const provider = createSimulatorProvider({ simulatorUrl: simulator.url });
    const session = await provider.connect({
      numberId: 'num_x',
      phone,
      settings: {},
      events: {
        ...recorder.events,
        onConnected: (info) => {
          recorder.events.onConnected(info);
          closing = session.close();
        },
      },
    });
    await waitFor('the close', () => (closing === undefined ? undefined : true));
    await closing;
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(recorder.recorded.map((event) => event.type)).toEqual(['connected', 'disconnected']);
    const next = await connect(phone);
    await next.recorder.waitForInbound('queued');
  });

  it('answers a number check with true for an ordinary number', async () => {
    const { session, recorder } = await connect(allocatePhone());
    await recorder.waitForConnected();

    await expect(session.checkOnWhatsApp(allocatePhone())).resolves.toBe(true);
  });

  it('uses settings.deviceId as the device id when the number has one', async () => {
    const phone = allocatePhone();
    const recorder = recordSessionEvents();
    const session = await createSimulatorProvider({ simulatorUrl: simulator.url }).connect({
      numberId: 'num_x',
      phone,
      settings: { deviceId: 'dev_custom' },
      events: recorder.events,
    });
    sessions.push(session);
    await recorder.waitForConnected();

    const devices = await waitFor('the device listing', async () => {
      const body = (await (await fetch(`${simulator.url}/control/devices`)).json()) as {
        devices: Array<{ phone: string; device: string }>;
      };

      return body.devices.find((device) => device.phone === phone);
    });
    expect(devices.device).toBe('dev_custom');
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { createKeyring, toMasterKey } from '../crypto/envelope.ts';
import { buildPacingPolicy } from '../confirmation/pacing.ts';
import { AppError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import type { InboundMessage, ProviderKind, SessionEvents, WhatsAppProvider } from './provider.ts';
import { createSimulatorProvider } from './providers/simulator.ts';
import { PAIRING_CHANNEL, SessionManager, type SessionManagerHooks } from './session-manager.ts';
import { startSimulator, type RunningSimulator } from './simulator/simulator-server.ts';
import { createMetrics } from '../metrics.ts';

const keyring = createKeyring(toMasterKey(randomBytes(32).toString('base64')));
const silentLogger = createLogger({ level: 'silent' });

/** What a scripted provider gives the numbers a test is not about (those of earlier tests stay in the database). */
const QUIET_SESSION = { send: async () => ({ providerMessageId: 'never' }), checkOnWhatsApp: async () => true, close: async () => undefined, logout: async () => undefined };

const waitFor = async <T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!isDone(value)) {
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }

  return value;
};

type RecordedHooks = SessionManagerHooks & {
  /** Alerts of this number only: numbers of earlier tests stay in the database and may be opened too. */
  onlyNumberId?: string;
  inbound: InboundMessage[];
  failures: { messageId: string; reason: string }[];
  alerts: string[];
};

const recordingHooks = (): RecordedHooks => {
  const hooks: RecordedHooks = {
    inbound: [],
    failures: [],
    alerts: [],
    onInbound: async (_context, message) => {
      hooks.inbound.push(message);
    },
    onSendFailed: async (message, reason) => {
      hooks.failures.push({ messageId: message.id, reason });
    },
    onNumberAlert: async (context, kind) => {
      if (hooks.onlyNumberId === undefined || context.numberId === hooks.onlyNumberId) hooks.alerts.push(kind);
    },
  };

  return hooks;
};

describe.each(TEST_BACKENDS)('WhatsApp session manager on %s', (backend) => {
  let testDatabase: TestDatabase;
  let simulator: RunningSimulator;
  let providers: Map<ProviderKind, WhatsAppProvider>;
  const managers: SessionManager[] = [];
  let numberCounter = 0;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    simulator = await startSimulator({ deliveredAfterMs: 20, readAfterMs: 60 });
    providers = new Map([['simulator', createSimulatorProvider({ simulatorUrl: simulator.url })]]);
    await testDatabase.database.query("insert into accounts (id, name) values ('acc_sessions', 'Sessions')");
  });

  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.stop();
  });

  afterAll(async () => {
    await simulator?.close();
    await testDatabase?.close();
  });

  const startManager = async (hooks: SessionManagerHooks = recordingHooks(), overrides: Partial<ConstructorParameters<typeof SessionManager>[0]> = {}) => {
    const manager = new SessionManager({
      database: testDatabase.database,
      keyring,
      logger: silentLogger,
      providers,
      hooks,
      pacing: buildPacingPolicy({ minimumSeconds: 0, maximumSeconds: 0 }),
      tickMilliseconds: 200,
      leaseSeconds: 3,
      ...overrides,
    });
    managers.push(manager);
    await manager.start();

    return manager;
  };

  const createNumber = async () => {
    const id = `num_test_${backend}_${++numberCounter}`;
    const phone = `+1555020${String(numberCounter).padStart(4, '0')}`;
    await testDatabase.database.query(
      "insert into whatsapp_numbers (id, account_id, provider, phone, status, wake_at) values ($1, 'acc_sessions', 'simulator', $2, 'pending_link', now())",
      [id, phone],
    );

    return { id, phone };
  };

  const numberStatus = async (id: string) =>
    (await testDatabase.database.query<{ status: string }>('select status from whatsapp_numbers where id = $1', [id]))[0]?.status;

  const queueMessage = async (numberId: string, to: string, text: string) => {
    const id = `msg_test_${randomBytes(6).toString('hex')}`;
    await testDatabase.database.query(
      `insert into messages (id, account_id, number_id, direction, kind, text, status, customer_phone, send_after)
       values ($1, 'acc_sessions', $2, 'outbound', 'confirmation', $3, 'queued', $4, now())`,
      [id, numberId, text, to],
    );
    await testDatabase.database.query("select pg_notify('akked_outbox', $1)", [numberId]);

    return id;
  };

  const messageRow = async (id: string) =>
    (await testDatabase.database.query<{ status: string; error: string | null; attempts: number; provider_message_id: string | null }>(
      'select status, error, attempts, provider_message_id from messages where id = $1',
      [id],
    ))[0];

  const delivered = async (to: string) => {
    const response = await fetch(`${simulator.url}/control/messages?to=${encodeURIComponent(to)}`);

    return ((await response.json()) as { messages: { id: string; text: string; from: string }[] }).messages;
  };

  it('links a simulator number by itself and records the status history', async () => {
    const number = await createNumber();
    await startManager();
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    const history = await testDatabase.database.query<{ status: string }>('select status from whatsapp_number_events where number_id = $1 order by at', [number.id]);
    expect(history.map((event) => event.status)).toContain('connected');
    const [lease] = await testDatabase.database.query<{ fencing_token: string }>('select fencing_token from whatsapp_leases where number_id = $1', [number.id]);
    expect(Number(lease?.fencing_token)).toBeGreaterThanOrEqual(1);
  });

  it('sends a queued message once and follows it to delivered and read', async () => {
    const number = await createNumber();
    await startManager();
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    const messageId = await queueMessage(number.id, '+966551230001', 'هل تؤكد طلبك؟');
    const row = await waitFor(() => messageRow(messageId), (message) => message?.status === 'read');
    expect(row?.provider_message_id).toEqual(expect.any(String));
    const received = await delivered('+966551230001');
    expect(received.filter((message) => message.text === 'هل تؤكد طلبك؟')).toHaveLength(1);
    expect(received[0]?.from).toBe(number.phone);
  });

  it('sends every message queued while it was sending, without waiting for the next tick', async () => {
    const number = await createNumber();
    await startManager(recordingHooks(), { tickMilliseconds: 60_000 });
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    const messageIds: string[] = [];
    for (let index = 0; index < 6; index++) messageIds.push(await queueMessage(number.id, '+966551230010', `message ${index}`));
    await waitFor(
      () => Promise.all(messageIds.map(messageRow)),
      (rows) => rows.every((row) => row?.status === 'sent' || row?.status === 'delivered' || row?.status === 'read'),
      10_000,
    );
    const received = await delivered('+966551230010');
    expect(received.map((message) => message.text).sort()).toEqual(messageIds.map((_, index) => `message ${index}`));
  });

  it('passes customer replies to the confirmation flow', async () => {
    const hooks = recordingHooks();
    const number = await createNumber();
    hooks.onlyNumberId = number.id;
    await startManager(hooks);
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    await fetch(`${simulator.url}/control/reply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '+212612340002', to: number.phone, text: '١' }) });
    await waitFor(async () => hooks.inbound.length, (count) => count >= 1);
    expect(hooks.inbound[0]).toMatchObject({ from: '+212612340002', text: '١' });
  });

  it('never retries a 463 cold-contact refusal and reports it once', async () => {
    const hooks = recordingHooks();
    const number = await createNumber();
    hooks.onlyNumberId = number.id;
    await startManager(hooks);
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    await fetch(`${simulator.url}/control/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '+201012340003', mode: 'reach_out_restricted' }) });
    const messageId = await queueMessage(number.id, '+201012340003', 'Confirm?');
    const row = await waitFor(() => messageRow(messageId), (message) => message?.status === 'failed');
    expect(row).toMatchObject({ error: 'reach_out_restricted', attempts: 1 });
    expect(hooks.failures).toEqual([{ messageId, reason: 'reach_out_restricted' }]);
  });

  it('records the provider id when it claims a message, so a receipt finds it even when the server ack is lost', async () => {
    const number = await createNumber();
    const sends: { providerMessageId: string | undefined; recorded: string | null | undefined }[] = [];
    // A provider that chooses its ids (like linked devices) whose server ack never comes, while
    // the customer's phone reports the message delivered.
    const lostAck: WhatsAppProvider = {
      kind: 'simulator',
      holdsConnection: true,
      connect: async ({ numberId, events }) => {
        // Numbers of earlier tests are opened too: they get a session that says nothing.
        if (numberId !== number.id) return QUIET_SESSION;
        setTimeout(() => events.onConnected({ phone: number.phone }), 0);

        return {
          providerMessageIdFor: (messageId) => `3EB0${messageId.slice(-6).toUpperCase()}`,
          send: async ({ messageId, providerMessageId }) => {
            sends.push({ providerMessageId, recorded: (await messageRow(messageId))?.provider_message_id });
            events.onReceipt({ providerMessageId: providerMessageId ?? '', status: 'delivered', at: new Date() });
            await new Promise((resolve) => setTimeout(resolve, 150));
            throw new AppError('upstream_unavailable', { message: 'no server ack', retryable: true, details: { reason: 'no_server_ack' } });
          },
          checkOnWhatsApp: async () => true,
          close: async () => undefined,
          logout: async () => undefined,
        };
      },
    };
    await startManager(recordingHooks(), { providers: new Map([['simulator', lostAck]]) });
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    const messageId = await queueMessage(number.id, '+966551230021', 'Confirm?');
    const expectedId = `3EB0${messageId.slice(-6).toUpperCase()}`;
    const row = await waitFor(() => messageRow(messageId), (message) => message?.status === 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await messageRow(messageId)).toEqual({ ...row, status: 'delivered', attempts: 1, provider_message_id: expectedId });
    expect(sends).toEqual([{ providerMessageId: expectedId, recorded: expectedId }]);
  });

  /** A provider whose sessions connect at once and end the way the test says, counting connects. */
  const scriptedProvider = (onConnect: (events: SessionEvents, attempt: number) => void, onlyNumberId?: string) => {
    const connects: number[] = [];
    const provider: WhatsAppProvider = {
      kind: 'simulator',
      holdsConnection: true,
      connect: async ({ numberId, events }) => {
        // Numbers of earlier tests may be opened too: they get a session that says nothing.
        if (onlyNumberId !== undefined && numberId !== onlyNumberId) return QUIET_SESSION;
        connects.push(Date.now());
        const attempt = connects.length;
        setTimeout(() => onConnect(events, attempt), 0);

        return { send: async () => ({ providerMessageId: 'never' }), checkOnWhatsApp: async () => true, close: async () => undefined, logout: async () => undefined };
      },
    };

    return { provider, connects };
  };

  const statusAndReason = async (id: string) =>
    (await testDatabase.database.query<{ status: string; status_reason: string | null; connect_paused_until: Date | null }>(
      'select status, status_reason, connect_paused_until from whatsapp_numbers where id = $1',
      [id],
    ))[0];

  it('waits out a temporary ban (402) until it ends, even with a message due, then connects again', async () => {
    const hooks = recordingHooks();
    const number = await createNumber();
    hooks.onlyNumberId = number.id;
    const until = new Date(Date.now() + 2_500);
    const { provider, connects } = scriptedProvider((events, attempt) => {
      events.onConnected({ phone: number.phone });
      if (attempt === 1) setTimeout(() => events.onDisconnected('temporarily_banned', '402 Connection Failure', { until }), 50);
    }, number.id);
    await startManager(hooks, { providers: new Map([['simulator', provider]]) });
    await waitFor(async () => (await statusAndReason(number.id))?.status, (status) => status === 'disconnected');
    expect(await statusAndReason(number.id)).toEqual({ status: 'disconnected', status_reason: `temporarily_banned until ${until.toISOString()}`, connect_paused_until: until });
    expect(hooks.alerts).toEqual(['restricted']);
    await queueMessage(number.id, '+966551230031', 'Confirm?');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(connects).toHaveLength(1);
    await waitFor(async () => connects.length, (count) => count === 2, 10_000);
    expect(connects[1]).toBeGreaterThanOrEqual(until.getTime());
  });

  it('asks for a new link when WhatsApp locked the account (403): keys deleted, logged_out, one alert, no reconnect', async () => {
    const hooks = recordingHooks();
    const number = await createNumber();
    hooks.onlyNumberId = number.id;
    await testDatabase.database.query("insert into whatsapp_auth_keys (number_id, type, key_id, envelope) values ($1, 'creds', '', 'v1.x.y.z.w')", [number.id]);
    const { provider, connects } = scriptedProvider((events) => {
      events.onConnected({ phone: number.phone });
      setTimeout(() => events.onDisconnected('device_locked', '403 Connection Failure'), 50);
    }, number.id);
    await startManager(hooks, { providers: new Map([['simulator', provider]]) });
    await waitFor(() => numberStatus(number.id), (status) => status === 'logged_out');
    expect((await statusAndReason(number.id))?.status_reason).toMatch(/^device_locked: /);
    expect(await testDatabase.database.query('select 1 from whatsapp_auth_keys where number_id = $1', [number.id])).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(hooks.alerts).toEqual(['logged_out']);
    expect(connects).toHaveLength(1);
  });

  it('stops writing first from a number WhatsApp restricts (463), routes its confirmations as reach_out_restricted without sending them, and keeps answering customers', async () => {
    const hooks = recordingHooks();
    const number = await createNumber();
    hooks.onlyNumberId = number.id;
    const sent: string[] = [];
    let restrict: (restriction: { until: Date | null; reason: string }) => void = () => undefined;
    const provider: WhatsAppProvider = {
      kind: 'simulator',
      holdsConnection: true,
      connect: async ({ numberId, events }) => {
        // Numbers of earlier tests are opened too: they get a session that says nothing.
        if (numberId !== number.id) return QUIET_SESSION;
        restrict = (restriction) => events.onRestricted?.(restriction);
        setTimeout(() => events.onConnected({ phone: number.phone }), 0);

        return {
          send: async ({ messageId }) => {
            sent.push(messageId);

            return { providerMessageId: `wa_${messageId}` };
          },
          checkOnWhatsApp: async () => true,
          close: async () => undefined,
          logout: async () => undefined,
        };
      },
    };
    await startManager(hooks, { providers: new Map([['simulator', provider]]) });
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    const before = Date.now();
    restrict({ until: null, reason: 'reach_out_restricted: WhatsApp refused a first message (463)' });
    const paused = async () =>
      (await testDatabase.database.query<{ until: Date | null; reason: string | null }>('select first_contact_paused_until as until, first_contact_pause_reason as reason from whatsapp_numbers where id = $1', [number.id]))[0];
    const first = await waitFor(paused, (row) => row?.until !== null && row?.until !== undefined);
    expect(first?.until?.getTime()).toBeGreaterThanOrEqual(before + 6 * 3_600_000 - 1_000);
    // WhatsApp then says when the timelock ends: that replaces the guess.
    const ends = new Date(Date.now() + 2 * 3_600_000);
    restrict({ until: ends, reason: 'reach_out_timelock BIZ_QUALITY' });
    await waitFor(paused, (row) => row?.until?.getTime() === ends.getTime());
    expect((await paused())?.reason).toBe('reach_out_timelock BIZ_QUALITY');
    const confirmation = await queueMessage(number.id, '+966551230041', 'Confirm?');
    const failed = await waitFor(() => messageRow(confirmation), (row) => row?.status === 'failed');
    expect(failed?.error).toBe('reach_out_restricted');
    expect(hooks.failures).toEqual([{ messageId: confirmation, reason: 'reach_out_restricted' }]);
    // A thank-you in a chat the customer started is not a first contact.
    const thanks = `msg_test_${randomBytes(6).toString('hex')}`;
    await testDatabase.database.query(
      `insert into messages (id, account_id, number_id, direction, kind, text, status, customer_phone, send_after)
       values ($1, 'acc_sessions', $2, 'outbound', 'confirmed', 'Thank you', 'queued', '+966551230042', now())`,
      [thanks, number.id],
    );
    await testDatabase.database.query("select pg_notify('akked_outbox', $1)", [number.id]);
    await waitFor(() => messageRow(thanks), (row) => row?.status === 'sent');
    expect(sent).toEqual([thanks]);
    expect(hooks.alerts).toEqual(['restricted']);
  });

  it('sends to the phone WhatsApp knows the customer by, and keeps it on the order for the replies and later messages', async () => {
    const number = await createNumber();
    const sent: string[] = [];
    const provider: WhatsAppProvider = {
      kind: 'simulator',
      holdsConnection: true,
      connect: async ({ numberId, events }) => {
        // Numbers of earlier tests are opened too: they get a session that says nothing.
        if (numberId !== number.id) return QUIET_SESSION;
        setTimeout(() => events.onConnected({ phone: number.phone }), 0);

        return {
          send: async ({ messageId, to }) => {
            sent.push(to);

            return { providerMessageId: `wa_${messageId}` };
          },
          checkOnWhatsApp: async () => true,
          // What onWhatsApp answers for a Mexican mobile written with the old 1 after 52.
          lookUpOnWhatsApp: async (phone) => ({ exists: true, phone: phone.replace(/^\+521/, '+52') }),
          close: async () => undefined,
          logout: async () => undefined,
        };
      },
    };
    await testDatabase.database.query("insert into stores (id, account_id, platform, name, whatsapp_number_id) values ($1, 'acc_sessions', 'generic', 'Mexico', $2)", [`sto_${number.id}`, number.id]);
    await testDatabase.database.query(
      `insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod, customer_phone)
       values ($1, 'acc_sessions', $2, 'generic', '1', '#1', 'AKMX0001', 'queued', now(), 'MXN', '10.00', true, '+5215512345678')`,
      [`ord_${number.id}`, `sto_${number.id}`],
    );
    await startManager(recordingHooks(), { providers: new Map([['simulator', provider]]) });
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    const messageId = `msg_test_${randomBytes(6).toString('hex')}`;
    await testDatabase.database.query(
      `insert into messages (id, account_id, order_id, number_id, direction, kind, text, status, customer_phone, send_after)
       values ($1, 'acc_sessions', $2, $3, 'outbound', 'confirmation', 'Confirm?', 'queued', '+5215512345678', now())`,
      [messageId, `ord_${number.id}`, number.id],
    );
    await testDatabase.database.query("select pg_notify('akked_outbox', $1)", [number.id]);
    await waitFor(() => messageRow(messageId), (row) => row?.status === 'sent');
    expect(sent).toEqual(['+525512345678']);
    const [order] = await testDatabase.database.query<{ customer_phone: string; whatsapp_phone: string | null }>('select customer_phone, whatsapp_phone from orders where id = $1', [`ord_${number.id}`]);
    expect(order).toEqual({ customer_phone: '+5215512345678', whatsapp_phone: '+525512345678' });
    const [message] = await testDatabase.database.query<{ customer_phone: string }>('select customer_phone from messages where id = $1', [messageId]);
    expect(message?.customer_phone).toBe('+525512345678');
    // Decided: the order no longer keeps its number awake for the tests that follow.
    await testDatabase.database.query("update orders set status = 'confirmed' where id = $1", [`ord_${number.id}`]);
  });

  it('closes a connection that opens after its number was closed, so no stale connection of ours meets the next one', async () => {
    const number = await createNumber();
    const pendingConnects: (() => void)[] = [];
    let isHeld = true;
    const closed: number[] = [];
    const slowProvider: WhatsAppProvider = {
      kind: 'simulator',
      holdsConnection: true,
      connect: async () => {
        const attempt = pendingConnects.length + 1;
        if (isHeld) await new Promise<void>((resolve) => pendingConnects.push(resolve));

        return { send: async () => ({ providerMessageId: 'never' }), checkOnWhatsApp: async () => true, close: async () => void closed.push(attempt), logout: async () => undefined };
      },
    };
    // start() runs the first tick, which waits for the connection.
    const starting = startManager(recordingHooks(), { providers: new Map([['simulator', slowProvider]]) });
    await waitFor(async () => pendingConnects.length, (count) => count === 1);
    const manager = managers.at(-1);
    await manager?.closeNow(number.id);
    isHeld = false;
    pendingConnects[0]?.();
    // The connection that opened after the close is closed at once.
    await waitFor(async () => closed, (list) => list.includes(1));
    await starting;
  });

  it('lets go of a number whose lease it lost without an alert or a status change', async () => {
    const hooks = recordingHooks();
    const number = await createNumber();
    hooks.onlyNumberId = number.id;
    const { provider } = scriptedProvider((events, attempt) => {
      events.onConnected({ phone: number.phone });
      if (attempt === 1) setTimeout(() => events.onDisconnected('lease_lost', 'the lease of this number was taken over by another worker'), 50);
    }, number.id);
    await startManager(hooks, { providers: new Map([['simulator', provider]]) });
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hooks.alerts).toEqual([]);
    expect(await statusAndReason(number.id)).toMatchObject({ status: 'connected', connect_paused_until: null });
  });

  it('does not send a confirmation to a phone without WhatsApp', async () => {
    const hooks = recordingHooks();
    const number = await createNumber();
    hooks.onlyNumberId = number.id;
    await startManager(hooks);
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    await fetch(`${simulator.url}/control/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '+201012340009', mode: 'not_on_whatsapp' }) });
    const messageId = await queueMessage(number.id, '+201012340009', 'Confirm?');
    await waitFor(() => messageRow(messageId), (message) => message?.status === 'failed');
    expect(hooks.failures).toEqual([{ messageId, reason: 'not_on_whatsapp' }]);
    expect(await delivered('+201012340009')).toEqual([]);
  });

  it('spreads numbers over three workers', async () => {
    const numbers: { id: string; phone: string }[] = [];
    for (let index = 0; index < 6; index++) numbers.push(await createNumber());
    const created = await Promise.all([startManager(), startManager(), startManager()]);
    await waitFor(
      async () => created.map((manager) => manager.liveNumberIds.filter((id) => numbers.some((number) => number.id === id)).length),
      (counts) => counts.reduce((sum, count) => sum + count, 0) === 6 && counts.every((count) => count >= 1),
      20_000,
    );
  });

  it('paces sends from one number with the configured gap', async () => {
    const number = await createNumber();
    await startManager(recordingHooks(), { pacing: { gap: { minimumSeconds: 0.4, maximumSeconds: 0.4 }, dailyCap: null, warmUp: null } });
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    const first = await queueMessage(number.id, '+966551230004', 'one');
    const second = await queueMessage(number.id, '+966551230004', 'two');
    await waitFor(() => messageRow(second), (message) => message?.status !== 'queued' && message?.status !== 'sending');
    const rows = await testDatabase.database.query<{ id: string; sent_at: Date }>('select id, sent_at from messages where id = any($1::text[]) order by sent_at', [[first, second]]);
    const gap = (rows[1]?.sent_at.getTime() ?? 0) - (rows[0]?.sent_at.getTime() ?? 0);
    expect(gap).toBeGreaterThanOrEqual(350);
  });

  it('stops at the daily cap and moves the rest to the next day', async () => {
    const number = await createNumber();
    await startManager(recordingHooks(), { pacing: { gap: { minimumSeconds: 0, maximumSeconds: 0 }, dailyCap: 1, warmUp: null } });
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    const first = await queueMessage(number.id, '+966551230007', 'first of the day');
    await waitFor(() => messageRow(first), (message) => message?.status === 'read');
    const second = await queueMessage(number.id, '+966551230007', 'over the cap');
    const [deferred] = await waitFor(
      () => testDatabase.database.query<{ send_after: Date; status: string }>('select send_after, status from messages where id = $1', [second]),
      (rows) => (rows[0]?.send_after.getTime() ?? 0) > Date.now() + 60_000,
    );
    expect(deferred?.status).toBe('queued');
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    expect(deferred?.send_after.getTime()).toBe(tomorrow.getTime());
  });

  it('marks a logged-out number, deletes its keys and alerts the merchant, without reconnecting', async () => {
    const hooks = recordingHooks();
    const number = await createNumber();
    hooks.onlyNumberId = number.id;
    await testDatabase.database.query("insert into whatsapp_auth_keys (number_id, type, key_id, envelope) values ($1, 'creds', '', 'v1.x.y.z.w')", [number.id]);
    await startManager(hooks);
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    await fetch(`${simulator.url}/control/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: number.phone, mode: 'logout' }) });
    await waitFor(() => numberStatus(number.id), (status) => status === 'logged_out');
    expect(await testDatabase.database.query('select 1 from whatsapp_auth_keys where number_id = $1', [number.id])).toEqual([]);
    expect(hooks.alerts).toEqual(['logged_out']);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await numberStatus(number.id)).toBe('logged_out');
  });

  it('shows a number whose settings the provider refuses as disconnected with the reason, alerts once, and does not retry every few seconds', async () => {
    const hooks = recordingHooks();
    let attempts = 0;
    const refusingCloud: WhatsAppProvider = {
      kind: 'cloud',
      holdsConnection: false,
      connect: async () => {
        attempts++;
        throw new AppError('bad_request', { message: 'Cloud API settings are missing or invalid: accessToken' });
      },
    };
    const id = `num_test_${backend}_cloud_${++numberCounter}`;
    await testDatabase.database.query(
      "insert into whatsapp_numbers (id, account_id, provider, phone, status, wake_at) values ($1, 'acc_sessions', 'cloud', '+15550209999', 'connected', now())",
      [id],
    );
    await queueMessage(id, '+15550301234', 'please confirm');
    await startManager(hooks, { providers: new Map([...providers, ['cloud', refusingCloud]]) });
    await waitFor(() => numberStatus(id), (status) => status === 'disconnected');
    const [row] = await testDatabase.database.query<{ status_reason: string }>('select status_reason from whatsapp_numbers where id = $1', [id]);
    expect(row?.status_reason).toBe('settings refused: Cloud API settings are missing or invalid: accessToken');
    // Connection losses back off from 1 s; refused settings wait minutes, and nobody else takes the number meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(attempts).toBe(1);
    expect(hooks.alerts).toEqual(['disconnected']);
    await testDatabase.database.query('delete from messages where number_id = $1', [id]);
  });

  it('asks WhatsApp for one pairing code however often it is requested, and shares it until the phone changes', async () => {
    const asked: string[] = [];
    const linkingProvider: WhatsAppProvider = {
      kind: 'linked',
      holdsConnection: true,
      connect: async () => ({
        send: async () => {
          throw new AppError('upstream_unavailable', { message: 'not linked' });
        },
        checkOnWhatsApp: async () => null,
        // WhatsApp takes a while to issue a code; every request issues a new one.
        requestPairingCode: async (phone) => {
          asked.push(phone);
          await new Promise((resolve) => setTimeout(resolve, 300));

          return `CODE${asked.length}`;
        },
        close: async () => undefined,
        logout: async () => undefined,
      }),
    };
    const id = `num_test_${backend}_pairing_${++numberCounter}`;
    await testDatabase.database.query("insert into whatsapp_numbers (id, account_id, provider, status, wake_at) values ($1, 'acc_sessions', 'linked', 'pending_link', now())", [id]);
    const manager = await startManager(recordingHooks(), { providers: new Map([...providers, ['linked', linkingProvider]]) });
    await waitFor(() => manager.requestPairingCode(id, '966500000013').catch(() => null), (code) => code !== null);
    const again = await Promise.all([manager.requestPairingCode(id, '966500000013'), manager.requestPairingCode(id, '966500000013')]);
    // The API also re-asks through NOTIFY while it waits for the stored code.
    await testDatabase.database.query(`select pg_notify('${PAIRING_CHANNEL}', $1)`, [JSON.stringify({ numberId: id, phone: '966500000013' })]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(again).toEqual(['CODE1', 'CODE1']);
    expect(asked).toEqual(['966500000013']);
    expect(await manager.requestPairingCode(id, '966500000014')).toBe('CODE2');
    expect(asked).toEqual(['966500000013', '966500000014']);
    await testDatabase.database.query('delete from whatsapp_numbers where id = $1', [id]);
  });

  it('restarts the warm-up of a number when another phone links under it, and keeps it for the same phone', async () => {
    const linkedPhone = '+15550888888';
    // A linked device that links at once and reports the phone WhatsApp linked it to.
    const linkingProvider: WhatsAppProvider = {
      kind: 'linked',
      holdsConnection: true,
      connect: async ({ events }) => {
        setTimeout(() => events.onConnected({ phone: linkedPhone }), 10);

        return {
          send: async () => {
            throw new AppError('upstream_unavailable', { message: 'not used' });
          },
          checkOnWhatsApp: async () => null,
          close: async () => undefined,
          logout: async () => undefined,
        };
      },
    };
    const ids = { same: `num_test_${backend}_warm_${++numberCounter}`, other: `num_test_${backend}_warm_${++numberCounter}` };
    for (const [id, phone] of [[ids.same, linkedPhone], [ids.other, '+15550777777']]) {
      await testDatabase.database.query(
        "insert into whatsapp_numbers (id, account_id, provider, phone, status, wake_at, linked_at) values ($1, 'acc_sessions', 'linked', $2, 'pending_link', now(), now() - interval '30 days')",
        [id, phone],
      );
    }
    await startManager(recordingHooks(), { providers: new Map([...providers, ['linked', linkingProvider]]) });
    await waitFor(() => numberStatus(ids.same), (status) => status === 'connected');
    await waitFor(() => numberStatus(ids.other), (status) => status === 'connected');
    const rows = await testDatabase.database.query<{ id: string; phone: string; days: number }>(
      'select id, phone, extract(epoch from (now() - linked_at)) / 86400 as days from whatsapp_numbers where id = any($1::text[])',
      [[ids.same, ids.other]],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(Number(byId.get(ids.same)?.days)).toBeGreaterThan(29);
    expect(Number(byId.get(ids.other)?.days)).toBeLessThan(1);
    expect(byId.get(ids.other)?.phone).toBe(linkedPhone);
    await testDatabase.database.query('delete from whatsapp_numbers where id = any($1::text[])', [[ids.same, ids.other]]);
  });

  it('hibernates an idle number and wakes it when a message is queued', async () => {
    const number = await createNumber();
    const manager = await startManager(recordingHooks(), { idleMilliseconds: 300 });
    await waitFor(() => numberStatus(number.id), (status) => status === 'hibernated');
    expect(manager.liveNumberIds).not.toContain(number.id);
    const [row] = await testDatabase.database.query<{ wake_at: Date }>('select wake_at from whatsapp_numbers where id = $1', [number.id]);
    expect(row?.wake_at.getTime()).toBeGreaterThan(Date.now() + 19 * 3_600_000);
    const messageId = await queueMessage(number.id, '+966551230005', 'wake up');
    await waitFor(() => messageRow(messageId), (message) => message?.status === 'sent' || message?.status === 'delivered' || message?.status === 'read');
  });

  it('opens a hibernated number as soon as a message is queued for it, without waiting for the tick interval', async () => {
    const number = await createNumber();
    await testDatabase.database.query("update whatsapp_numbers set status = 'hibernated', wake_at = now() + interval '20 hours', linked_at = now() - interval '30 days' where id = $1", [number.id]);
    const manager = await startManager(recordingHooks(), { tickMilliseconds: 60_000 });
    expect(manager.liveNumberIds).not.toContain(number.id);
    const messageId = await queueMessage(number.id, '+966551230011', 'woken by its message');
    await waitFor(() => messageRow(messageId), (message) => message?.status === 'sent' || message?.status === 'delivered' || message?.status === 'read', 10_000);
    expect(manager.liveNumberIds).toContain(number.id);
  });

  it('takes over the numbers of a worker that died, with a higher fencing token, sending nothing twice', async () => {
    const number = await createNumber();
    const first = await startManager(recordingHooks(), { leaseSeconds: 2 });
    await waitFor(() => numberStatus(number.id), (status) => status === 'connected');
    const [before] = await testDatabase.database.query<{ fencing_token: string; owner_id: string }>('select fencing_token, owner_id from whatsapp_leases where number_id = $1', [number.id]);
    const sentBefore = await queueMessage(number.id, '+966551230006', 'before the crash');
    await waitFor(() => messageRow(sentBefore), (message) => message?.status === 'read');
    // The first worker freezes (as if killed): no more ticks, no listeners, no release; its lease runs out.
    const frozen = first as unknown as { tickTimer: NodeJS.Timeout; stopListeners: (() => Promise<void>)[] };
    clearInterval(frozen.tickTimer);
    for (const stop of frozen.stopListeners.splice(0)) await stop();
    const metrics = createMetrics();
    const second = await startManager(recordingHooks(), { leaseSeconds: 2, metrics });
    const sentAfter = await queueMessage(number.id, '+966551230006', 'after the takeover');
    const [after] = await waitFor(
      () => testDatabase.database.query<{ fencing_token: string; owner_id: string }>('select fencing_token, owner_id from whatsapp_leases where number_id = $1', [number.id]),
      (rows) => rows[0]?.owner_id === second.workerId,
    );
    expect(Number(after?.fencing_token)).toBeGreaterThan(Number(before?.fencing_token));
    await waitFor(() => messageRow(sentAfter), (message) => message?.status === 'read');
    const received = await delivered('+966551230006');
    expect(received.map((message) => message.text)).toEqual(['before the crash', 'after the takeover']);
    expect((await metrics.leaseTakeovers.get()).values[0]?.value).toBe(1);
    expect((await metrics.messages.get()).values).toEqual([expect.objectContaining({ labels: { kind: 'confirmation', outcome: 'sent', reason: 'none' }, value: 1 })]);
  });
});

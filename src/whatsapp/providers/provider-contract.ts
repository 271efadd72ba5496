import { createHook } from 'node:async_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import type {
  DisconnectReason,
  InboundMessage,
  Receipt,
  SessionEvents,
  WhatsAppProvider,
  WhatsAppSession,
} from '../provider.ts';

/**
 * The behaviour every WhatsApp provider owes the session manager (provider.ts, DESIGN.md §2),
 * written once and run against each provider with a network it can script: the simulator, or a
 * fake of a vendor's API. Tests a network cannot script (a provider that holds no connection has
 * nothing to replace or drop) are skipped, not passed.
 */

export type NetworkMessage = { id: string; from: string; text: string; status: string };

export type NetworkFailureMode = 'reach_out_restricted' | 'not_on_whatsapp' | 'disconnect' | 'logout';

/** The far side of the provider, as a test drives it. */
export type ContractNetwork = {
  /** A phone number no other test has used, so tests share no state. */
  allocatePhone(): string;
  /** Provider settings stored with a number of that phone (`ConnectOptions.settings`). */
  settingsFor?(phone: string): Record<string, unknown>;
  /** A customer at `from` writes to the merchant's number `to`. */
  replyFromCustomer(message: { from: string; to: string; text: string }): Promise<void>;
  /** What the network delivered to `phone`, oldest first. */
  listMessagesTo(phone: string): Promise<NetworkMessage[]>;
  setFailureMode?(phone: string, mode: NetworkFailureMode): Promise<void>;
};

export type ProviderUnderTest = {
  provider: WhatsAppProvider;
  network: ContractNetwork;
  close(): Promise<void>;
};

type RecordedEvent =
  | { type: 'qr' }
  | { type: 'connected'; phone: string | null }
  | { type: 'disconnected'; reason: DisconnectReason; detail: string }
  | { type: 'receipt'; receipt: Receipt }
  | { type: 'inbound'; message: InboundMessage };

const WAIT_TIMEOUT_MS = 5_000;
const POLL_INTERVAL_MS = 5;
/** Long enough for the network's own receipt timers to fire, far shorter than any leaked timeout. */
const HANDLES_TIMEOUT_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value other than undefined; fails with `description` after the timeout. */
export const waitFor = async <T>(
  description: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = WAIT_TIMEOUT_MS,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${description}`);
    await sleep(POLL_INTERVAL_MS);
  }
};

export const recordSessionEvents = () => {
  const recorded: RecordedEvent[] = [];
  const events: SessionEvents = {
    onQr: () => recorded.push({ type: 'qr' }),
    onConnected: (info) => recorded.push({ type: 'connected', phone: info.phone }),
    onDisconnected: (reason, detail) => recorded.push({ type: 'disconnected', reason, detail }),
    onReceipt: (receipt) => recorded.push({ type: 'receipt', receipt }),
    onInbound: (message) => recorded.push({ type: 'inbound', message }),
  };
  const ofType = <K extends RecordedEvent['type']>(type: K) =>
    recorded.filter((event): event is Extract<RecordedEvent, { type: K }> => event.type === type);

  return {
    events,
    recorded,
    ofType,
    waitForConnected: () => waitFor('onConnected', () => ofType('connected')[0]),
    waitForDisconnected: () => waitFor('onDisconnected', () => ofType('disconnected')[0]),
    waitForInbound: (text: string) =>
      waitFor(`onInbound "${text}"`, () => ofType('inbound').find((event) => event.message.text === text)?.message),
    receiptsFor: (providerMessageId: string) =>
      ofType('receipt')
        .filter((event) => event.receipt.providerMessageId === providerMessageId)
        .map((event) => event.receipt.status),
  };
};

const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject');
};

/**
 * Records the timers and sockets created while `isRecording` is on and forgets each one once it is
 * released, to prove a closed session left none behind (the network's own short timers and its end
 * of the socket are released too, soon after).
 */
const trackNewHandles = () => {
  const live = new Map<number, string>();
  let isRecording = true;
  const hook = createHook({
    init: (asyncId, type) => {
      if (isRecording && TRACKED_HANDLE_TYPES.has(type)) live.set(asyncId, type);
    },
    destroy: (asyncId) => {
      live.delete(asyncId);
    },
  }).enable();

  return {
    stopRecording: () => {
      isRecording = false;
    },
    live: () => [...live.values()],
    disable: () => hook.disable(),
  };
};

const TRACKED_HANDLE_TYPES: ReadonlySet<string> = new Set(['Timeout', 'Immediate', 'TCPWRAP', 'TLSWRAP']);

export const runProviderContractTests = (
  name: string,
  makeProviderAndNetwork: () => Promise<ProviderUnderTest>,
): void => {
  describe(`WhatsApp provider contract: ${name}`, () => {
    let subject: ProviderUnderTest;
    const openSessions: WhatsAppSession[] = [];
    let numberCount = 0;

    beforeAll(async () => {
      subject = await makeProviderAndNetwork();
    });

    afterEach(async () => {
      await Promise.all(openSessions.splice(0).map((session) => session.close()));
    });

    afterAll(async () => {
      await subject.close();
    });

    const connect = async (phone: string) => {
      const recorder = recordSessionEvents();
      numberCount += 1;
      const session = await subject.provider.connect({
        numberId: `num_contract${numberCount}`,
        phone,
        settings: subject.network.settingsFor?.(phone) ?? {},
        events: recorder.events,
      });
      openSessions.push(session);

      return { session, recorder };
    };

    const connectAndWait = async (phone: string) => {
      const connection = await connect(phone);
      await connection.recorder.waitForConnected();

      return connection;
    };

    const holdsConnection = () => subject.provider.holdsConnection;

    it('reports onConnected once the number is online', async () => {
      const phone = subject.network.allocatePhone();
      const { recorder } = await connectAndWait(phone);

      expect(recorder.ofType('connected')).toHaveLength(1);
      expect(recorder.ofType('disconnected')).toHaveLength(0);
    });

    it('resolves a send on the ack, then reports delivered and read receipts in that order', async () => {
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      const { session, recorder } = await connectAndWait(phone);

      const result = await session.send({ messageId: 'msg_contract_receipts', to: customer, text: 'Please confirm order #1001' });

      expect(result.providerMessageId).not.toBe('');
      await waitFor('the read receipt', () => (recorder.receiptsFor(result.providerMessageId).includes('read') ? true : undefined));
      expect(recorder.receiptsFor(result.providerMessageId).filter((status) => status !== 'sent')).toEqual(['delivered', 'read']);
      const delivered = await subject.network.listMessagesTo(customer);
      expect(delivered).toEqual([
        expect.objectContaining({ from: phone, text: 'Please confirm order #1001', status: 'read' }),
      ]);
    });

    it('delivers a message once when the same messageId is sent again, even from a new connection', async () => {
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      const message = { messageId: 'msg_contract_dedupe', to: customer, text: 'Please confirm order #1002' };
      const first = await connectAndWait(phone);

      const [one, two] = await Promise.all([first.session.send(message), first.session.send(message)]);
      const three = await first.session.send(message);
      await first.session.close();
      const second = await connectAndWait(phone);
      const four = await second.session.send(message);

      expect(new Set([one, two, three, four].map((result) => result.providerMessageId)).size).toBe(1);
      const delivered = await subject.network.listMessagesTo(customer);
      expect(delivered.map((entry) => entry.text)).toEqual(['Please confirm order #1002']);
    });

    it("reports a customer's reply with the customer's phone and text", async () => {
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      const { recorder } = await connectAndWait(phone);

      await subject.network.replyFromCustomer({ from: customer, to: phone, text: '1' });

      const inbound = await recorder.waitForInbound('1');
      expect(inbound.from).toBe(customer);
      expect(inbound.providerMessageId).not.toBe('');
      expect(inbound.at).toBeInstanceOf(Date);
    });

    it('delivers replies that arrived while the number was offline after it connects again', async (context) => {
      context.skip(!holdsConnection(), 'the provider holds no connection');
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      const first = await connectAndWait(phone);
      await first.session.close();

      await subject.network.replyFromCustomer({ from: customer, to: phone, text: 'yes please' });
      await sleep(30);
      expect(first.recorder.ofType('inbound')).toHaveLength(0);
      const second = await connect(phone);

      const inbound = await second.recorder.waitForInbound('yes please');
      expect(inbound.from).toBe(customer);
      // onConnected comes first, the queued message after it.
      expect(second.recorder.recorded[0]?.type).toBe('connected');
    });

    it('delivers receipts that fell due while the number was offline after it connects again', async (context) => {
      context.skip(!holdsConnection(), 'the provider holds no connection');
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      const first = await connectAndWait(phone);
      const result = await first.session.send({ messageId: 'msg_contract_offline_receipts', to: customer, text: 'Order #1003' });
      await first.session.close();

      await waitFor('the network to mark the message read', async () =>
        (await subject.network.listMessagesTo(customer)).some((entry) => entry.status === 'read') ? true : undefined,
      );
      const second = await connect(phone);

      await waitFor('the queued read receipt', () =>
        second.recorder.receiptsFor(result.providerMessageId).includes('read') ? true : undefined,
      );
      expect(second.recorder.receiptsFor(result.providerMessageId)).toEqual(['delivered', 'read']);
    });

    it('refuses a cold contact with reach_out_restricted (463) and marks it not retryable', async (context) => {
      const setFailureMode = subject.network.setFailureMode;
      context.skip(setFailureMode === undefined, 'the network cannot script failures');
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      await setFailureMode?.(customer, 'reach_out_restricted');
      const { session } = await connectAndWait(phone);

      const error = await rejectionOf(session.send({ messageId: 'msg_contract_463', to: customer, text: 'Order #1004' }));

      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        code: 'upstream_failed',
        retryable: false,
        details: { reason: 'reach_out_restricted', providerCode: '463' },
      });
      expect(await subject.network.listMessagesTo(customer)).toEqual([]);
    });

    it('refuses a recipient without WhatsApp and says so when the number is checked', async (context) => {
      const setFailureMode = subject.network.setFailureMode;
      context.skip(setFailureMode === undefined, 'the network cannot script failures');
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      const ordinaryCustomer = subject.network.allocatePhone();
      await setFailureMode?.(customer, 'not_on_whatsapp');
      const { session } = await connectAndWait(phone);

      const error = await rejectionOf(session.send({ messageId: 'msg_contract_nowa', to: customer, text: 'Order #1005' }));

      expect(error).toMatchObject({ code: 'upstream_failed', retryable: false, details: { reason: 'not_on_whatsapp' } });
      const checked = await session.checkOnWhatsApp(customer);
      expect(checked === false || checked === null).toBe(true);
      if (checked !== null) expect(await session.checkOnWhatsApp(ordinaryCustomer)).toBe(true);
    });

    it('reports replaced to the first connection when a second one opens for the same phone', async (context) => {
      context.skip(!holdsConnection(), 'the provider holds no connection');
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      const first = await connectAndWait(phone);

      const second = await connectAndWait(phone);

      const disconnected = await first.recorder.waitForDisconnected();
      expect(disconnected.reason).toBe('replaced');
      expect(second.recorder.ofType('disconnected')).toHaveLength(0);
      await expect(second.session.send({ messageId: 'msg_contract_replaced', to: customer, text: 'Order #1006' })).resolves.toEqual({
        providerMessageId: expect.any(String),
      });
      await expect(
        first.session.send({ messageId: 'msg_contract_replaced_old', to: customer, text: 'Order #1006' }),
      ).rejects.toMatchObject({ code: 'upstream_unavailable', retryable: true });
    });

    it('reports logged_out exactly once when the phone unlinks the device', async (context) => {
      const setFailureMode = subject.network.setFailureMode;
      context.skip(setFailureMode === undefined || !holdsConnection(), 'the network cannot log a device out');
      const phone = subject.network.allocatePhone();
      const { recorder } = await connectAndWait(phone);

      await setFailureMode?.(phone, 'logout');

      const disconnected = await recorder.waitForDisconnected();
      expect(disconnected.reason).toBe('logged_out');
      await sleep(30);
      expect(recorder.ofType('disconnected')).toHaveLength(1);
    });

    it('reports connection_lost exactly once when the network drops the connection', async (context) => {
      const setFailureMode = subject.network.setFailureMode;
      context.skip(setFailureMode === undefined || !holdsConnection(), 'the network cannot drop a connection');
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      const { session, recorder } = await connectAndWait(phone);

      await setFailureMode?.(phone, 'disconnect');

      const disconnected = await recorder.waitForDisconnected();
      expect(disconnected.reason).toBe('connection_lost');
      const error = await rejectionOf(session.send({ messageId: 'msg_contract_lost', to: customer, text: 'Order #1007' }));
      expect(error).toMatchObject({ code: 'upstream_unavailable', retryable: true });
      await sleep(30);
      expect(recorder.ofType('disconnected')).toHaveLength(1);
    });

    it('makes no callback after close() and leaves no timer or socket behind', async () => {
      const phone = subject.network.allocatePhone();
      const customer = subject.network.allocatePhone();
      const handles = trackNewHandles();
      try {
        const { session, recorder } = await connectAndWait(phone);
        const inFlight = session.send({ messageId: 'msg_contract_close', to: customer, text: 'Order #1008' }).catch(() => undefined);
        await session.checkOnWhatsApp(customer);

        await session.close();
        handles.stopRecording();
        const eventsAtClose = recorder.recorded.length;
        await inFlight;
        await subject.network.replyFromCustomer({ from: customer, to: phone, text: 'too late' });
        await sleep(100);

        // The only callback close() may make is its own closed_by_us.
        const afterConnected = recorder.recorded.filter((event) => event.type !== 'connected' && event.type !== 'receipt');
        expect(afterConnected.every((event) => event.type === 'disconnected' && event.reason === 'closed_by_us')).toBe(true);
        expect(afterConnected.length).toBeLessThanOrEqual(1);
        expect(recorder.recorded).toHaveLength(eventsAtClose);
        await expect(
          session.send({ messageId: 'msg_contract_after_close', to: customer, text: 'Order #1009' }),
        ).rejects.toMatchObject({ code: 'upstream_unavailable' });
        const released = () => (handles.live().length === 0 ? true : undefined);
        await waitFor('every timer and socket of the session to be released', released, HANDLES_TIMEOUT_MS).catch(() =>
          expect(handles.live()).toEqual([]),
        );
      } finally {
        handles.disable();
      }
    });
  });
};

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WAMessageStatus, type UserFacingSocketConfig, type WAMessage } from 'baileys';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createTestDatabase, type TestDatabase } from '../../../test/harness/database.ts';
import { createKeyring, toMasterKey, type Keyring } from '../../crypto/envelope.ts';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { createLogger, type Logger } from '../../logger.ts';
import { createDatabaseAuthState } from '../linked/auth-state-store.ts';
import { deriveProviderMessageId } from '../linked/linked-events.ts';
import type { DisconnectInfo, DisconnectReason, InboundMessage, Receipt, SessionEvents, WhatsAppProvider, WhatsAppSession } from '../provider.ts';
import { createLinkedProvider, type LinkedProviderOptions, type LinkedSocket } from './linked.ts';

const ACCOUNT_ID = 'acc_linked_provider';
const CUSTOMER_PHONE = '+212612345678';
const CUSTOMER_JID = '212612345678@s.whatsapp.net';
const CUSTOMER_LID = '98765432109876@lid';

const silentLogger = (): Logger =>
  createLogger({
    level: 'info',
    destination: new Writable({
      write: (_chunk, _encoding, callback) => callback(),
    }),
  });

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

const waitFor = async <T>(description: string, check: () => T | undefined): Promise<T> => {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await sleep(5);
  }
};

type Recorded = {
  qr: string[];
  connected: (string | null)[];
  disconnected: { reason: DisconnectReason; detail: string }[];
  receipts: Receipt[];
  inbound: InboundMessage[];
  restrictions: { until: Date | null; reason: string }[];
};

const recordEvents = (): { events: SessionEvents; recorded: Recorded } => {
  const recorded: Recorded = { qr: [], connected: [], disconnected: [], receipts: [], inbound: [], restrictions: [] };

  return {
    recorded,
    events: {
      onQr: (qr) => recorded.qr.push(qr),
      onConnected: ({ phone }) => recorded.connected.push(phone),
      onDisconnected: (reason, detail) => recorded.disconnected.push({ reason, detail }),
      onReceipt: (receipt) => recorded.receipts.push(receipt),
      onInbound: (message) => recorded.inbound.push(message),
      onRestricted: (restriction) => recorded.restrictions.push(restriction),
    },
  };
};

/** A close error as baileys makes it (a Boom). */
const boom = (message: string, statusCode: number): Error => Object.assign(new Error(message), { output: { statusCode } });

/**
 * A stand-in for a baileys socket: the same events (`ev`, and raw stanzas on `ws`) and methods,
 * driven by the test like WhatsApp's servers would drive the real one.
 */
class FakeSocket {
  readonly ev = new EventEmitter();
  readonly ws = new EventEmitter();
  user: { id: string } | undefined;
  readonly sent: { jid: string; content: unknown; options: unknown }[] = [];
  readonly ended: (Error | undefined)[] = [];
  readonly pairingRequests: string[] = [];
  loggedOut = false;
  sendFailure: Error | null = null;
  readonly lidToPhone = new Map<string, string>();

  constructor(readonly config: UserFacingSocketConfig) {
    // Baileys keeps its own error listener on the WebSocket for its whole life.
    this.ws.on('error', () => undefined);
  }

  /** Opens, then delivers the offline backlog (an empty one), as baileys reports it. */
  open(userId = '212600000001:7@s.whatsapp.net'): void {
    this.openWithoutBacklog(userId);
    this.ev.emit('connection.update', { receivedPendingNotifications: true });
  }

  openWithoutBacklog(userId = '212600000001:7@s.whatsapp.net'): void {
    this.user = { id: userId };
    this.ev.emit('connection.update', { connection: 'open' });
  }

  timelockQueries = 0;
  timelockAnswer: { isActive: boolean; timeEnforcementEnds?: Date; enforcementType: string } = { isActive: false, enforcementType: 'DEFAULT' };

  /** socket.js: the mex query, whose answer baileys also emits as connection.update { reachoutTimeLock }. */
  async fetchAccountReachoutTimelock(): Promise<unknown> {
    this.timelockQueries++;
    this.ev.emit('connection.update', { reachoutTimeLock: this.timelockAnswer });

    return this.timelockAnswer;
  }

  close(statusCode: number, message = 'closed'): void {
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: boom(message, statusCode), date: new Date() } });
  }

  serverAck(id: string, error?: string): void {
    this.ws.emit('CB:ack,class:message', { tag: 'ack', attrs: { class: 'message', id, from: CUSTOMER_JID, t: '1777716001', ...(error ? { error } : {}) } });
  }

  async end(error: Error | undefined): Promise<void> {
    this.ended.push(error);
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
  }

  async logout(): Promise<void> {
    this.loggedOut = true;
    await this.end(boom('Intentional Logout', 401));
  }

  async relayMessage(jid: string, content: unknown, options: { messageId?: string }): Promise<string> {
    if (this.sendFailure) throw this.sendFailure;
    this.sent.push({ jid, content, options });

    return options.messageId ?? '';
  }

  async onWhatsApp(jid: string): Promise<{ jid: string; exists: boolean }[]> {
    // A Mexican mobile asked with the old 1 after 52 answers under the phone WhatsApp knows.
    if (jid === '5215512345678@s.whatsapp.net') return [{ jid: '525512345678@s.whatsapp.net', exists: true }];

    return jid === CUSTOMER_JID ? [{ jid, exists: true }] : [];
  }

  async requestPairingCode(phone: string): Promise<string> {
    this.pairingRequests.push(phone);

    return 'K7QX2M9D';
  }

  readonly signalRepository = {
    lidMapping: { getPNForLID: async (lid: string) => this.lidToPhone.get(lid) ?? null },
  };
}

/** Tests have no network: the current WhatsApp Web version cannot be fetched, baileys' pinned one is used. */
const offlineVersion = async () => ({ version: [2, 3000, 1] as [number, number, number], isLatest: false });

const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));

  return port;
};

describe('linked provider', () => {
  let testDatabase: TestDatabase;
  let database: Database;
  let keyring: Keyring;
  let numberId: string;
  let numberCount = 0;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('pglite');
    database = testDatabase.database;
    keyring = createKeyring(toMasterKey(randomBytes(32).toString('base64')));
    await database.query("insert into accounts (id, name) values ($1, 'Linked provider')", [ACCOUNT_ID]);
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  beforeEach(async () => {
    numberId = `num_linked_${++numberCount}`;
    await database.query("insert into whatsapp_numbers (id, account_id, provider, status) values ($1, $2, 'linked', 'pending_link')", [numberId, ACCOUNT_ID]);
  });

  let lastSocket: FakeSocket | undefined;
  const recordedInfo: DisconnectInfo[] = [];
  beforeEach(() => {
    recordedInfo.length = 0;
  });
  const connectFake = async (overrides: Partial<LinkedProviderOptions> = {}, onDisconnected?: (reason: DisconnectReason) => void, reused?: WhatsAppProvider) => {
    lastSocket = undefined;
    const provider =
      reused ??
      createLinkedProvider({
        database,
        keyring,
        logger: silentLogger(),
        socketFactory: (config) => {
          lastSocket = new FakeSocket(config);

          return lastSocket as unknown as LinkedSocket;
        },
        serverAckTimeoutMs: 2_000,
        fetchWaVersion: async () => ({ version: [2, 3000, 1_000_000_001], isLatest: true }),
        ...overrides,
      });
    const { events, recorded } = recordEvents();
    const session = await provider.connect({
      numberId,
      phone: null,
      settings: {},
      events: {
        ...events,
        onDisconnected: (reason, detail, info) => {
          events.onDisconnected(reason, detail);
          recordedInfo.push(info ?? {});
          onDisconnected?.(reason);
        },
      },
    });
    const socket = lastSocket as FakeSocket | undefined;
    if (!socket) throw new Error('the provider created no socket');

    return { provider, session, socket, recorded };
  };

  const authRowCount = async (): Promise<number> =>
    (await database.query('select 1 from whatsapp_auth_keys where number_id = $1', [numberId])).length;

  it('is the linked kind and holds a connection', () => {
    const provider = createLinkedProvider({ database, keyring, logger: silentLogger() });
    expect(provider.kind).toBe('linked');
    expect(provider.holdsConnection).toBe(true);
  });

  it('opens baileys with production options and never syncs or decrypts the merchant’s other chats', async () => {
    const { socket, session } = await connectFake();
    const { config } = socket;
    expect(config.markOnlineOnConnect).toBe(false);
    expect(config.syncFullHistory).toBe(false);
    expect(config.shouldSyncHistoryMessage?.({ syncType: 0 })).toBe(false);
    expect(config.generateHighQualityLinkPreview).toBe(false);
    expect(config.emitOwnEvents).toBe(false);
    expect(config.browser).toEqual(['Akked', 'Chrome', '1.0.0']);
    expect(config.logger?.level).toBe('warn');
    expect(config.shouldIgnoreJid?.('120363025246125888@g.us')).toBe(true);
    expect(config.shouldIgnoreJid?.('status@broadcast')).toBe(true);
    expect(config.shouldIgnoreJid?.(CUSTOMER_JID)).toBe(false);
    expect(config.shouldIgnoreJid?.(CUSTOMER_LID)).toBe(false);
    expect(config.auth.creds.registered).toBe(false);
    await session.close();
  });

  it('reports QR codes, then the connection with the number’s phone', async () => {
    const { socket, recorded, session } = await connectFake();
    socket.ev.emit('connection.update', { connection: 'connecting', qr: undefined });
    socket.ev.emit('connection.update', { qr: '2@abc,def,ghi' });
    socket.open('212600000001:7@s.whatsapp.net');
    expect(recorded.qr).toEqual(['2@abc,def,ghi']);
    expect(recorded.connected).toEqual(['+212600000001']);
    await session.close();
  });

  it.each([
    [401, 'logged_out'],
    [402, 'temporarily_banned'],
    [403, 'device_locked'],
    [405, 'client_outdated'],
    [406, 'banned'],
    [411, 'multidevice_mismatch'],
    [515, 'restart_required'],
    [440, 'replaced'],
    [408, 'connection_lost'],
    [428, 'connection_lost'],
    [500, 'connection_lost'],
    [503, 'connection_lost'],
  ] as const)('reports a close with code %i as %s, once', async (statusCode, reason) => {
    const { socket, recorded } = await connectFake();
    socket.open();
    socket.close(statusCode, 'Stream Errored');
    socket.close(428);
    await waitFor('the disconnect', () => recorded.disconnected[0]);
    await sleep(20);
    expect(recorded.disconnected).toEqual([{ reason, detail: `${statusCode} Stream Errored` }]);
    expect(socket.ev.listenerCount('connection.update')).toBe(0);
  });

  it('reports when a temporary ban ends, from the failure stanza baileys closes with', async () => {
    const { socket, recorded } = await connectFake();
    const before = Date.now();
    // socket.js: ws.on('CB:failure') → end(new Boom('Connection Failure', { statusCode: reason, data: node.attrs })).
    const failure = Object.assign(new Error('Connection Failure'), { output: { statusCode: 402 }, data: { reason: '402', code: '101', expire: '7200' } });
    socket.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: failure, date: new Date() } });
    const disconnect = await waitFor('the disconnect', () => recordedInfo[0]);
    expect(recorded.disconnected[0]?.reason).toBe('temporarily_banned');
    expect(disconnect.until?.getTime()).toBeGreaterThanOrEqual(before + 7_200_000);
    expect(disconnect.until?.getTime()).toBeLessThanOrEqual(Date.now() + 7_200_000);
  });

  it('announces the current WhatsApp Web version, fetched once and cached, and fetches it again after WhatsApp refused one (405)', async () => {
    let fetches = 0;
    const fetchWaVersion = async () => ({ version: [2, 3000, 1_030_000_000 + ++fetches] as [number, number, number], isLatest: true });
    const first = await connectFake({ fetchWaVersion });
    expect(first.socket.config.version).toEqual([2, 3000, 1_030_000_001]);
    first.socket.open();
    first.socket.close(405, 'Connection Failure');
    await waitFor('the disconnect', () => first.recorded.disconnected[0]);
    const second = await connectFake({}, undefined, first.provider);
    expect(second.socket.config.version).toEqual([2, 3000, 1_030_000_002]);
    await second.session.close();
    const third = await connectFake({}, undefined, first.provider);
    expect(third.socket.config.version).toEqual([2, 3000, 1_030_000_002]);
    expect(fetches).toBe(2);
    await third.session.close();
  });

  it('falls back to baileys’ pinned WhatsApp Web version when the current one cannot be fetched', async () => {
    const { socket, session } = await connectFake({ fetchWaVersion: async () => ({ version: [2, 3000, 1], isLatest: false, error: new Error('offline') }) });
    expect(socket.config.version).toBeUndefined();
    await session.close();
  });

  it('saves new creds before reporting the restart that follows pairing', async () => {
    let storedAtDisconnect: Promise<string | undefined> | undefined;
    // Read the database the moment the session manager hears of the restart (it reconnects at once).
    const { socket, recorded } = await connectFake({}, () => {
      storedAtDisconnect = createDatabaseAuthState({ database, keyring, numberId }).then((state) => state.state.creds.me?.id);
    });
    const creds = socket.config.auth.creds;
    // Baileys applies the update to its creds object itself, then emits creds.update.
    Object.assign(creds, { me: { id: '212600000001:9@s.whatsapp.net', name: 'Boutique' }, account: { details: randomBytes(10) }, platform: 'smba' });
    socket.ev.emit('creds.update', { me: creds.me });
    socket.close(515, 'Stream Errored (restart required)');
    await waitFor('the disconnect', () => recorded.disconnected[0]);
    expect(recorded.disconnected[0]?.reason).toBe('restart_required');
    expect(await storedAtDisconnect).toBe('212600000001:9@s.whatsapp.net');
  });

  it('starts a new registration when a pairing code was requested but never completed', async () => {
    const state = await createDatabaseAuthState({ database, keyring, numberId });
    state.state.creds.me = { id: '212600000001@s.whatsapp.net', name: '~' };
    state.state.creds.pairingCode = 'K7QX2M9D';
    await state.saveCreds();
    const { socket, session } = await connectFake();
    expect(socket.config.auth.creds.me).toBeUndefined();
    expect(socket.config.auth.creds.pairingCode).toBeUndefined();
    expect(socket.config.auth.creds.noiseKey.public).toEqual(state.state.creds.noiseKey.public);
    await session.close();
  });

  describe('inbound messages', () => {
    const upsert = (socket: FakeSocket, type: 'notify' | 'append', messages: WAMessage[]) => socket.ev.emit('messages.upsert', { type, messages });
    const text = (key: Partial<WAMessage['key']>, conversation: string): WAMessage => ({
      key: { remoteJid: CUSTOMER_JID, fromMe: false, id: `3A${randomBytes(9).toString('hex').toUpperCase()}`, participant: '', ...key },
      messageTimestamp: 1_777_716_000,
      message: { conversation },
    });

    it('passes on customers’ 1:1 texts, live and delivered after a reconnect, and nothing else', async () => {
      const { socket, recorded, session } = await connectFake();
      socket.open();
      upsert(socket, 'notify', [
        text({ id: 'LIVE1' }, 'نعم'),
        text({ remoteJid: '120363025246125888@g.us', participant: CUSTOMER_JID }, 'group chatter'),
        text({ fromMe: true, id: 'MINE' }, 'the merchant writing'),
        text({ remoteJid: 'status@broadcast', participant: CUSTOMER_JID }, 'a status'),
      ]);
      upsert(socket, 'append', [text({ id: 'OFFLINE1' }, '2')]);
      await waitFor('two inbound messages', () => (recorded.inbound.length === 2 ? true : undefined));
      await sleep(20);
      expect(recorded.inbound).toEqual([
        { providerMessageId: 'LIVE1', from: CUSTOMER_PHONE, text: 'نعم', at: new Date(1_777_716_000_000) },
        { providerMessageId: 'OFFLINE1', from: CUSTOMER_PHONE, text: '2', at: new Date(1_777_716_000_000) },
      ]);
      await session.close();
    });

    it('resolves a LID sender to a phone, from the message or from the mapping store, in order', async () => {
      const { socket, recorded, session } = await connectFake();
      socket.open();
      socket.lidToPhone.set(CUSTOMER_LID, '212612345678:0@s.whatsapp.net');
      upsert(socket, 'notify', [
        text({ id: 'LID1', remoteJid: CUSTOMER_LID, addressingMode: 'lid' }, 'oui'),
        text({ id: 'LID2', remoteJid: CUSTOMER_LID, remoteJidAlt: CUSTOMER_JID, addressingMode: 'lid' }, 'yes'),
        text({ id: 'LID3', remoteJid: '55555555555555@lid', addressingMode: 'lid' }, 'unknown sender'),
      ]);
      await waitFor('two inbound messages', () => (recorded.inbound.length === 2 ? true : undefined));
      await sleep(20);
      expect(recorded.inbound.map((message) => [message.providerMessageId, message.from])).toEqual([
        ['LID1', CUSTOMER_PHONE],
        ['LID2', CUSTOMER_PHONE],
      ]);
      await session.close();
    });
  });

  describe('sending', () => {
    it('sends with the id derived from ours and returns once WhatsApp acknowledged it', async () => {
      const { socket, recorded, session } = await connectFake();
      socket.open();
      const expectedId = deriveProviderMessageId('msg_001');
      const sending = session.send({ messageId: 'msg_001', to: CUSTOMER_PHONE, text: 'Confirm your order https://shop.example/o/1' });
      await waitFor('the stanza', () => socket.sent[0]);
      // What baileys' sendMessage builds for { text, linkPreview: null }: no link preview fetched.
      expect(socket.sent[0]).toMatchObject({
        jid: CUSTOMER_JID,
        content: { extendedTextMessage: { text: 'Confirm your order https://shop.example/o/1' } },
        options: { messageId: expectedId },
      });
      expect(Object.keys((socket.sent[0]?.content ?? {}) as object).sort()).toEqual(['extendedTextMessage', 'messageContextInfo']);
      expect(Object.keys((socket.sent[0]?.content as { extendedTextMessage: object }).extendedTextMessage)).toEqual(['text']);
      socket.serverAck(expectedId);
      expect(await sending).toEqual({ providerMessageId: expectedId });
      // The ack answered the send itself: no separate "sent" receipt.
      expect(recorded.receipts).toEqual([]);
      await session.close();
    });

    it('fails a 463 (reach-out restricted) for good from the raw ack, reports the number restricted, and asks WhatsApp until when', async () => {
      const { socket, recorded, session } = await connectFake();
      socket.open();
      const ends = new Date(Date.now() + 3 * 3_600_000);
      socket.timelockAnswer = { isActive: true, timeEnforcementEnds: ends, enforcementType: 'BIZ_QUALITY' };
      const id = deriveProviderMessageId('msg_cold');
      const sending = session.send({ messageId: 'msg_cold', to: CUSTOMER_PHONE, text: 'Hello' });
      await waitFor('the stanza', () => socket.sent[0]);
      // `<ack error="463">`; baileys' own messages.update with ERROR comes later (after the offline backlog).
      socket.serverAck(id, '463');
      expect(recorded.restrictions).toEqual([
        { until: null, reason: 'reach_out_restricted: WhatsApp refused a first message (463)' },
        { until: ends, reason: 'reach_out_timelock BIZ_QUALITY' },
      ]);
      expect(socket.timelockQueries).toBe(1);
      socket.ev.emit('messages.update', [
        { key: { remoteJid: CUSTOMER_JID, fromMe: true, id }, update: { status: WAMessageStatus.ERROR, messageStubParameters: ['463', 'Your account has been restricted'] } },
      ]);
      const error = await sending.then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'upstream_failed', retryable: false, details: { reason: 'reach_out_restricted', providerCode: '463' } });
      expect(recorded.receipts).toEqual([]);
      await session.close();
    });

    it('refuses to send while the connection is not open, and retries after a drop', async () => {
      const { socket, session } = await connectFake();
      await expect(session.send({ messageId: 'msg_early', to: CUSTOMER_PHONE, text: 'Hi' })).rejects.toMatchObject({ code: 'upstream_unavailable', retryable: true });
      socket.open();
      socket.sendFailure = boom('Connection Closed', 428);
      await expect(session.send({ messageId: 'msg_drop', to: CUSTOMER_PHONE, text: 'Hi' })).rejects.toMatchObject({
        code: 'upstream_unavailable',
        retryable: true,
        details: { providerCode: '428' },
      });
      socket.sendFailure = null;
      const waiting = session.send({ messageId: 'msg_closing', to: CUSTOMER_PHONE, text: 'Hi' });
      await waitFor('the stanza', () => socket.sent[0]);
      socket.close(408, 'Connection was lost');
      await expect(waiting).rejects.toMatchObject({ code: 'upstream_unavailable', retryable: true });
      await expect(session.send({ messageId: 'msg_late', to: CUSTOMER_PHONE, text: 'Hi' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
    });

    it('gives up waiting for a server ack after the timeout (retryable, same id next time)', async () => {
      const { socket, session } = await connectFake({ serverAckTimeoutMs: 30 });
      socket.open();
      await expect(session.send({ messageId: 'msg_silent', to: CUSTOMER_PHONE, text: 'Hi' })).rejects.toMatchObject({
        code: 'upstream_unavailable',
        retryable: true,
        details: { reason: 'no_server_ack' },
      });
      await session.close();
    });

    it('refuses a recipient that is not an E.164 phone', async () => {
      const { socket, session } = await connectFake();
      socket.open();
      await expect(session.send({ messageId: 'msg_bad', to: '0612345678', text: 'Hi' })).rejects.toMatchObject({ code: 'invalid_phone', retryable: false });
      expect(socket.sent).toEqual([]);
      await session.close();
    });
  });

  it('sends nothing before the offline backlog is in, and reports the connection only then', async () => {
    const { socket, recorded, session } = await connectFake();
    socket.openWithoutBacklog();
    await expect(session.send({ messageId: 'msg_backlog', to: CUSTOMER_PHONE, text: 'Hi' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
    expect(recorded.connected).toEqual([]);
    socket.ev.emit('connection.update', { receivedPendingNotifications: true });
    expect(recorded.connected).toEqual(['+212600000001']);
    const sending = session.send({ messageId: 'msg_backlog', to: CUSTOMER_PHONE, text: 'Hi' });
    await waitFor('the stanza', () => socket.sent[0]);
    socket.serverAck(deriveProviderMessageId('msg_backlog'));
    await sending;
    await session.close();
  });

  it('sends anyway when the offline backlog never comes', async () => {
    const { socket, recorded, session } = await connectFake({ backlogTimeoutMs: 30 });
    socket.openWithoutBacklog();
    await waitFor('the connection', () => recorded.connected[0]);
    await session.close();
  });

  it('reports a reach-out timelock WhatsApp pushes, and nothing for an inactive one', async () => {
    const { socket, recorded, session } = await connectFake();
    socket.open();
    const ends = new Date(Date.now() + 3_600_000);
    socket.ev.emit('connection.update', { reachoutTimeLock: { isActive: false, enforcementType: 'DEFAULT' } });
    socket.ev.emit('connection.update', { reachoutTimeLock: { isActive: true, timeEnforcementEnds: ends, enforcementType: 'WEB_COMPANION_ONLY' } });
    expect(recorded.restrictions).toEqual([{ until: ends, reason: 'reach_out_timelock WEB_COMPANION_ONLY' }]);
    await session.close();
  });

  describe('retry requests', () => {
    const storeOutbound = async (messageId: string, text: string | null) => {
      await database.query(
        `insert into messages (id, account_id, number_id, direction, kind, text, status, provider_message_id, customer_phone)
         values ($1, $2, $3, 'outbound', 'confirmation', $4, 'sending', $5, $6)`,
        [messageId, ACCOUNT_ID, numberId, text, deriveProviderMessageId(messageId), CUSTOMER_PHONE],
      );
    };
    /** The key baileys hands getMessage for a retry receipt (messages-recv: handleReceipt → sendMessagesAgain). */
    const retryKey = (id: string) => ({ remoteJid: CUSTOMER_JID, fromMe: true, id, participant: '212612345678:3@s.whatsapp.net' });

    it('answers a retry request from the messages table with exactly the message sent, after a reconnect too', async () => {
      await storeOutbound('msg_retry', 'Confirm order #1001?');
      const first = await connectFake();
      first.socket.open();
      const id = deriveProviderMessageId('msg_retry');
      const sending = first.session.send({ messageId: 'msg_retry', providerMessageId: id, to: CUSTOMER_PHONE, text: 'Confirm order #1001?' });
      await waitFor('the stanza', () => first.socket.sent[0]);
      first.socket.serverAck(id);
      await sending;
      expect(await first.socket.config.getMessage?.(retryKey(id))).toEqual(first.socket.sent[0]?.content);
      first.socket.ev.emit('creds.update', {});
      await first.session.close();
      // A new socket (hibernation, another worker) has no cache of recent sends: the table answers.
      const second = await connectFake();
      expect(await second.socket.config.getMessage?.(retryKey(id))).toEqual(first.socket.sent[0]?.content);
      await second.session.close();
    });

    it('answers nothing once the text was blanked, and nothing for ids that are not ours', async () => {
      await storeOutbound('msg_blanked', '');
      const { socket, session } = await connectFake();
      expect(await socket.config.getMessage?.(retryKey(deriveProviderMessageId('msg_blanked')))).toBeUndefined();
      expect(await socket.config.getMessage?.(retryKey('3EB0F00DF00DF00DF00DF0'))).toBeUndefined();
      expect(await socket.config.getMessage?.(retryKey(deriveProviderMessageId('msg_never_stored')))).toBeUndefined();
      await session.close();
    });

    it('keeps the count of re-sends per number across reconnects', async () => {
      const first = await connectFake();
      await first.socket.config.msgRetryCounterCache?.set('3EB0ABC:212612345678:3@s.whatsapp.net', 3);
      await first.session.close();
      const second = await connectFake({}, undefined, first.provider);
      expect(await second.socket.config.msgRetryCounterCache?.get('3EB0ABC:212612345678:3@s.whatsapp.net')).toBe(3);
      await second.session.close();
      numberId = `num_linked_${++numberCount}`;
      await database.query("insert into whatsapp_numbers (id, account_id, provider, status) values ($1, $2, 'linked', 'pending_link')", [numberId, ACCOUNT_ID]);
      const other = await connectFake({}, undefined, first.provider);
      expect(await other.socket.config.msgRetryCounterCache?.get('3EB0ABC:212612345678:3@s.whatsapp.net')).toBeUndefined();
      await other.session.close();
    });
  });

  it('reports receipts of our messages only', async () => {
    const { socket, recorded, session } = await connectFake();
    socket.open();
    const ours = deriveProviderMessageId('msg_receipts');
    socket.serverAck(ours);
    socket.ev.emit('messages.update', [
      { key: { remoteJid: CUSTOMER_JID, fromMe: true, id: ours }, update: { status: WAMessageStatus.DELIVERY_ACK, messageTimestamp: 1_777_716_002 } },
      { key: { remoteJid: CUSTOMER_JID, fromMe: true, id: '3EB0F00DF00DF00DF00DF00D' }, update: { status: WAMessageStatus.READ } },
    ]);
    socket.ev.emit('messages.update', [{ key: { remoteJid: CUSTOMER_LID, fromMe: true, id: ours }, update: { status: WAMessageStatus.READ, messageTimestamp: 1_777_716_003 } }]);
    socket.ev.emit('messages.update', [
      { key: { remoteJid: CUSTOMER_JID, fromMe: true, id: ours }, update: { status: WAMessageStatus.ERROR, messageStubParameters: ['479'] } },
    ]);
    expect(recorded.receipts).toEqual([
      { providerMessageId: ours, status: 'sent', at: new Date(1_777_716_001_000) },
      { providerMessageId: ours, status: 'delivered', at: new Date(1_777_716_002_000) },
      { providerMessageId: ours, status: 'read', at: new Date(1_777_716_003_000) },
      { providerMessageId: ours, status: 'failed', at: expect.any(Date), errorCode: '479' },
    ]);
    await session.close();
  });

  it('checks numbers on WhatsApp, with the phone WhatsApp knows each by', async () => {
    const { socket, session } = await connectFake();
    await expect(session.checkOnWhatsApp(CUSTOMER_PHONE)).rejects.toMatchObject({ code: 'upstream_unavailable' });
    socket.open();
    expect(await session.checkOnWhatsApp(CUSTOMER_PHONE)).toBe(true);
    expect(await session.checkOnWhatsApp('+212699999999')).toBe(false);
    expect(await session.lookUpOnWhatsApp?.('+5215512345678')).toEqual({ exists: true, phone: '+525512345678' });
    expect(await session.lookUpOnWhatsApp?.(CUSTOMER_PHONE)).toEqual({ exists: true, phone: CUSTOMER_PHONE });
    expect(await session.lookUpOnWhatsApp?.('+212699999999')).toEqual({ exists: false, phone: '+212699999999' });
    await session.close();
  });

  it('asks for a pairing code with the phone’s digits once linking is offered', async () => {
    const { socket, session } = await connectFake();
    const requesting = session.requestPairingCode?.('+212 600-000-001');
    await sleep(20);
    expect(socket.pairingRequests).toEqual([]);
    socket.ev.emit('connection.update', { qr: '2@ref' });
    expect(await requesting).toBe('K7QX2M9D');
    expect(socket.pairingRequests).toEqual(['212600000001']);
    await session.close();
  });

  it('stops waiting to ask for a pairing code when the connection ends first', async () => {
    const { socket, session } = await connectFake({ pairingReadyTimeoutMs: 10_000 });
    const requesting = session.requestPairingCode?.('+212600000001');
    socket.close(408, 'Connection was lost');
    const started = Date.now();
    await expect(requesting).rejects.toMatchObject({ code: 'upstream_unavailable' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(socket.pairingRequests).toEqual([]);
  });

  it('refuses a pairing code for a number already linked', async () => {
    const state = await createDatabaseAuthState({ database, keyring, numberId });
    state.state.creds.me = { id: '212600000001:7@s.whatsapp.net' };
    state.state.creds.account = { details: randomBytes(8) };
    await state.saveCreds();
    const { session } = await connectFake();
    await expect(session.requestPairingCode?.('+212600000001')).rejects.toMatchObject({ code: 'invalid_state' });
    await session.close();
  });

  it('closes once with closed_by_us and reports nothing afterwards', async () => {
    const { socket, recorded, session } = await connectFake();
    socket.open();
    await session.close();
    await session.close();
    expect(socket.ended).toEqual([undefined]);
    expect(recorded.disconnected).toEqual([{ reason: 'closed_by_us', detail: 'closed by us' }]);
    for (const event of ['creds.update', 'connection.update', 'messages.upsert', 'messages.update', 'message-receipt.update']) {
      expect(socket.ev.listenerCount(event)).toBe(0);
    }
    expect(socket.ws.listenerCount('CB:ack,class:message')).toBe(0);
    socket.ev.emit('connection.update', { qr: 'late' });
    socket.close(401);
    expect(recorded.qr).toEqual([]);
    expect(recorded.disconnected).toHaveLength(1);
  });

  it('logs out: unlinks the device and deletes its credentials, reported as closed by us', async () => {
    const { socket, recorded, session } = await connectFake();
    socket.open();
    socket.ev.emit('creds.update', {});
    await sleep(50);
    expect(await authRowCount()).toBe(1);
    await session.logout();
    expect(socket.loggedOut).toBe(true);
    expect(await authRowCount()).toBe(0);
    expect(recorded.disconnected).toEqual([{ reason: 'closed_by_us', detail: 'logged out by us' }]);
  });

  it('ends the session when a key write fails for good, and keeps in memory nothing the database does not hold', async () => {
    let isDatabaseDown = false;
    // The database as the provider sees it: writes (transactions) fail while it is "down".
    const flaky = new Proxy(database, {
      get(target, property, receiver) {
        if (property === 'transaction' && isDatabaseDown) return async () => Promise.reject(new Error('connection terminated'));
        const value: unknown = Reflect.get(target, property, receiver);

        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { socket, recorded } = await connectFake({ database: flaky });
    socket.open();
    const keys = socket.config.auth.keys;
    await keys.set({ session: { 'customer.0': Uint8Array.from([1, 1, 1]) } });
    isDatabaseDown = true;
    await expect(keys.set({ session: { 'customer.0': Uint8Array.from([2, 2, 2]) } })).rejects.toThrow('connection terminated');
    await waitFor('the disconnect', () => recorded.disconnected[0]);
    expect(recorded.disconnected[0]).toEqual({ reason: 'connection_lost', detail: 'the session keys could not be stored; reconnecting from the stored ones' });
    expect(socket.ended).toEqual([undefined]);
    isDatabaseDown = false;
    // The ratchet state that never reached the database is gone from memory too.
    const reloaded = await keys.get('session', ['customer.0']);
    expect([...(reloaded['customer.0'] ?? [])]).toEqual([1, 1, 1]);
  });

  it('ends the session as lease_lost (not replaced) when a write finds the lease taken over', async () => {
    let isLeaseHeld = true;
    const { socket, recorded } = await connectFake({
      fencingFor: () => ({
        check: async () => {
          if (!isLeaseHeld) throw new AppError('lease_lost', { message: 'another worker holds this number' });
        },
      }),
    });
    socket.open();
    await socket.config.auth.keys.set({ 'pre-key': { '1': { public: randomBytes(32), private: randomBytes(32) } } });
    expect(await authRowCount()).toBe(1);
    isLeaseHeld = false;
    await expect(socket.config.auth.keys.set({ 'pre-key': { '2': { public: randomBytes(32), private: randomBytes(32) } } })).rejects.toMatchObject({
      code: 'lease_lost',
    });
    await waitFor('the disconnect', () => recorded.disconnected[0]);
    expect(recorded.disconnected[0]?.reason).toBe('lease_lost');
    expect(socket.ended).toEqual([undefined]);
    expect(await authRowCount()).toBe(1);
  });
});

describe('linked provider against a real baileys socket, offline', () => {
  let testDatabase: TestDatabase;
  let keyring: Keyring;
  let numberId: string;
  let session: WhatsAppSession | undefined;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('pglite');
    keyring = createKeyring(toMasterKey(randomBytes(32).toString('base64')));
    numberId = 'num_linked_offline';
    await testDatabase.database.query("insert into accounts (id, name) values ('acc_linked_offline', 'Offline')");
    await testDatabase.database.query("insert into whatsapp_numbers (id, account_id, provider, status) values ($1, 'acc_linked_offline', 'linked', 'pending_link')", [numberId]);
  });

  afterAll(async () => {
    await session?.close();
    await testDatabase?.close();
  });

  it('reports a closed port as a lost connection, once, and sends nothing afterwards', async () => {
    const port = await closedPort();
    const provider = createLinkedProvider({ database: testDatabase.database, keyring, logger: silentLogger(), waWebSocketUrl: `ws://127.0.0.1:${port}`, fetchWaVersion: offlineVersion });
    const { events, recorded } = recordEvents();
    session = await provider.connect({ numberId, phone: null, settings: {}, events });
    const disconnect = await waitFor('the disconnect', () => recorded.disconnected[0]);
    expect(disconnect.reason).toBe('connection_lost');
    expect(disconnect.detail).toContain('ECONNREFUSED');
    await expect(session.send({ messageId: 'msg_x', to: CUSTOMER_PHONE, text: 'Hi' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
    await session.close();
    expect(recorded.disconnected).toHaveLength(1);
    expect(recorded.connected).toEqual([]);
  });

  it('speaks WhatsApp’s Noise hello to the endpoint and reports the server hanging up as a lost connection', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const hello = new Promise<Buffer>((resolve) => {
      server.on('connection', (socket) => {
        socket.once('message', (data: Buffer) => {
          resolve(data);
          socket.close();
        });
      });
    });
    try {
      const provider = createLinkedProvider({
        database: testDatabase.database,
        keyring,
        logger: silentLogger(),
        waWebSocketUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
        fetchWaVersion: offlineVersion,
      });
      const { events, recorded } = recordEvents();
      session = await provider.connect({ numberId, phone: null, settings: {}, events });
      // "WA", protocol 6, dictionary 3: the Noise header of WhatsApp Web.
      expect([...(await hello).subarray(0, 4)]).toEqual([0x57, 0x41, 6, 3]);
      const disconnect = await waitFor('the disconnect', () => recorded.disconnected[0]);
      expect(disconnect.reason).toBe('connection_lost');
      await session.close();
      expect(recorded.disconnected).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/**
 * Runs a session in a child process and lets it end on its own: a timer or socket left behind by
 * a closed session would keep the child alive (baileys' handshake timer alone is 20 s).
 */
describe('a closed linked session leaves nothing running', () => {
  const providerModule = fileURLToPath(new URL('./linked.ts', import.meta.url));
  const loggerModule = fileURLToPath(new URL('../../logger.ts', import.meta.url));

  const runChild = (scenario: 'closed-port' | 'close-during-handshake' | 'server-hangs-up'): Promise<{ code: number | null; output: string; milliseconds: number }> => {
    const script = `
      import { createServer } from 'node:net';
      import { WebSocketServer } from 'ws';
      import { createLinkedProvider } from ${JSON.stringify(providerModule)};
      import { createLogger } from ${JSON.stringify(loggerModule)};
      const scenario = ${JSON.stringify(scenario)};
      // A database with nothing stored: the session starts a new registration and never gets to write.
      const database = { query: async () => [], transaction: async (work) => work(database) };
      const keyring = { current: { id: 'test', key: Buffer.alloc(32) }, byId: new Map() };
      let url; let server; let hello;
      if (scenario === 'closed-port') {
        const probe = createServer();
        await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
        const { port } = probe.address();
        await new Promise((resolve) => probe.close(resolve));
        url = 'ws://127.0.0.1:' + port;
      } else {
        server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
        await new Promise((resolve) => server.once('listening', resolve));
        hello = new Promise((resolve) => server.on('connection', (socket) => socket.once('message', () => {
          resolve();
          if (scenario === 'server-hangs-up') socket.close();
        })));
        url = 'ws://127.0.0.1:' + server.address().port;
      }
      // No network here: the current WhatsApp Web version is "not fetched", baileys' pinned one is used.
      const fetchWaVersion = async () => ({ version: [2, 3000, 1], isLatest: false });
      const provider = createLinkedProvider({ database, keyring, logger: createLogger({ level: 'silent' }), waWebSocketUrl: url, fetchWaVersion });
      let ended;
      const disconnected = new Promise((resolve) => (ended = resolve));
      const session = await provider.connect({ numberId: 'num_child', phone: null, settings: {}, events: {
        onQr() {}, onConnected() {}, onReceipt() {}, onInbound() {},
        onDisconnected(reason) { console.log('disconnected:' + reason); ended(); },
      } });
      if (hello) await hello;
      if (scenario !== 'close-during-handshake') await disconnected;
      await session.close();
      if (server) await new Promise((resolve) => server.close(resolve));
      console.log('closed');
    `;
    const started = Date.now();

    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(killer);
        resolve({ code, output, milliseconds: Date.now() - started });
      });
    });
  };

  it.each([
    ['closed-port', 'disconnected:connection_lost'],
    ['close-during-handshake', 'disconnected:closed_by_us'],
    ['server-hangs-up', 'disconnected:connection_lost'],
  ] as const)('exits promptly after %s', async (scenario, expected) => {
    const result = await runChild(scenario);
    expect(result.output).toContain(expected);
    expect(result.output).toContain('closed');
    expect(result.code).toBe(0);
    // Far below baileys' 20 s handshake timeout and 60 s query timeout.
    expect(result.milliseconds).toBeLessThan(10_000);
  }, 20_000);
});

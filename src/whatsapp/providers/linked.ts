import makeWASocket, {
  type BinaryNode,
  type CacheStore,
  type ConnectionState,
  type MessageUserReceiptUpdate,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
  type UserFacingSocketConfig,
  type WAMessage,
  type WASocket,
  type WAMessageUpdate,
  type WAVersion,
  type proto,
} from 'baileys';
import type { Keyring } from '../../crypto/envelope.ts';
import type { Database } from '../../db/database.ts';
import { AppError, isAppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { createDatabaseAuthState, deleteAuthState, type AuthStateFencing } from '../linked/auth-state-store.ts';
import {
  describeDisconnect,
  isCustomerUpsertType,
  isIgnoredChatJid,
  jidToPhone,
  phoneToDigits,
  phoneToJid,
  REACH_OUT_RESTRICTED_CODE,
  readCustomerMessage,
  readMessageUpdates,
  readServerAck,
  readDisconnectInfo,
  readStatusCode,
  readUserReceiptUpdates,
  toDisconnectReason,
  toRefusedSendError,
  toUnavailableError,
  type CustomerMessage,
} from '../linked/linked-events.ts';
import { buildTextMessage, deriveLegacyProviderMessageId, deriveMessageSecret, deriveProviderMessageId, isOwnProviderMessageId } from '../linked/message-ids.ts';
import { createCommittedKeyStore } from '../linked/committed-key-store.ts';
import { createSignalKeyCache } from '../linked/signal-key-cache.ts';
import { createWaVersionSource, type WaVersionFetcher } from '../linked/wa-version.ts';
import type { ConnectOptions, DisconnectInfo, DisconnectReason, OutboundText, Receipt, SendResult, WhatsAppProvider, WhatsAppSession } from '../provider.ts';

/**
 * The merchant's own number as a linked device (DESIGN.md §2, provider `linked`), on baileys
 * pinned at 7.0.0-rc14. One `connect` = one socket = one session; the session manager reconnects.
 *
 * - Auth state lives encrypted in PostgreSQL (`linked/auth-state-store.ts`), behind a per-session
 *   cache that changes only after a write committed and is emptied on close
 *   (`linked/committed-key-store.ts`); every write is fenced by the number's lease when
 *   `fencingFor` is given. A write refused for a lost lease ends the session at once (reason
 *   `lease_lost`); a write that fails after its attempts ends it too (`connection_lost`).
 * - Privacy (DESIGN.md §1): no history sync, groups/broadcasts/status/newsletters are not even
 *   decrypted (`shouldIgnoreJid`), and of the rest only customers' 1:1 texts and receipts of OUR
 *   messages leave this file. Nothing of the merchant's chats is stored.
 * - `send` waits for WhatsApp's server ack, so "sent" means WhatsApp took it and a 463 (cold
 *   contact) fails the send itself, never to be retried.
 * - Every session ends with exactly one `onDisconnected`; after it no callback fires. Creds writes
 *   in flight are finished first, so a reconnect (515 after pairing) reads the new creds.
 */

/** What the provider uses of a baileys socket (tests pass a fake). */
export type LinkedSocket = Pick<
  WASocket,
  'ev' | 'ws' | 'user' | 'end' | 'logout' | 'relayMessage' | 'onWhatsApp' | 'requestPairingCode' | 'signalRepository' | 'fetchAccountReachoutTimelock'
>;

export type LinkedSocketFactory = (config: UserFacingSocketConfig) => LinkedSocket;

export type LinkedProviderOptions = {
  database: Database;
  keyring: Keyring;
  logger: Logger;
  /** How the device appears in the phone's "Linked devices": [name, browser, version]. */
  browser?: [string, string, string];
  /** `makeWASocket` unless a test injects another. */
  socketFactory?: LinkedSocketFactory;
  /** WhatsApp's WebSocket endpoint; tests point it at a local port. */
  waWebSocketUrl?: string;
  /** A fixed WhatsApp Web version to announce; by default the current one is fetched (`fetchWaVersion`) and cached. */
  waVersion?: WAVersion;
  /** How the current WhatsApp Web version is fetched: baileys' `fetchLatestWaWebVersion` unless a test injects another. */
  fetchWaVersion?: WaVersionFetcher;
  /** Fencing of auth-state writes by the number's lease. */
  fencingFor?: (numberId: string) => AuthStateFencing;
  /** How long `send` waits for WhatsApp's server ack before treating the send as failed (retryable). */
  serverAckTimeoutMs?: number;
  /** How long `requestPairingCode` waits for the socket to be ready to link. */
  pairingReadyTimeoutMs?: number;
  /** How long to wait after the connection opened for the offline backlog before sending anyway. */
  backlogTimeoutMs?: number;
  /** How long `close` waits for baileys to close the socket. */
  closeTimeoutMs?: number;
};

const DEFAULT_BROWSER: [string, string, string] = ['Akked', 'Chrome', '1.0.0'];

/** Attempts of one auth-state write, and the pause between them, before the session ends. */
const WRITE_ATTEMPTS = 3;
const WRITE_RETRY_DELAY_MS = 500;

/** How long a message's retry count is remembered (baileys' own default: an hour). */
const RETRY_COUNTER_TTL_MS = 60 * 60_000;

type AckOutcome = { kind: 'accepted' } | { kind: 'refused'; errorCode: string } | { kind: 'closed' } | { kind: 'timeout' };

/** Resolves with `promise`, or with `fallback` once `milliseconds` passed; leaves no timer behind. */
const settleWithin = async <T>(promise: Promise<T>, milliseconds: number, fallback: T): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), milliseconds)))]);
  } finally {
    clearTimeout(timer);
  }
};

const notOpenError = (): AppError =>
  new AppError('upstream_unavailable', { message: 'the WhatsApp connection of this number is not open', retryable: true });

export const createLinkedProvider = (options: LinkedProviderOptions): WhatsAppProvider => {
  const socketFactory: LinkedSocketFactory = options.socketFactory ?? makeWASocket;
  const serverAckTimeoutMs = options.serverAckTimeoutMs ?? 20_000;
  const pairingReadyTimeoutMs = options.pairingReadyTimeoutMs ?? 30_000;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  const backlogTimeoutMs = options.backlogTimeoutMs ?? 30_000;
  const log = options.logger.child({ component: 'whatsapp-linked' });
  const versions = options.waVersion ? null : createWaVersionSource({ logger: options.logger, ...(options.fetchWaVersion ? { fetchLatest: options.fetchWaVersion } : {}) });
  // How often each message was re-sent for a retry receipt, per number. Kept across reconnects and
  // hibernation (baileys' default lives and dies with one socket): a customer's phone stuck on a
  // message must not get it re-sent for ever.
  const retryCounters = new Map<string, ReturnType<typeof createSignalKeyCache>>();
  const retryCounterOf = (numberId: string): CacheStore => {
    let counters = retryCounters.get(numberId);
    if (!counters) {
      counters = createSignalKeyCache({ ttlMilliseconds: RETRY_COUNTER_TTL_MS, maximumEntries: 1_000 });
      retryCounters.set(numberId, counters);
    }

    return counters;
  };

  /**
   * The content of one of OUR messages, for baileys to re-send when the customer's phone asks for
   * it again (a retry receipt: new phone, reinstall, long offline). Read from the messages table by
   * its WhatsApp id alone; undefined once the text was blanked (retention) or for any other id.
   */
  const readOwnMessage = async (numberId: string, deviceSecret: string, id: string | null | undefined): Promise<proto.IMessage | undefined> => {
    if (!isOwnProviderMessageId(id)) return undefined;
    const [row] = await options.database.query<{ text: string | null }>(
      "select text from messages where number_id = $1 and provider_message_id = $2 and direction = 'outbound'",
      [numberId, id],
    );

    return row?.text ? buildTextMessage(row.text, deriveMessageSecret(deviceSecret, id)) : undefined;
  };

  const connect = async ({ numberId, events }: ConnectOptions): Promise<WhatsAppSession> => {
    const { database, keyring } = options;
    const fencing = options.fencingFor?.(numberId);
    const store = await createDatabaseAuthState({ database, keyring, numberId, ...(fencing ? { fencing } : {}) });
    const version = options.waVersion ?? (await versions?.current());
    const { creds } = store.state;
    if (creds.me && !creds.account) {
      // A pairing code was requested but the phone never finished linking: start over with a new
      // registration (QR), or baileys would try to log in as a device that does not exist.
      creds.me = undefined;
      creds.pairingCode = undefined;
    }
    const sessionLog = log.child({ numberId });
    // Baileys logs jids and protocol details below warn; our logger redacts phones in what is left.
    const baileysLogger = options.logger.child({ numberId, component: 'baileys' }, { level: options.logger.levelVal > 40 ? options.logger.level : 'warn' });

    let hasEnded = false;
    let isOpen = false;
    /** Open and the offline backlog received (or waited for long enough): sends may go out. */
    let isReady = false;
    let hasBacklog = false;
    let backlogTimer: NodeJS.Timeout | undefined;
    /** Our messages whose error ack was read from the raw stanza; baileys' later ERROR update is the same news. */
    const refusedByAck = new Set<string>();
    let isFetchingTimelock = false;
    let areWritesDiscarded = false;
    const pendingWrites = new Set<Promise<unknown>>();
    const ackWaiters = new Map<string, ((outcome: AckOutcome) => void)[]>();
    // Settles true with the first QR (the server offers to link this device), false when the session ends.
    let settleReadyForPairing: (isReady: boolean) => void = () => undefined;
    const readyForPairing = new Promise<boolean>((resolve) => {
      settleReadyForPairing = resolve;
    });

    const trackWrite = <T>(write: Promise<T>): Promise<T> => {
      pendingWrites.add(write);
      void write.then(
        () => pendingWrites.delete(write),
        () => pendingWrites.delete(write),
      );

      return write;
    };
    const flushWrites = async (): Promise<void> => {
      const flush = async (): Promise<void> => {
        while (pendingWrites.size > 0) await Promise.allSettled([...pendingWrites]);
      };
      // Bounded: a database that stopped answering must not keep a closing session open forever.
      await settleWithin(flush(), closeTimeoutMs * 2, undefined);
    };

    /** Calls one of the session manager's callbacks; its failure must not break baileys' emitter. */
    const report = (callback: () => void): void => {
      if (hasEnded) return;
      try {
        callback();
      } catch (error) {
        sessionLog.error({ err: error }, 'a session callback threw');
      }
    };

    const settleAckWaiters = (providerMessageId: string, outcome: AckOutcome): boolean => {
      const waiters = ackWaiters.get(providerMessageId);
      if (!waiters) return false;
      ackWaiters.delete(providerMessageId);
      for (const settle of waiters) settle(outcome);

      return true;
    };

    const cache = createSignalKeyCache();
    let sock: LinkedSocket | null = null;

    /**
     * A write of the auth state was given up: what this session holds in memory is no longer what
     * the database holds, and going on would hand customers keys that a later session cannot
     * reload. End the session; the next one starts from the stored state.
     */
    const onWriteLost = (error: unknown): void => {
      if (isAppError(error) && error.code === 'lease_lost') {
        sessionLog.warn('auth-state write refused: another worker holds this number now; closing');
        void terminate('lease_lost', 'the lease of this number was taken over by another worker', endSocket);

        return;
      }
      sessionLog.error({ err: error }, 'could not store the linked-device keys; ending the session');
      void terminate('connection_lost', 'the session keys could not be stored; reconnecting from the stored ones', endSocket);
    };

    // The database store behind the cache: drops writes once the device was logged out.
    const guardedKeys: SignalKeyStore = {
      get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
        return store.state.keys.get(type, ids) as Promise<{ [id: string]: SignalDataTypeMap[T] }>;
      },
      async set(data: SignalDataSet): Promise<void> {
        if (areWritesDiscarded) return;
        await trackWrite(Promise.resolve(store.state.keys.set(data)));
      },
    };
    const keys = createCommittedKeyStore({ store: guardedKeys, cache, onWriteLost, attempts: WRITE_ATTEMPTS, delayBetweenAttemptsMs: WRITE_RETRY_DELAY_MS });

    const saveCreds = (): void => {
      if (areWritesDiscarded) return;
      const attempt = (left: number): void => {
        trackWrite(store.saveCreds()).catch((error: unknown) => {
          const isLeaseLost = isAppError(error) && error.code === 'lease_lost';
          if (left > 1 && !isLeaseLost && !hasEnded) setTimeout(() => attempt(left - 1), WRITE_RETRY_DELAY_MS);
          else onWriteLost(error);
        });
      };
      attempt(WRITE_ATTEMPTS);
    };

    const onConnectionUpdate = (update: Partial<ConnectionState>): void => {
      if (update.qr) {
        settleReadyForPairing(true);
        const { qr } = update;
        report(() => events.onQr(qr));
      }
      const timelock = update.reachoutTimeLock;
      // Pushed by WhatsApp, or the answer to fetchAccountReachoutTimelock. An inactive one says
      // nothing: a fetch answers inactive after a plain 463 too, and a pause ends by its time.
      if (timelock?.isActive) {
        sessionLog.warn({ until: timelock.timeEnforcementEnds?.toISOString(), enforcement: timelock.enforcementType }, 'WhatsApp restricts this number from starting new chats');
        const until = timelock.timeEnforcementEnds ?? null;
        report(() => events.onRestricted?.({ until, reason: `reach_out_timelock ${timelock.enforcementType ?? ''}`.trim() }));
      }
      if (update.connection === 'open') {
        isOpen = true;
        sessionLog.info('linked device connected; receiving what came while it was away');
        // Baileys holds events (error acks among them) back until the offline backlog is in.
        backlogTimer = setTimeout(markReady, backlogTimeoutMs);
        if (hasBacklog) markReady();
      }
      if (update.receivedPendingNotifications === true) {
        hasBacklog = true;
        markReady();
      }
      if (update.connection === 'close') {
        isOpen = false;
        isReady = false;
        const error = update.lastDisconnect?.error;
        const reason = toDisconnectReason(readStatusCode(error));
        sessionLog.info({ reason, statusCode: readStatusCode(error) }, 'linked device disconnected');
        // The next connection of any number fetches the version WhatsApp wants now.
        if (reason === 'client_outdated') versions?.invalidate();
        void terminate(reason, describeDisconnect(error), undefined, readDisconnectInfo(error));
      }
    };

    // Customers' messages keep their order even when one needs its LID resolved to a phone.
    let inboundChain: Promise<void> = Promise.resolve();
    const deliverInbound = (message: CustomerMessage): void => {
      inboundChain = inboundChain
        .then(async () => {
          const lidPhone = !message.phone && message.lidJid && sock ? await sock.signalRepository.lidMapping.getPNForLID(message.lidJid) : null;
          const from = message.phone ?? jidToPhone(lidPhone);
          if (!from) {
            sessionLog.warn('a customer message came from a LID with no known phone; skipped');

            return;
          }
          report(() => events.onInbound({ providerMessageId: message.providerMessageId, from, text: message.text, at: message.at }));
        })
        .catch((error: unknown) => sessionLog.error({ err: error }, 'could not read an inbound message'));
    };

    const onMessagesUpsert = ({ messages, type }: { messages: WAMessage[]; type: string }): void => {
      if (!isCustomerUpsertType(type)) return;
      for (const message of messages) {
        const read = readCustomerMessage(message);
        if (read.accepted) deliverInbound(read.message);
      }
    };

    const deliverReceipts = (receipts: Receipt[]): void => {
      for (const receipt of receipts) {
        if (receipt.status === 'failed') {
          if (refusedByAck.has(receipt.providerMessageId)) continue;
          // A send still waiting for its ack fails itself (and is never retried for a 463).
          if (settleAckWaiters(receipt.providerMessageId, { kind: 'refused', errorCode: receipt.errorCode ?? 'unknown' })) continue;
        } else if (settleAckWaiters(receipt.providerMessageId, { kind: 'accepted' }) && receipt.status === 'sent') {
          continue;
        }
        report(() => events.onReceipt(receipt));
      }
    };
    const onMessagesUpdate = (updates: WAMessageUpdate[]): void => deliverReceipts(readMessageUpdates(updates));
    const onUserReceiptUpdate = (updates: MessageUserReceiptUpdate[]): void => deliverReceipts(readUserReceiptUpdates(updates));

    const markReady = (): void => {
      clearTimeout(backlogTimer);
      if (isReady || !isOpen || hasEnded) return;
      isReady = true;
      sessionLog.info('linked device ready to send');
      const phone = jidToPhone(sock?.user?.id);
      report(() => events.onConnected({ phone }));
    };

    /**
     * A 463 is an account-level restriction as often as a missing privacy token (baileys rc14's own
     * words): report it at once, then ask WhatsApp whether a reach-out timelock is active and until
     * when (baileys does not ask for a 463; the answer comes back as `reachoutTimeLock`).
     */
    const onReachOutRestricted = (): void => {
      report(() => events.onRestricted?.({ until: null, reason: 'reach_out_restricted: WhatsApp refused a first message (463)' }));
      if (isFetchingTimelock || !sock) return;
      isFetchingTimelock = true;
      sock
        .fetchAccountReachoutTimelock()
        .catch((error: unknown) => sessionLog.warn({ err: error }, 'could not ask WhatsApp for the reach-out timelock'))
        .finally(() => (isFetchingTimelock = false));
    };

    const onServerAck = (node: BinaryNode): void => {
      const ack = readServerAck(node);
      if (!ack) return;
      const { providerMessageId, errorCode } = ack;
      if (errorCode === null) {
        if (settleAckWaiters(providerMessageId, { kind: 'accepted' })) return;
        report(() => events.onReceipt({ providerMessageId, status: 'sent', at: ack.at }));

        return;
      }
      // Settled from the raw ack: baileys' ERROR update for it waits for the offline backlog.
      refusedByAck.add(providerMessageId);
      if (refusedByAck.size > 1_000) refusedByAck.delete(refusedByAck.values().next().value ?? '');
      if (errorCode === REACH_OUT_RESTRICTED_CODE) onReachOutRestricted();
      if (settleAckWaiters(providerMessageId, { kind: 'refused', errorCode })) return;
      report(() => events.onReceipt({ providerMessageId, status: 'failed', at: ack.at, errorCode }));
    };

    const detach = (): void => {
      if (!sock) return;
      sock.ev.off('creds.update', saveCreds);
      sock.ev.off('connection.update', onConnectionUpdate);
      sock.ev.off('messages.upsert', onMessagesUpsert);
      sock.ev.off('messages.update', onMessagesUpdate);
      sock.ev.off('message-receipt.update', onUserReceiptUpdate);
      sock.ws.off('CB:ack,class:message', onServerAck);
    };

    const endSocket = async (): Promise<void> => {
      if (!sock) return;
      await settleWithin(
        sock.end(undefined).catch((error: unknown) => sessionLog.warn({ err: error }, 'closing the socket failed')),
        closeTimeoutMs,
        undefined,
      );
    };

    /**
     * Baileys' `end` removes its 'close' listeners before closing the WebSocket, so a handshake or
     * query still waiting for an answer keeps its timer (20 s, 60 s) and the whole socket alive.
     * Those waiters also listen for 'error': one synthetic error releases them at once (baileys'
     * own error handler sees the socket already ended and does nothing).
     */
    const releaseBaileysWaiters = (): void => {
      if (!sock || sock.ws.listenerCount('error') === 0) return;
      try {
        sock.ws.emit('error', new Error('session closed'));
      } catch (error) {
        sessionLog.debug({ err: error }, 'releasing waiters of the closed socket failed');
      }
    };

    /**
     * Ends the session once: no listener left, waiting sends failed, `action` run (closing the
     * socket...), writes in flight finished, the key cache emptied, then one `onDisconnected`.
     */
    const terminate = async (reason: DisconnectReason, detail: string, action?: () => Promise<void>, info: DisconnectInfo = {}): Promise<boolean> => {
      if (hasEnded) return false;
      hasEnded = true;
      isOpen = false;
      isReady = false;
      clearTimeout(backlogTimer);
      detach();
      settleReadyForPairing(false);
      for (const providerMessageId of [...ackWaiters.keys()]) settleAckWaiters(providerMessageId, { kind: 'closed' });
      if (action) await action().catch((error: unknown) => sessionLog.warn({ err: error }, 'ending the session failed'));
      releaseBaileysWaiters();
      await flushWrites();
      cache.flushAll();
      if (retryCounters.get(numberId)?.size === 0) retryCounters.delete(numberId);
      try {
        events.onDisconnected(reason, detail, info);
      } catch (error) {
        sessionLog.error({ err: error }, 'the disconnect callback threw');
      }

      return true;
    };

    /** Registers for the ack before the stanza goes out (it may come back at once); the clock starts once it is out. */
    const waitForServerAck = (providerMessageId: string): { outcome: Promise<AckOutcome>; startClock(): void; cancel(): void } => {
      let timer: NodeJS.Timeout | undefined;
      let settle: (outcome: AckOutcome) => void = () => undefined;
      const outcome = new Promise<AckOutcome>((resolve) => {
        settle = (result) => {
          clearTimeout(timer);
          const waiters = ackWaiters.get(providerMessageId)?.filter((waiter) => waiter !== settle) ?? [];
          if (waiters.length > 0) ackWaiters.set(providerMessageId, waiters);
          else ackWaiters.delete(providerMessageId);
          resolve(result);
        };
      });
      ackWaiters.set(providerMessageId, [...(ackWaiters.get(providerMessageId) ?? []), settle]);

      return {
        outcome,
        startClock: () => {
          if (ackWaiters.get(providerMessageId)?.includes(settle)) timer = setTimeout(() => settle({ kind: 'timeout' }), serverAckTimeoutMs);
        },
        cancel: () => settle({ kind: 'closed' }),
      };
    };

    const socket = socketFactory({
      auth: { creds, keys },
      logger: baileysLogger,
      browser: options.browser ?? DEFAULT_BROWSER,
      ...(options.waWebSocketUrl ? { waWebSocketUrl: options.waWebSocketUrl } : {}),
      ...(version ? { version } : {}),
      // Keep the merchant's phone getting notifications; we are a background device.
      markOnlineOnConnect: false,
      // Never pull the merchant's chat history (privacy promise, and memory).
      syncFullHistory: false,
      shouldSyncHistoryMessage: () => false,
      shouldIgnoreJid: isIgnoredChatJid,
      // Retry receipts: baileys looks in its 5-minute per-socket cache first, then asks us.
      getMessage: async (key) => {
        try {
          return await readOwnMessage(numberId, creds.advSecretKey, key.id);
        } catch (error) {
          sessionLog.warn({ err: error }, 'could not read a message asked for again');

          return undefined;
        }
      },
      msgRetryCounterCache: retryCounterOf(numberId),
      generateHighQualityLinkPreview: false,
      emitOwnEvents: false,
      // The committed key store retries a write itself and ends the session when it gives up.
      transactionOpts: { maxCommitRetries: 1, delayBetweenTriesMs: 0 },
    });
    sock = socket;
    socket.ev.on('creds.update', saveCreds);
    socket.ev.on('connection.update', onConnectionUpdate);
    socket.ev.on('messages.upsert', onMessagesUpsert);
    socket.ev.on('messages.update', onMessagesUpdate);
    socket.ev.on('message-receipt.update', onUserReceiptUpdate);
    socket.ws.on('CB:ack,class:message', onServerAck);

    const send = async ({ messageId, providerMessageId: recordedId, to, text }: OutboundText): Promise<SendResult> => {
      if (hasEnded || !isReady) throw notOpenError();
      const jid = phoneToJid(to);
      const providerMessageId = recordedId ?? deriveProviderMessageId(messageId);
      const ack = waitForServerAck(providerMessageId);
      try {
        // What sendMessage builds for { text, linkPreview: null } (no link preview fetched from our
        // server), with a secret that getMessage derives again for a retry receipt.
        await socket.relayMessage(jid, buildTextMessage(text, deriveMessageSecret(creds.advSecretKey, providerMessageId)), { messageId: providerMessageId });
      } catch (error) {
        ack.cancel();
        throw toUnavailableError(error);
      }
      ack.startClock();
      const outcome = await ack.outcome;
      switch (outcome.kind) {
        case 'accepted':
          return { providerMessageId };
        case 'refused':
          throw toRefusedSendError(outcome.errorCode);
        case 'timeout':
          throw new AppError('upstream_unavailable', {
            message: 'WhatsApp did not acknowledge the message in time',
            retryable: true,
            details: { reason: 'no_server_ack' },
          });
        case 'closed':
          throw notOpenError();
      }
    };

    /** onWhatsApp: whether the phone has WhatsApp, and the phone WhatsApp knows it by (Mexico's 521... answers 52...). */
    const lookUpOnWhatsApp = async (phone: string): Promise<{ exists: boolean; phone: string } | null> => {
      if (hasEnded || !isReady) throw notOpenError();
      const jid = phoneToJid(phone);
      let results: { jid: string; exists: boolean }[] | undefined;
      try {
        results = await socket.onWhatsApp(jid);
      } catch (error) {
        throw toUnavailableError(error, 'check the number');
      }
      if (!results) return null;
      const found = results.find((result) => result.exists);

      return found ? { exists: true, phone: jidToPhone(found.jid) ?? phone } : { exists: false, phone };
    };

    return {
      send,
      // Our id for the message, known before the send: recorded when the message is claimed.
      providerMessageIdFor: (messageId, { attemptedBefore }) =>
        attemptedBefore ? deriveLegacyProviderMessageId(messageId) : deriveProviderMessageId(messageId),
      checkOnWhatsApp: async (phone: string): Promise<boolean | null> => (await lookUpOnWhatsApp(phone))?.exists ?? null,
      lookUpOnWhatsApp,
      requestPairingCode: async (phone: string): Promise<string> => {
        if (hasEnded) throw notOpenError();
        if (creds.account) throw new AppError('invalid_state', { message: 'this number is already linked' });
        const digits = phoneToDigits(phone);
        // Baileys can ask for a code once the server offered to link this device (its first QR).
        if (!(await settleWithin(readyForPairing, pairingReadyTimeoutMs, false)) || hasEnded) throw notOpenError();
        try {
          return await socket.requestPairingCode(digits);
        } catch (error) {
          throw toUnavailableError(error, 'request a pairing code');
        }
      },
      close: async (): Promise<void> => {
        await terminate('closed_by_us', 'closed by us', endSocket);
      },
      logout: async (): Promise<void> => {
        // From here on nothing is written: the credentials are about to be void.
        areWritesDiscarded = true;
        await terminate('closed_by_us', 'logged out by us', async () => {
          // Tells WhatsApp to remove this companion device (needs an open socket), then ends it.
          await settleWithin(
            socket.logout().catch((error: unknown) => sessionLog.warn({ err: error }, 'WhatsApp logout failed; forgetting the device anyway')),
            closeTimeoutMs,
            undefined,
          );
          await endSocket();
        });
        // Outside `terminate` so a failed deletion reaches the caller.
        await flushWrites();
        await deleteAuthState(database, numberId);
      },
    };
  };

  return { kind: 'linked', holdsConnection: true, connect };
};

import { hostname } from 'node:os';
import { readCredential } from '../credentials/credential-store.ts';
import type { Keyring } from '../crypto/envelope.ts';
import { encrypt } from '../crypto/envelope.ts';
import { isDatabaseConnectionError } from '../db/connection-errors.ts';
import type { Database, Queryable } from '../db/database.ts';
import { AppError, isRetryable } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Metrics } from '../metrics.ts';
import type { Logger } from '../logger.ts';
import { computeSendGap, decideSendSlot, readPacingLimits, type PacingPolicy, type SendSlotOptions } from '../confirmation/pacing.ts';
import { hasAdvancedPastSending, recordClaimedProviderId, recordSent, useWhatsAppPhone } from './delivery.ts';
import { setNumberStatus } from './number-status.ts';
import { decideDisconnect, type DisconnectAlert } from './disconnect-policy.ts';
import { FIRST_CONTACT_KINDS, FIRST_CONTACT_PAUSE_MS, IS_CONNECTING_ALLOWED, pauseConnecting, pauseFirstContact, REPEATED_FIRST_CONTACT_PAUSE_MS } from './number-pause.ts';
import type { DisconnectInfo, DisconnectReason, InboundMessage, ProviderKind, Receipt, WhatsAppProvider, WhatsAppSession } from './provider.ts';
import { ReceiptBatcher } from './receipt-batcher.ts';
import { tracing } from '../telemetry/tracing.ts';

/** NOTIFY channel: a message was queued for a number (payload: the number id). */
export const OUTBOX_CHANNEL = 'akked_outbox';
/** NOTIFY channel: a number was deleted or must be closed at once (payload: the number id). */
export const CLOSE_CHANNEL = 'akked_number_close';
/** NOTIFY channel: the api asks the worker driving a number for a pairing code (payload: {numberId, phone}). */
export const PAIRING_CHANNEL = 'akked_pairing_request';

export type SessionManagerHooks = {
  /** A customer wrote to one of our numbers. Nothing may be stored unless it concerns an order. */
  onInbound(context: { numberId: string; accountId: string }, message: InboundMessage): Promise<void>;
  /** An outbound message failed for good (WhatsApp refused it: 463, not on WhatsApp...). */
  onSendFailed(message: { id: string; orderId: string | null; kind: string; accountId: string; numberId: string }, reason: string): Promise<void>;
  /** A number needs the merchant: logged out, banned, or disconnected for long. */
  onNumberAlert(context: { numberId: string; accountId: string }, kind: DisconnectAlert): Promise<void>;
};

export type SessionManagerOptions = {
  database: Database;
  keyring: Keyring;
  logger: Logger;
  providers: ReadonlyMap<ProviderKind, WhatsAppProvider>;
  hooks: SessionManagerHooks;
  /** Gaps between sends, daily caps and the warm-up of new numbers (confirmation/pacing.ts). */
  pacing: PacingPolicy;
  /** Counts sends and lease takeovers when given. */
  metrics?: Pick<Metrics, 'messages' | 'leaseTakeovers'>;
  leaseSeconds?: number;
  tickMilliseconds?: number;
  /** Idle time after which a session with nothing to do is hibernated. */
  idleMilliseconds?: number;
  /** New sessions opened per tick, so a restart wakes numbers in a staggered way. */
  connectsPerTick?: number;
  /** How long delivery receipts wait to be applied together (receipt-batcher.ts). */
  receiptBatchMilliseconds?: number;
  random?: () => number;
};

type LiveSession = {
  numberId: string;
  accountId: string;
  provider: WhatsAppProvider;
  phone: string | null;
  fencingToken: number;
  session: WhatsAppSession | null;
  isConnected: boolean;
  isClosing: boolean;
  isSending: boolean;
  lastActivityAt: number;
  nextSendAt: number;
  /** Waiting for the next day because today's cap is used up. */
  isCapped: boolean;
  reconnectAttempts: number;
  reconnectTimer: NodeJS.Timeout | null;
  /** Receipts that arrived before our own record of the send. */
  pendingReceipts: { receipt: Receipt; until: number }[];
  /** The number's pace, kept here: only the lease holder sends from it, and it records every send. */
  pacing: { lastSentAt: Date | null; sentToday: number; sentTodayDate: string | null; linkedAt: Date };
  /** A message was queued while the outbox was being drained: look again before stopping. */
  isDrainRequested: boolean;
  /** WhatsApp keeps the number from writing first until then (epoch ms; number-pause.ts). */
  firstContactPausedUntil: number;
  /** The pairing code asked of this connection, shared by repeated requests (pairingCodeOf). */
  pairingRequest: { session: WhatsAppSession; phone: string; startedAt: number; code: Promise<string> } | null;
};

type NumberRow = {
  id: string;
  account_id: string;
  provider: ProviderKind;
  phone: string | null;
  status: string;
  settings: Record<string, unknown>;
  last_sent_at: Date | null;
  sent_today: number;
  is_sent_today_current: boolean;
  linked_at: Date | null;
  created_at: Date;
  first_contact_paused_until: Date | null;
};

const MAX_SEND_ATTEMPTS = 6;

const OPENS_IN_PARALLEL = 10;

/** Between ticks that wake a backlog of numbers: at most `connectsPerTick` sessions open per tick and pause. */
const WAKE_BACKLOG_PAUSE_MILLISECONDS = 250;

/** An outbound message claimed for sending. */
type ClaimedMessage = {
  id: string; order_id: string | null; kind: string; text: string; customer_phone: string; attempts: number; account_id: string;
  template: { name: string; languageCode: string; bodyParameters: string[] } | null; is_more_due: boolean; provider_message_id: string | null;
  trace_parent: string | null;
};

/** What one claim did: handled a message (sent it, or failed it for good) and whether another is due; or nothing. */
type SendOutcome = 'handled_more_due' | 'handled' | 'nothing_handled';

/** The UTC day of a time, as the `sent_today_date` column holds it. */
const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * Drives the WhatsApp numbers of this worker process (DESIGN.md §2). Exactly one process drives a
 * number: it holds a lease row with an expiry and a fencing token that grows on every takeover, and
 * every send and key write checks the token. Numbers with nothing to do are hibernated (no socket,
 * no memory); they wake when a message is queued, while replies are awaited, and daily. When a
 * worker dies, its leases expire and the others take its numbers over.
 */
export class SessionManager {
  readonly workerId = newId('session').replace(/^ses_/, 'wrk_');
  private readonly options: Required<Omit<SessionManagerOptions, 'hooks' | 'metrics'>> & Pick<SessionManagerOptions, 'hooks' | 'metrics'>;
  private readonly sessions = new Map<string, LiveSession>();
  private tickTimer: NodeJS.Timeout | null = null;
  private isTicking = false;
  /** A wake-up (queued message, new number) arrived during a tick: run another one right after. */
  private isTickRequested = false;
  private isStopped = false;
  private stopListeners: (() => Promise<void>)[] = [];
  private readonly receipts: ReceiptBatcher;
  private backlogTimer: NodeJS.Timeout | null = null;
  /** This worker's share of the wanted numbers at the last tick; unbounded while it is the only worker. */
  private fairShare = Number.POSITIVE_INFINITY;
  /** Numbers to open because a message was queued for them (wakeForMessage). */
  private readonly wakeQueue = new Set<string>();
  private wakersRunning = 0;

  constructor(options: SessionManagerOptions) {
    this.options = {
      leaseSeconds: 20,
      tickMilliseconds: 2_000,
      idleMilliseconds: 120_000,
      connectsPerTick: 25,
      receiptBatchMilliseconds: 25,
      random: Math.random,
      ...options,
    };
    this.receipts = new ReceiptBatcher({ database: this.options.database, logger: this.options.logger, delayMilliseconds: this.options.receiptBatchMilliseconds });
  }

  private get log(): Logger {
    return this.options.logger;
  }

  async start(): Promise<void> {
    const { database } = this.options;
    await database.query('insert into workers (id, hostname, pid) values ($1, $2, $3)', [this.workerId, hostname(), process.pid]);
    this.stopListeners.push(await database.listen(OUTBOX_CHANNEL, (numberId) => this.onOutboxNotification(numberId)));
    this.stopListeners.push(await database.listen(CLOSE_CHANNEL, (numberId) => void this.closeNow(numberId)));
    this.stopListeners.push(await database.listen(PAIRING_CHANNEL, (payload) => void this.onPairingRequest(payload)));
    await this.tick();
    this.tickTimer = setInterval(() => void this.tick(), this.options.tickMilliseconds);
    this.tickTimer.unref();
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.backlogTimer) clearTimeout(this.backlogTimer);
    for (const stop of this.stopListeners) await stop();
    while (this.isTicking) await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([...this.sessions.keys()].map((numberId) => this.release(numberId, 'closed_by_us')));
    await this.receipts.flush();
    await this.options.database.query('delete from workers where id = $1', [this.workerId]).catch(() => undefined);
  }

  /** Numbers this process drives now (tests, metrics). */
  get liveNumberIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** Closes a number's session at once (deleted number, another owner). */
  async closeNow(numberId: string): Promise<void> {
    if (this.sessions.has(numberId)) await this.release(numberId, 'closed_by_us');
  }

  /**
   * The check every key write of a number's session runs inside its transaction: it fails once this
   * process no longer holds the number's lease with the token it connected under.
   */
  fencingFor(numberId: string): { check(transaction: Queryable): Promise<void> } {
    return {
      check: async (transaction) => {
        const live = this.sessions.get(numberId);
        const rows = live
          ? await transaction.query(
              'select 1 from whatsapp_leases where number_id = $1 and owner_id = $2 and fencing_token = $3 and expires_at > now() for share',
              [numberId, this.workerId, live.fencingToken],
            )
          : [];
        if (rows.length === 0) throw new AppError('lease_lost', { message: 'another process drives this WhatsApp number now' });
      },
    };
  }

  private async onPairingRequest(payload: string): Promise<void> {
    let request: { numberId?: unknown; phone?: unknown };
    try {
      request = JSON.parse(payload) as typeof request;
    } catch {
      return;
    }
    if (typeof request.numberId !== 'string' || typeof request.phone !== 'string') return;
    const live = this.sessions.get(request.numberId);
    if (!live) return;
    try {
      const code = await this.pairingCodeOf(live, request.phone);
      if (code !== null) await this.storeLinkCode(live, 'pairing', code);
    } catch (error) {
      this.log.warn({ err: error, numberId: request.numberId }, 'pairing code request failed');
    }
  }

  /** Asks the live session of a number for a pairing code; null when this process does not drive it. */
  async requestPairingCode(numberId: string, phone: string): Promise<string | null> {
    const live = this.sessions.get(numberId);

    return live ? this.pairingCodeOf(live, phone) : null;
  }

  /**
   * The session's pairing code for this phone. WhatsApp issues a new code on every request and only
   * the newest one links, so repeated requests (the API re-asks every second until a code is
   * stored; a merchant clicks twice) share one request and its code while the same connection
   * lasts, for PAIRING_CODE_REUSE_MS. Null when the session cannot link by code.
   */
  private pairingCodeOf(live: LiveSession, phone: string): Promise<string> | null {
    const session = live.session;
    if (!session?.requestPairingCode) return null;
    const current = live.pairingRequest;
    if (current && current.session === session && current.phone === phone && Date.now() - current.startedAt < PAIRING_CODE_REUSE_MS) return current.code;
    const code = session.requestPairingCode(phone);
    const pairingRequest = { session, phone, startedAt: Date.now(), code };
    live.pairingRequest = pairingRequest;
    // A failed request is not reused: the next one asks WhatsApp again.
    code.catch(() => {
      if (live.pairingRequest === pairingRequest) live.pairingRequest = null;
    });

    return code;
  }

  /** One pass: heartbeat, renew or drop leases, take over wanted numbers, hibernate idle ones, send. */
  async tick(): Promise<void> {
    if (this.isStopped) return;
    if (this.isTicking) {
      this.isTickRequested = true;

      return;
    }
    this.isTicking = true;
    let hasWakeBacklog = false;
    try {
      await this.heartbeat();
      await this.renewLeases();
      hasWakeBacklog = await this.acquireWantedNumbers();
      await this.hibernateIdleSessions();
      await this.drainNumbersWithDueMessages();
      // Receipts that overtook a send recorded since (the record usually applies them at once).
      for (const live of this.sessions.values()) if (live.pendingReceipts.length > 0) void this.applyPendingReceipts(live);
    } catch (error) {
      // A database outage is logged once by the database layer; the next tick tries again.
      if (!isDatabaseConnectionError(error)) this.log.error({ err: error }, 'session manager tick failed');
    } finally {
      this.isTicking = false;
    }
    if (this.isTickRequested && !this.isStopped) {
      this.isTickRequested = false;
      void this.tick();
    } else if (hasWakeBacklog && !this.isStopped && !this.backlogTimer) {
      // More numbers want a session than a tick opens (a burst of orders for hibernated numbers, a
      // restart): keep waking them a tick's worth at a time, without waiting a whole tick interval.
      this.backlogTimer = setTimeout(() => {
        this.backlogTimer = null;
        void this.tick();
      }, WAKE_BACKLOG_PAUSE_MILLISECONDS);
      this.backlogTimer.unref();
    }
  }

  /** One query for all live numbers, instead of asking each idle session every tick. */
  private async drainNumbersWithDueMessages(): Promise<void> {
    if (this.sessions.size === 0) return;
    const due = await this.options.database.query<{ number_id: string }>(
      "select distinct number_id from messages where number_id = any($1::text[]) and status in ('queued', 'sending') and send_after <= now()",
      [[...this.sessions.keys()]],
    );
    for (const row of due) {
      const live = this.sessions.get(row.number_id);
      if (live) void this.drainOutbox(live);
    }
  }

  private async heartbeat(): Promise<void> {
    await this.options.database.query(
      `insert into workers (id, hostname, pid) values ($1, $2, $3)
       on conflict (id) do update set heartbeat_at = now()`,
      [this.workerId, hostname(), process.pid],
    );
    // Workers silent for a minute are gone; their leases expire on their own.
    await this.options.database.query("delete from workers where heartbeat_at < now() - interval '1 minute'");
  }

  private async renewLeases(): Promise<void> {
    if (this.sessions.size === 0) return;
    const ids = [...this.sessions.keys()];
    const renewed = await this.options.database.query<{ number_id: string }>(
      `update whatsapp_leases set expires_at = now() + make_interval(secs => $3), updated_at = now()
       where owner_id = $1 and number_id = any($2::text[])
       returning number_id`,
      [this.workerId, ids, this.options.leaseSeconds],
    );
    const kept = new Set(renewed.map((row) => row.number_id));
    for (const numberId of ids) {
      if (!kept.has(numberId)) {
        // Our lease is gone: another worker took over, or the number was deleted. Stop at once.
        this.log.warn({ numberId }, 'lease lost; closing the session');
        await this.closeSession(numberId, 'closed_by_us');
      }
    }
  }

  /** Opens sessions for wanted numbers; returns whether more may be waiting than one tick may open. */
  private async acquireWantedNumbers(): Promise<boolean> {
    const { database } = this.options;
    const heldKinds = [...this.options.providers.keys()];
    const [counts] = await database.query<{ workers: string; wanted: string }>(
      `select (select count(*) from workers where heartbeat_at > now() - make_interval(secs => $2)) as workers,
              (select count(*) from whatsapp_leases where expires_at > now()) + (${WANTED_NUMBERS_COUNT}) as wanted`,
      [heldKinds, Math.max(10, (this.options.tickMilliseconds / 1000) * 5)],
    );
    const workerCount = Math.max(1, Number(counts?.workers ?? 1));
    const fairShare = Math.ceil(Number(counts?.wanted ?? 0) / workerCount);
    this.fairShare = workerCount > 1 ? fairShare : Number.POSITIVE_INFINITY;
    if (workerCount > 1 && this.sessions.size > fairShare) await this.handOverOne();
    const room = Math.min(this.options.connectsPerTick, Math.max(0, fairShare - this.sessions.size));
    if (room === 0) return false;
    const candidates = await database.query<NumberRow>(`${WANTED_NUMBERS_SELECT} limit $2`, [heldKinds, room]);
    // Sessions open a few at a time: fast enough to wake numbers under load, gentle after a restart.
    // Each opener takes the next candidate as soon as its previous one is open, so one slow
    // connection does not hold back the others.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(OPENS_IN_PARALLEL, candidates.length) }, async () => {
        for (let candidate = candidates[next++]; candidate && !this.isStopped; candidate = candidates[next++]) await this.leaseAndOpen(candidate);
      }),
    );

    return candidates.length >= this.options.connectsPerTick;
  }

  private async leaseAndOpen(candidate: NumberRow): Promise<void> {
    const [lease] = await this.options.database.query<{ fencing_token: string; is_takeover: boolean }>(
      `insert into whatsapp_leases (number_id, owner_id, fencing_token, expires_at)
       values ($1, $2, 1, now() + make_interval(secs => $3))
       ${LEASE_TAKEOVER}
       returning fencing_token, ${IS_TAKEOVER}`,
      [candidate.id, this.workerId, this.options.leaseSeconds],
    );
    if (!lease) return;
    if (lease.is_takeover) this.options.metrics?.leaseTakeovers.inc();
    await this.open(candidate, Number(lease.fencing_token));
  }

  /**
   * Gives one idle number to the other workers when this one drives more than its share (a worker
   * joined, or took everything while alone): its lease goes and the number is marked to wake, so
   * the least loaded worker picks it up on its next tick.
   */
  private async handOverOne(): Promise<void> {
    const idle = [...this.sessions.values()].find((live) => live.isConnected && !live.isSending && !live.isCapped);
    if (!idle) return;
    this.log.info({ numberId: idle.numberId }, 'handing a number over to balance the workers');
    await this.release(idle.numberId, 'closed_by_us');
    await this.options.database.query('update whatsapp_numbers set wake_at = now() where id = $1', [idle.numberId]);
  }

  private async open(row: NumberRow, fencingToken: number): Promise<void> {
    const provider = this.options.providers.get(row.provider);
    if (!provider) return;
    // This process may still hold a session whose lease was taken away (a relink deletes it) before
    // the close notice arrived: close it, or its connection would live on unreferenced.
    await this.closeSession(row.id, 'closed_by_us');
    const limits = readPacingLimits(this.options.pacing, row.linked_at ?? row.created_at, new Date());
    const live: LiveSession = {
      numberId: row.id,
      accountId: row.account_id,
      provider,
      phone: row.phone,
      fencingToken,
      session: null,
      isConnected: false,
      isClosing: false,
      isSending: false,
      lastActivityAt: Date.now(),
      // A takeover keeps the pace the previous worker had.
      nextSendAt: row.last_sent_at ? row.last_sent_at.getTime() + computeSendGap(limits.gap, this.options.random) : 0,
      isCapped: false,
      reconnectAttempts: 0,
      reconnectTimer: null,
      pendingReceipts: [],
      pacing: {
        lastSentAt: row.last_sent_at,
        sentToday: row.is_sent_today_current ? Number(row.sent_today) : 0,
        sentTodayDate: row.is_sent_today_current ? utcDay(new Date()) : null,
        linkedAt: row.linked_at ?? row.created_at,
      },
      isDrainRequested: false,
      firstContactPausedUntil: row.first_contact_paused_until?.getTime() ?? 0,
      pairingRequest: null,
    };
    this.sessions.set(row.id, live);
    this.log.info({ numberId: row.id, provider: row.provider, fencingToken }, 'session opening');
    await this.connect(live, await this.settingsOf(live, row.settings));
  }

  private async connect(live: LiveSession, settings: Record<string, unknown>): Promise<void> {
    let hasEnded = false;
    try {
      const session = await live.provider.connect({
        numberId: live.numberId,
        phone: live.phone,
        settings,
        events: {
          onQr: (qr) => void this.storeLinkCode(live, 'qr', qr),
          onConnected: ({ phone }) => void this.onConnected(live, phone),
          onDisconnected: (reason, detail, info) => {
            if (hasEnded) return;
            hasEnded = true;
            void this.onDisconnected(live, reason, detail, info);
          },
          onReceipt: (receipt) => void this.onReceipt(live, receipt),
          onInbound: (message) => void this.onInbound(live, message),
          onRestricted: (restriction) => void this.onRestricted(live, restriction),
        },
      });
      if (live.isClosing || this.sessions.get(live.numberId) !== live) {
        // Closed or handed over while connecting: a connection left open here would later meet the
        // next one of ours on the same device, and WhatsApp would end one of them as "replaced".
        hasEnded = true;
        await session.close().catch((error: unknown) => this.log.warn({ err: error, numberId: live.numberId }, 'close failed'));

        return;
      }
      live.session = session;
    } catch (error) {
      this.log.warn({ err: error, numberId: live.numberId }, 'connect failed');
      if (hasEnded) return;
      hasEnded = true;
      if (!isRetryable(error)) {
        await this.onUnusableSettings(live, error instanceof Error ? error.message : String(error));

        return;
      }
      await this.onDisconnected(live, 'connection_lost', (error as Error).message);
    }
  }

  /**
   * The provider refused the number's settings (a Cloud API number without a valid token, say):
   * retrying every few seconds cannot help. The number shows `disconnected` with the reason, the
   * merchant is told once, and the session stays held (so no other worker picks it up in a loop)
   * and tries again only every UNUSABLE_SETTINGS_RETRY_MS, in case the settings were repaired.
   */
  private async onUnusableSettings(live: LiveSession, detail: string): Promise<void> {
    live.isConnected = false;
    live.session = null;
    if (live.isClosing) return;
    const isNew = await setNumberStatus(this.options.database, live.numberId, 'disconnected', `settings refused: ${detail}`.slice(0, 200));
    if (isNew) await this.options.hooks.onNumberAlert({ numberId: live.numberId, accountId: live.accountId }, 'disconnected');
    await this.reconnectLater(live, UNUSABLE_SETTINGS_RETRY_MS);
  }

  /** Stored settings plus the provider secrets kept encrypted apart from them (Cloud API token). */
  private async settingsOf(live: LiveSession, settings: Record<string, unknown>): Promise<Record<string, unknown>> {
    // Only Cloud API numbers have such secrets: the others open without reading them.
    if (live.provider.kind !== 'cloud') return settings;
    const secrets = await readCredential(this.options.database, this.options.keyring, live.numberId, 'cloud-api');

    return { ...settings, ...(secrets && typeof secrets === 'object' ? (secrets as Record<string, unknown>) : {}) };
  }

  private async storeLinkCode(live: LiveSession, kind: 'qr' | 'pairing', code: string): Promise<void> {
    const column = kind === 'qr' ? 'qr_envelope' : 'pairing_code_envelope';
    const envelope = encrypt(this.options.keyring, code, { ownerId: live.numberId, purpose: `link-${kind}` });
    await this.options.database
      .query(`update whatsapp_numbers set ${column} = $2, link_updated_at = now(), updated_at = now() where id = $1`, [live.numberId, envelope])
      .catch((error: unknown) => this.log.error({ err: error, numberId: live.numberId }, 'could not store the link code'));
  }

  private async onConnected(live: LiveSession, phone: string | null): Promise<void> {
    if (live.isClosing) return;
    live.isConnected = true;
    live.reconnectAttempts = 0;
    live.lastActivityAt = Date.now();
    const linkedAt = await this.options.database.transaction(async (transaction) => {
      // The first link, or another phone linked under this number (a relink), starts the warm-up pace.
      const [row] = await transaction.query<{ linked_at: Date }>(
        `update whatsapp_numbers set phone = coalesce($2, phone), qr_envelope = null, pairing_code_envelope = null,
           linked_at = case when linked_at is null or ($2::text is not null and phone is not null and phone <> $2::text) then now() else linked_at end,
           wake_at = null, last_activity_at = now(), updated_at = now() where id = $1
         returning linked_at`,
        [live.numberId, phone],
      );
      await setNumberStatus(transaction, live.numberId, 'connected', null);

      return row?.linked_at ?? null;
    });
    // The pace follows the link this connection belongs to (a relinked number warms up again).
    if (linkedAt) live.pacing.linkedAt = linkedAt;
    if (phone) live.phone = phone;
    this.log.info({ numberId: live.numberId }, 'session connected');
    void this.drainOutbox(live);
  }

  private async onDisconnected(live: LiveSession, reason: DisconnectReason, detail: string, info?: DisconnectInfo): Promise<void> {
    live.isConnected = false;
    live.session = null;
    if (live.isClosing || reason === 'closed_by_us') return;
    const { database } = this.options;
    const context = { numberId: live.numberId, accountId: live.accountId };
    this.log.warn({ numberId: live.numberId, reason }, 'session disconnected');
    live.reconnectAttempts++;
    const action = decideDisconnect(reason, detail, { ...(info ? { info } : {}), attempt: live.reconnectAttempts, now: new Date(), random: this.options.random });
    switch (action.kind) {
      case 'relink': {
        // The device's keys are void: delete them now, never reconnect.
        await database.transaction(async (transaction) => {
          await transaction.query('delete from whatsapp_auth_keys where number_id = $1', [live.numberId]);
          await setNumberStatus(transaction, live.numberId, 'logged_out', action.reason);
        });
        await this.release(live.numberId, 'closed_by_us');
        await this.options.hooks.onNumberAlert(context, action.alert);

        return;
      }
      case 'stop': {
        await setNumberStatus(database, live.numberId, 'banned', action.reason);
        await this.release(live.numberId, 'closed_by_us');
        await this.options.hooks.onNumberAlert(context, action.alert);

        return;
      }
      case 'pause': {
        await pauseConnecting(database, live.numberId, action.until, action.reason);
        await this.release(live.numberId, 'closed_by_us');
        await this.options.hooks.onNumberAlert(context, action.alert);

        return;
      }
      case 'check_lease': {
        // If we still hold the lease, the other client is not one of ours (the merchant linked
        // another tool to the same device): reconnecting would start a kick-loop.
        const [lease] = await database.query('select 1 from whatsapp_leases where number_id = $1 and owner_id = $2 and fencing_token = $3', [
          live.numberId,
          this.workerId,
          live.fencingToken,
        ]);
        if (lease) {
          await pauseConnecting(database, live.numberId, action.until, action.reason);
          await this.options.hooks.onNumberAlert(context, 'disconnected');
        }
        await this.release(live.numberId, 'closed_by_us');

        return;
      }
      case 'release': {
        // Our own lease expired and another worker drives the number: nothing to tell anyone.
        await this.closeSession(live.numberId, 'closed_by_us');

        return;
      }
      case 'reconnect': {
        if (action.alertAfterAttempts !== null && live.reconnectAttempts === action.alertAfterAttempts) {
          await setNumberStatus(database, live.numberId, 'disconnected', action.reason);
          await this.options.hooks.onNumberAlert(context, 'disconnected');
        }
        await this.reconnectLater(live, action.delayMs);

        return;
      }
    }
  }

  private async reconnectLater(live: LiveSession, delayMs: number): Promise<void> {
    if (live.reconnectTimer) clearTimeout(live.reconnectTimer);
    live.reconnectTimer = setTimeout(() => {
      live.reconnectTimer = null;
      if (live.isClosing || this.isStopped || this.sessions.get(live.numberId) !== live) return;
      void this.options.database
        .query<{ settings: Record<string, unknown> }>('select settings from whatsapp_numbers where id = $1', [live.numberId])
        .then(async ([row]) => (row ? this.connect(live, await this.settingsOf(live, row.settings)) : this.release(live.numberId, 'closed_by_us')));
    }, delayMs);
    live.reconnectTimer.unref();
  }

  private async onReceipt(live: LiveSession, receipt: Receipt): Promise<void> {
    live.lastActivityAt = Date.now();
    const isApplied = await this.receipts.apply(live.numberId, receipt);
    // The receipt overtook our record of the send: keep it briefly and apply it after.
    if (!isApplied) live.pendingReceipts.push({ receipt, until: Date.now() + 30_000 });
  }

  private async applyPendingReceipts(live: LiveSession): Promise<void> {
    const now = Date.now();
    const pending = live.pendingReceipts.filter((entry) => entry.until > now);
    live.pendingReceipts = [];
    for (const entry of pending) await this.onReceipt(live, entry.receipt);
  }

  /** WhatsApp keeps the number from writing first (number-pause.ts): stop at once, record it, tell the merchant once. */
  private async onRestricted(live: LiveSession, restriction: { until: Date | null; reason: string }): Promise<void> {
    const until = restriction.until ?? new Date(Date.now() + FIRST_CONTACT_PAUSE_MS);
    // In memory first: the next claim, maybe already running, must not write first.
    if (restriction.until || live.firstContactPausedUntil < until.getTime()) live.firstContactPausedUntil = until.getTime();
    try {
      const pause = await pauseFirstContact(this.options.database, live.numberId, {
        until,
        repeatedUntil: new Date(Date.now() + REPEATED_FIRST_CONTACT_PAUSE_MS),
        reason: restriction.reason,
        isExact: restriction.until !== null,
      });
      live.firstContactPausedUntil = pause.until.getTime();
      this.log.warn({ numberId: live.numberId, until: pause.until.toISOString() }, 'WhatsApp restricts this number: no first contact until then');
      if (pause.isNew) await this.options.hooks.onNumberAlert({ numberId: live.numberId, accountId: live.accountId }, 'restricted');
    } catch (error) {
      this.log.error({ err: error, numberId: live.numberId }, 'could not record the restriction of a number');
    }
  }

  private async onInbound(live: LiveSession, message: InboundMessage): Promise<void> {
    live.lastActivityAt = Date.now();
    try {
      await this.options.hooks.onInbound({ numberId: live.numberId, accountId: live.accountId }, message);
    } catch (error) {
      this.log.error({ err: error, numberId: live.numberId }, 'could not handle an inbound message');
    }
  }

  private onOutboxNotification(numberId: string): void {
    const live = this.sessions.get(numberId);
    if (live) void this.drainOutbox(live);
    else this.wakeForMessage(numberId);
  }

  /**
   * A message was queued for a number no session of this process holds (hibernated, or driven
   * elsewhere): open that number at once when it is wanted and free, instead of waiting for a tick
   * to pick it among the others. At most OPENS_IN_PARALLEL at a time; a worker already above its
   * fair share leaves the number to a tick (of any worker). Every worker hears the notification:
   * the lease decides which one opens it.
   */
  private wakeForMessage(numberId: string): void {
    if (this.isStopped) return;
    if (this.sessions.size >= this.fairShare) {
      void this.tick();

      return;
    }
    this.wakeQueue.add(numberId);
    while (this.wakersRunning < OPENS_IN_PARALLEL && this.wakeQueue.size > 0) {
      this.wakersRunning++;
      void this.runWaker().finally(() => this.wakersRunning--);
    }
  }

  private async runWaker(): Promise<void> {
    for (let numberId = this.takeQueuedWake(); numberId && !this.isStopped; numberId = this.takeQueuedWake()) {
      if (this.sessions.has(numberId)) continue;
      try {
        // Whether it is wanted and free, and its lease, in one statement.
        const [candidate] = await this.options.database.query<NumberRow & { fencing_token: string; is_takeover: boolean }>(
          `with candidate as (select ${WANTED_NUMBER_COLUMNS} from whatsapp_numbers n where n.id = $2 and ${WANTED_CONDITION}),
           lease as (
             insert into whatsapp_leases (number_id, owner_id, fencing_token, expires_at)
             select id, $3, 1, now() + make_interval(secs => $4) from candidate
             ${LEASE_TAKEOVER}
             returning number_id, fencing_token, ${IS_TAKEOVER})
           select candidate.*, lease.fencing_token, lease.is_takeover from candidate join lease on lease.number_id = candidate.id`,
          [[...this.options.providers.keys()], numberId, this.workerId, this.options.leaseSeconds],
        );
        if (candidate?.is_takeover) this.options.metrics?.leaseTakeovers.inc();
        if (candidate) await this.open(candidate, Number(candidate.fencing_token));
      } catch (error) {
        this.log.error({ err: error, numberId }, 'could not wake a number for its queued message');
      }
    }
  }

  private takeQueuedWake(): string | undefined {
    const [numberId] = this.wakeQueue;
    if (numberId !== undefined) this.wakeQueue.delete(numberId);

    return numberId;
  }

  /** Sends the number's due messages one by one, paced, while this process holds its lease. */
  private async drainOutbox(live: LiveSession): Promise<void> {
    if (live.isSending) {
      live.isDrainRequested = true;

      return;
    }
    if (!live.isConnected || live.isClosing || !live.session) return;
    live.isSending = true;
    try {
      while (live.isConnected && !live.isClosing && live.session) {
        live.isDrainRequested = false;
        const waitMs = live.nextSendAt - Date.now();
        if (waitMs > 0) {
          // Messages queued after the day's cap was reached show when they will go out.
          if (live.isCapped) await this.deferQueuedMessages(live, new Date(live.nextSendAt));
          setTimeout(() => void this.drainOutbox(live), waitMs).unref();

          return;
        }
        const outcome = await this.sendNext(live);
        // Stop when nothing else is due, unless a message was queued meanwhile.
        if (outcome !== 'handled_more_due' && !live.isDrainRequested) return;
      }
    } catch (error) {
      this.log.error({ err: error, numberId: live.numberId }, 'outbox drain failed');
    } finally {
      live.isSending = false;
    }
  }

  /**
   * Claims and sends the number's next due message. Two statements on the way of a message: the
   * claim (which also tells whether another one is due, so a drain needs no last empty claim) and
   * the record of the send; the pace is kept in memory.
   */
  private async sendNext(live: LiveSession): Promise<SendOutcome> {
    const { database } = this.options;
    const pacingState = await this.readPacingState(live);
    if (!pacingState) return 'nothing_handled';
    // Claim the next due message, only while our lease (and its token) is still valid.
    const [message] = await database.query<ClaimedMessage>(
      `with claimed as (
         update messages set status = 'sending', sending_token = $3, attempts = attempts + 1, updated_at = now()
         where id = (
           select m.id from messages m
           where m.number_id = $1 and m.status in ('queued', 'sending') and m.send_after <= now()
           order by m.send_after, m.id limit 1 for update skip locked)
         and exists (select 1 from whatsapp_leases l where l.number_id = $1 and l.owner_id = $2 and l.fencing_token = $3 and l.expires_at > now())
         returning id, order_id, kind, text, customer_phone, attempts, account_id, template, provider_message_id, trace_parent)
       select claimed.*, exists (
           select 1 from messages m
           where m.number_id = $1 and m.status in ('queued', 'sending') and m.send_after <= now() and m.id <> claimed.id) as is_more_due
       from claimed`,
      [live.numberId, this.workerId, live.fencingToken],
      { isPrepared: true },
    );
    if (!message) return 'nothing_handled';
    // The send continues the trace of the span that queued the message (its order's).
    return tracing.inSpan(
      'whatsapp.send',
      {
        parent: message.trace_parent,
        kind: 'client',
        attributes: { 'akked.message.id': message.id, 'akked.message.kind': message.kind, 'akked.number.id': live.numberId, 'akked.send.attempt': message.attempts, ...(message.order_id ? { 'akked.order.id': message.order_id } : {}) },
      },
      () => this.sendClaimed(live, message, pacingState),
    );
  }

  /** Sends a claimed message and records the outcome: sent, retried later, or failed for good. */
  private async sendClaimed(live: LiveSession, message: ClaimedMessage, pacingState: Omit<SendSlotOptions, 'lastSentAt'> & { lastSentAt: Date | null }): Promise<SendOutcome> {
    const { database } = this.options;
    const session = live.session;
    if (!session) return 'nothing_handled';
    live.lastActivityAt = Date.now();
    let providerMessageId: string | null = message.provider_message_id;
    try {
      providerMessageId = await recordClaimedProviderId(database, session, message, live.fencingToken);
      // WhatsApp restricts the number (463, reach-out timelock): writing first would count as one
      // more reach-out. The message fails as reach_out_restricted, so its order goes to the Cloud
      // fallback or waits for the customer's link, and the credit comes back.
      if (FIRST_CONTACT_KINDS.has(message.kind) && live.firstContactPausedUntil > Date.now()) {
        throw new AppError('upstream_failed', { message: 'WhatsApp keeps this number from writing first for now', retryable: false, details: { reason: 'reach_out_restricted' } });
      }
      // Ask before the first attempt of a confirmation whether the customer has WhatsApp at all
      // (providers that cannot tell answer null and the send decides), and under which phone.
      if (message.kind === 'confirmation' && message.attempts === 1) {
        const found = session.lookUpOnWhatsApp ? await session.lookUpOnWhatsApp(message.customer_phone) : { exists: await session.checkOnWhatsApp(message.customer_phone), phone: message.customer_phone };
        if (found?.exists === false) {
          throw new AppError('upstream_failed', { message: 'the customer has no WhatsApp account', retryable: false, details: { reason: 'not_on_whatsapp' } });
        }
        if (found?.exists && found.phone !== message.customer_phone) {
          await useWhatsAppPhone(database, { messageId: message.id, orderId: message.order_id, phone: found.phone });
          message.customer_phone = found.phone;
        }
      }
      if (message.template && !session.sendTemplate) {
        throw new AppError('upstream_failed', { message: 'this provider cannot send templates', retryable: false, details: { reason: 'rejected' } });
      }
      const result =
        message.template && session.sendTemplate
          ? await session.sendTemplate({ messageId: message.id, to: message.customer_phone, templateName: message.template.name, languageCode: message.template.languageCode, bodyParameters: message.template.bodyParameters })
          : await session.send({ messageId: message.id, ...(providerMessageId ? { providerMessageId } : {}), to: message.customer_phone, text: message.text });
      const sentAt = new Date();
      await recordSent(database, { numberId: live.numberId, messageId: message.id, sendingToken: live.fencingToken, providerMessageId: result.providerMessageId, at: sentAt, traceParent: tracing.traceParent() });
      this.options.metrics?.messages.inc({ kind: message.kind, outcome: 'sent', reason: 'none' });
      tracing.annotate({ 'akked.send.outcome': 'sent' });
      const today = utcDay(sentAt);
      live.pacing = {
        ...live.pacing,
        lastSentAt: sentAt,
        sentToday: live.pacing.sentTodayDate === today ? live.pacing.sentToday + 1 : 1,
        sentTodayDate: today,
      };
      const next = decideSendSlot({ ...pacingState, lastSentAt: sentAt, sentToday: pacingState.sentToday + 1, now: sentAt });
      live.isCapped = false;
      if ('at' in next) live.nextSendAt = next.at.getTime();
      else await this.deferQueuedMessages(live, next.deferUntil);
      await this.applyPendingReceipts(live);

      return message.is_more_due ? 'handled_more_due' : 'handled';
    } catch (error) {
      const isPermanent = error instanceof AppError && !error.retryable;
      const reason = error instanceof AppError ? String(error.details?.reason ?? error.code) : 'send_failed';
      // A receipt (delivered, read) may have come while the send waited for its lost ack: then it was sent.
      if (await hasAdvancedPastSending(database, message.id)) {
        await recordSent(database, { numberId: live.numberId, messageId: message.id, sendingToken: live.fencingToken, providerMessageId, at: new Date() });

        return message.is_more_due ? 'handled_more_due' : 'handled';
      }
      if (isPermanent || message.attempts >= MAX_SEND_ATTEMPTS) {
        await database.query("update messages set status = 'failed', error = $2, send_after = null, updated_at = now() where id = $1 and status in ('queued', 'sending')", [message.id, reason]);
        this.options.metrics?.messages.inc({ kind: message.kind, outcome: 'failed', reason: isPermanent ? reason : 'number_disconnected' });
        tracing.annotate({ 'akked.send.outcome': 'failed', 'akked.send.reason': isPermanent ? reason : 'number_disconnected' });
        this.log.warn({ numberId: live.numberId, messageId: message.id, reason }, 'message failed');
        await this.options.hooks.onSendFailed(
          { id: message.id, orderId: message.order_id, kind: message.kind, accountId: message.account_id, numberId: live.numberId },
          isPermanent ? reason : 'number_disconnected',
        );

        return message.is_more_due ? 'handled_more_due' : 'handled';
      }
      // Transient: back to the queue with backoff; the same message id is reused on the next try.
      this.options.metrics?.messages.inc({ kind: message.kind, outcome: 'retried', reason });
      tracing.annotate({ 'akked.send.outcome': 'retried', 'akked.send.reason': reason });
      const backoffSeconds = Math.min(300, 2 ** message.attempts);
      await database.query(
        "update messages set status = 'queued', send_after = now() + make_interval(secs => $2), updated_at = now() where id = $1 and status in ('queued', 'sending')",
        [message.id, backoffSeconds],
      );
      this.log.warn({ err: error, numberId: live.numberId, messageId: message.id }, 'send failed; will retry');

      return 'nothing_handled';
    }
  }

  /** Today's cap is used up: the number's queued messages wait for the next day (UTC). */
  private async deferQueuedMessages(live: LiveSession, until: Date): Promise<void> {
    this.log.warn({ numberId: live.numberId }, 'daily send cap reached; sending resumes tomorrow');
    await this.options.database.query("update messages set send_after = $2 where number_id = $1 and status = 'queued' and send_after < $2", [live.numberId, until]);
    live.nextSendAt = until.getTime();
    live.isCapped = true;
  }

  /**
   * The number's pacing inputs, or null when today's cap is used up: its queued messages then wait
   * for the next day (UTC).
   */
  private async readPacingState(live: LiveSession): Promise<Omit<SendSlotOptions, 'lastSentAt'> & { lastSentAt: Date | null } | null> {
    const now = new Date();
    const state = {
      lastSentAt: live.pacing.lastSentAt,
      sentToday: live.pacing.sentTodayDate === utcDay(now) ? live.pacing.sentToday : 0,
      linkedAt: live.pacing.linkedAt,
      now,
      timezone: 'UTC',
      policy: this.options.pacing,
      random: this.options.random,
    };
    const decision = decideSendSlot({ ...state, lastSentAt: null });
    if ('deferUntil' in decision) {
      await this.deferQueuedMessages(live, decision.deferUntil);

      return null;
    }

    return state;
  }

  private async hibernateIdleSessions(): Promise<void> {
    const now = Date.now();
    for (const live of [...this.sessions.values()]) {
      if (!live.isConnected || live.isSending || now - live.lastActivityAt < this.options.idleMilliseconds) continue;
      const [busy] = await this.options.database.query(`select 1 where ${BUSY_CONDITION.replaceAll('n.id', '$1')}`, [live.numberId]);
      if (busy) continue;
      this.log.info({ numberId: live.numberId }, 'hibernating');
      await this.options.database.transaction(async (transaction) => {
        // Wake at least daily so WhatsApp does not drop an idle linked device.
        await transaction.query("update whatsapp_numbers set wake_at = now() + interval '20 hours' where id = $1", [live.numberId]);
        await setNumberStatus(transaction, live.numberId, 'hibernated', null);
      });
      await this.release(live.numberId, 'closed_by_us');
    }
  }

  private async closeSession(numberId: string, reason: DisconnectReason): Promise<void> {
    const live = this.sessions.get(numberId);
    if (!live) return;
    live.isClosing = true;
    this.sessions.delete(numberId);
    if (live.reconnectTimer) clearTimeout(live.reconnectTimer);
    await live.session?.close().catch((error: unknown) => this.log.warn({ err: error, numberId }, 'close failed'));
    live.session = null;
    this.log.info({ numberId, reason }, 'session closed');
  }

  /** Closes the session and gives the lease up at once, so another worker may take the number. */
  private async release(numberId: string, reason: DisconnectReason): Promise<void> {
    const live = this.sessions.get(numberId);
    await this.closeSession(numberId, reason);
    if (live) {
      await this.options.database
        .query('delete from whatsapp_leases where number_id = $1 and owner_id = $2 and fencing_token = $3', [numberId, this.workerId, live.fencingToken])
        .catch(() => undefined);
    }
  }
}

/** How long a pairing code is handed out again for the same phone and connection (codes expire within minutes). */
const PAIRING_CODE_REUSE_MS = 60_000;

/** How often a number whose settings the provider refused is tried again. */
const UNUSABLE_SETTINGS_RETRY_MS = 10 * 60_000;

/**
 * How long an order a 463 left to the customer-first flow keeps its number connected: the customer
 * writes through the wa.me link from the thank-you page, usually within minutes, and a linked
 * device only receives while it is connected (WhatsApp's server holds messages a while, not for
 * ever, and a number woken only daily would answer a day late).
 */
export const CUSTOMER_FIRST_WINDOW = '24 hours';

/**
 * A number needs a live session when it is linking, has messages due, has orders awaiting a reply
 * (replies reach a linked device only while it is connected) or awaiting the customer's first
 * message (CUSTOMER_FIRST_WINDOW), or its scheduled wake time passed.
 */
const BUSY_CONDITION = `(
  exists (select 1 from messages m where m.number_id = n.id and m.status in ('queued', 'sending') and m.send_after <= now() + interval '5 seconds')
  or exists (select 1 from orders o join stores s on s.id = o.store_id
             where s.whatsapp_number_id = n.id and o.status in ('sent', 'delivered', 'read'))
  or exists (select 1 from orders o join stores s on s.id = o.store_id
             where s.whatsapp_number_id = n.id and o.status = 'failed' and o.failure_reason = 'reach_out_restricted'
               and o.updated_at > now() - interval '${CUSTOMER_FIRST_WINDOW}')
)`;

const WANTED_CONDITION = `n.provider = any($1::text[]) and n.status not in ('logged_out', 'banned') and ${IS_CONNECTING_ALLOWED}
  and not exists (select 1 from whatsapp_leases l where l.number_id = n.id and l.expires_at > now())
  and ((n.status = 'pending_link' and n.wake_at <= now()) or n.wake_at <= now() or (n.status <> 'pending_link' and ${BUSY_CONDITION}))`;

const WANTED_NUMBERS_COUNT = `select count(*) from whatsapp_numbers n where ${WANTED_CONDITION}`;

const WANTED_NUMBER_COLUMNS = `n.id, n.account_id, n.provider, n.phone, n.status, n.settings, n.last_sent_at, n.linked_at, n.created_at, n.first_contact_paused_until,
    n.sent_today, coalesce(n.sent_today_date = (now() at time zone 'utc')::date, false) as is_sent_today_current`;

const WANTED_NUMBERS_SELECT = `select ${WANTED_NUMBER_COLUMNS} from whatsapp_numbers n where ${WANTED_CONDITION} order by n.wake_at nulls last, n.id`;

/** A lease insert takes a number over only when its previous lease expired, with a higher fencing token. */
const LEASE_TAKEOVER = `on conflict (number_id) do update set owner_id = excluded.owner_id,
  fencing_token = whatsapp_leases.fencing_token + 1, expires_at = excluded.expires_at, updated_at = now()
  where whatsapp_leases.expires_at < now()`;

/** Whether LEASE_TAKEOVER's row came from its update (an expired lease taken over) rather than its insert. */
const IS_TAKEOVER = `(xmax::text <> '0') as is_takeover`;

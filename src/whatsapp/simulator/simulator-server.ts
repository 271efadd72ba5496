import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import {
  CLOSE_CODES,
  DeviceFrameSchema,
  MAX_FRAME_BYTES,
  MAX_TEXT_LENGTH,
  PhoneSchema,
  SEND_ERROR_CODES,
  type DeviceFrame,
  type NetworkFrame,
  type SendRefusalReason,
} from './simulator-protocol.ts';
import { createNetworkFaults, createStorm, StormBodySchema, type NetworkFaultOptions } from './simulator-faults.ts';

/**
 * The simulated WhatsApp network (DESIGN.md §2, §5.1 `akked simulator`): an HTTP + WebSocket
 * server, all in memory, that behaves like the real network where Akked depends on it.
 *
 * - Devices connect by WebSocket (protocol in `simulator-protocol.ts`). One live connection per
 *   phone: a second one replaces the first, which is closed with "replaced" (WhatsApp's 440).
 * - A send is acked, then receipts follow: delivered after `deliveredAfterMs`, read after
 *   `readAfterMs` (both counted from the send). Receipts and customer messages for a phone whose
 *   device is offline are queued and delivered on its next connection.
 * - A send whose id the network already has from that sender is acked again and not delivered
 *   twice, so a retried job with a deterministic message id cannot double-send.
 * - Failure modes per phone, scripted through the control API: `reach_out_restricted` (463, lifted
 *   for a linked number once that customer writes to it, as a customer-initiated chat does on
 *   WhatsApp), `not_on_whatsapp`, `banned` (closes and refuses the phone's device until cleared),
 *   `account_restricted` on a linked phone (WhatsApp's reach-out timelock: for `durationMs`, default
 *   an hour, every first message to a customer who never wrote to it is refused with 463, and its
 *   device is told until when, now and on every connection), `outdated` (its device is closed and
 *   refused as an outdated client, 405, until cleared), and one-shot actions `disconnect`, `logout`
 *   and `restart_required` on a linked phone.
 * - Network faults (`simulator-faults.ts`): every ack delayed by `ackDelayMs` plus up to `jitterMs`
 *   (receipts follow the ack), receipts lost at `receiptDropRate`, `stall` (a phone's sends are
 *   held unacknowledged and undelivered until `/control/clear`; then each is delivered once, and
 *   acked on its connection if that is still open), and a disconnect storm.
 *
 * Control API (JSON; errors `{error:{code,message}}`):
 *   POST /control/reply {from, to, text}    a customer at `from` writes to linked number `to` → 202 {id}
 *   GET  /control/messages?to=E164          messages the network delivered to that phone, newest last:
 *                                           {messages:[{id, from, text, status, at}]}
 *   POST /control/fail {phone, mode[, durationMs]}  mode: reach_out_restricted | not_on_whatsapp |
 *                                           disconnect | logout | banned | restart_required | stall |
 *                                           account_restricted | outdated
 *   POST /control/clear {phone}             lift reach_out_restricted / not_on_whatsapp / banned / stall /
 *                                           account_restricted / outdated
 *   POST /control/storm {durationMs, everyMs}  cut every device now and every `everyMs` for
 *                                           `durationMs` (0 ends a storm) → 202 {active, endsAt, ...}
 *   GET  /control/storm                     {active, startedAt, endsAt, everyMs, disconnects}
 *   GET  /control/devices                   {devices:[{phone, device, connectedAt}]}
 *   GET  /healthz                           {status:'ok'}
 */

export type SimulatorOptions = {
  port?: number;
  host?: string;
  deliveredAfterMs?: number;
  readAfterMs?: number;
  /** Messages kept per phone for `GET /control/messages`; older ones are dropped. */
  maxMessagesPerPhone?: number;
  logger?: Logger;
} & NetworkFaultOptions;

export type RunningSimulator = {
  /** Base URL, e.g. `http://127.0.0.1:4010`; devices connect to `<url>/ws`. */
  url: string;
  port: number;
  close(): Promise<void>;
};

type MessageStatus = 'sent' | 'delivered' | 'read';

type StoredMessage = {
  id: string;
  from: string;
  to: string;
  text: string;
  status: MessageStatus;
  at: Date;
};

type QueuedFrame = {
  frame: NetworkFrame;
  /** The customer message this frame delivers, marked delivered once the device confirms. */
  inboundMessage?: StoredMessage;
};

type Connection = { socket: WebSocket; device: string; connectedAt: Date };

type PhoneState = {
  phone: string;
  /** What the network delivered to this phone, oldest first. */
  inbox: StoredMessage[];
  /** Messages this phone sent, by the id it chose: the deduplication index. */
  sentById: Map<string, StoredMessage>;
  /** Receipts and customer messages waiting for the device's `received`, by sequence number. */
  queue: Map<number, QueuedFrame>;
  nextSeq: number;
  /** The linked device registered for this phone, forgotten on logout. */
  device: string | undefined;
  connection: Connection | undefined;
  recipientMode: 'reach_out_restricted' | 'not_on_whatsapp' | undefined;
  banned: boolean;
  /** Customers who wrote to this phone: sending to them is no cold reach-out any more. */
  contactedBy: Set<string>;
  /** `stall`: this phone's sends are held, unacknowledged and undelivered, until cleared. */
  stalled: boolean;
  held: Array<{ socket: WebSocket; frame: Extract<DeviceFrame, { type: 'send' }> }>;
  /** `account_restricted`: until then (epoch ms) this phone may write only to customers who wrote to it (463). */
  restrictedUntil: number;
  /** `outdated`: the phone's device is refused as an outdated client (405) until cleared. */
  outdated: boolean;
};

const FAIL_MODES = ['reach_out_restricted', 'not_on_whatsapp', 'disconnect', 'logout', 'banned', 'restart_required', 'stall', 'account_restricted', 'outdated'] as const;

/** How long `account_restricted` lasts unless the control call says. */
const DEFAULT_RESTRICTION_MS = 60 * 60_000;

const ReplyBodySchema = z.object({
  from: PhoneSchema,
  to: PhoneSchema,
  text: z.string().min(1).max(MAX_TEXT_LENGTH),
});
const FailBodySchema = z.object({ phone: PhoneSchema, mode: z.enum(FAIL_MODES), durationMs: z.number().int().positive().max(30 * 24 * 3_600_000).optional() });
const ClearBodySchema = z.object({ phone: PhoneSchema });
const DeviceIdSchema = z.string().min(1).max(200);

const DEFAULT_DELIVERED_AFTER_MS = 300;
const DEFAULT_READ_AFTER_MS = 1500;
const DEFAULT_MAX_MESSAGES_PER_PHONE = 1000;
/** Bounds the per-phone indexes that are not shown to anyone, so a long benchmark cannot grow memory. */
const INDEX_SIZE_FACTOR = 10;
/** How long `close()` lets devices answer the close frame before cutting them off. */
const CLOSE_GRACE_MS = 500;

/** Drops the oldest entries of a Map or Set (both keep insertion order) beyond `limit`. */
const trimOldest = <K>(collection: Map<K, unknown> | Set<K>, limit: number): void => {
  while (collection.size > limit) {
    const oldest = collection.keys().next();
    if (oldest.done === true) return;
    collection.delete(oldest.value);
  }
};

const newSimulatedMessageId = (): string => `SIM${randomBytes(10).toString('hex').toUpperCase()}`;

const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`).join('; ');

const sendJson = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
};

const sendError = (response: ServerResponse, error: AppError): void => {
  sendJson(response, error.status, { error: { code: error.code, message: error.message } });
};

const readJsonBody = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_FRAME_BYTES) {
      throw new AppError('payload_too_large', { message: `The body is larger than ${MAX_FRAME_BYTES} bytes` });
    }
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new AppError('malformed_json', { message: 'The body is not valid JSON' });
  }
};

const parseBody = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError('bad_request', { message: describeIssues(parsed.error) });

  return parsed.data;
};

/**
 * A `+` in a query string decodes to a space; people type `?to=+2126...` unescaped, so a leading
 * space before a digit is read back as the plus it was.
 */
const readPhoneParameter = (value: string | null, name: string): string => {
  const repaired = value?.replace(/^ (?=\d)/, '+');
  const parsed = PhoneSchema.safeParse(repaired);
  if (!parsed.success) {
    throw new AppError('bad_request', { message: `${name}: must be an E.164 phone number (escape the plus as %2B)` });
  }

  return parsed.data;
};

const rejectUpgrade = (socket: Duplex, status: 400 | 404, message: string): void => {
  const body = JSON.stringify({ error: { code: status === 400 ? 'bad_request' : 'not_found', message } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Not Found'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
};

export const startSimulator = async (options: SimulatorOptions = {}): Promise<RunningSimulator> => {
  const deliveredAfterMs = options.deliveredAfterMs ?? DEFAULT_DELIVERED_AFTER_MS;
  // A read receipt never overtakes the delivered one.
  const readAfterMs = Math.max(options.readAfterMs ?? DEFAULT_READ_AFTER_MS, deliveredAfterMs);
  const maxMessagesPerPhone = options.maxMessagesPerPhone ?? DEFAULT_MAX_MESSAGES_PER_PHONE;
  const maxIndexSize = maxMessagesPerPhone * INDEX_SIZE_FACTOR;
  const log = options.logger?.child({ component: 'whatsapp-simulator' });
  const faults = createNetworkFaults(options);

  const phones = new Map<string, PhoneState>();
  const timers = new Set<NodeJS.Timeout>();
  let isClosing = false;

  const stateOf = (phone: string): PhoneState => {
    let state = phones.get(phone);
    if (!state) {
      state = {
        phone,
        inbox: [],
        sentById: new Map(),
        queue: new Map(),
        nextSeq: 1,
        device: undefined,
        connection: undefined,
        recipientMode: undefined,
        banned: false,
        contactedBy: new Set(),
        stalled: false,
        held: [],
        restrictedUntil: 0,
        outdated: false,
      };
      phones.set(phone, state);
    }

    return state;
  };

  const schedule = (delayMs: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, delayMs);
    timers.add(timer);
  };

  const writeFrame = (socket: WebSocket, frame: NetworkFrame): void => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify(frame), (error) => {
      // The frame stays queued when it needs confirming, so a failed write is only worth a log line.
      if (error) log?.debug({ err: error }, 'could not write a frame to a device');
    });
  };

  const storeInInbox = (state: PhoneState, message: StoredMessage): void => {
    state.inbox.push(message);
    if (state.inbox.length > maxMessagesPerPhone) state.inbox.splice(0, state.inbox.length - maxMessagesPerPhone);
  };

  /** Queues a receipt or customer message for a phone's device and writes it at once if online. */
  const queueForDevice = (
    state: PhoneState,
    frame: DistributiveOmit<Extract<NetworkFrame, { type: 'receipt' | 'inbound' }>, 'seq'>,
    inboundMessage?: StoredMessage,
  ): void => {
    const seq = state.nextSeq++;
    const sequenced = { ...frame, seq } as NetworkFrame;
    state.queue.set(seq, inboundMessage ? { frame: sequenced, inboundMessage } : { frame: sequenced });
    trimOldest(state.queue, maxIndexSize);
    if (state.connection) writeFrame(state.connection.socket, sequenced);
  };

  const forgetDevice = (state: PhoneState): void => {
    state.device = undefined;
    state.queue.clear();
  };

  /** Closes a phone's live connection with a WhatsApp-like code; `terminate` cuts TCP instead. */
  const dropConnection = (state: PhoneState, how: { code: number; reason: string } | 'terminate'): void => {
    const connection = state.connection;
    if (!connection) return;
    state.connection = undefined;
    if (how === 'terminate') connection.socket.terminate();
    else connection.socket.close(how.code, how.reason);
  };

  const advanceStatus = (message: StoredMessage, status: 'delivered' | 'read'): void => {
    // Receipts only move forward: sent → delivered → read.
    if (message.status === 'read' || (message.status === 'delivered' && status === 'delivered')) return;
    message.status = status;
  };

  const sendResult = (id: string, outcome: { at: Date } | SendRefusalReason): NetworkFrame =>
    typeof outcome === 'string'
      ? { type: 'send_result', id, ok: false, code: SEND_ERROR_CODES[outcome], reason: outcome }
      : { type: 'send_result', id, ok: true, at: outcome.at.toISOString() };

  /** Delivers a send (once per id) and answers its result; receipts are timed from the ack. */
  const handleSend = (sender: PhoneState, frame: Extract<DeviceFrame, { type: 'send' }>, ackDelayMs: number): NetworkFrame => {
    const known = sender.sentById.get(frame.id);
    if (known) return sendResult(frame.id, { at: known.at });

    const recipient = stateOf(frame.to);
    if (recipient.recipientMode === 'not_on_whatsapp') return sendResult(frame.id, 'not_on_whatsapp');
    if ((recipient.recipientMode === 'reach_out_restricted' || sender.restrictedUntil > Date.now()) && !sender.contactedBy.has(frame.to)) {
      return sendResult(frame.id, 'reach_out_restricted');
    }

    const message: StoredMessage = { id: frame.id, from: sender.phone, to: frame.to, text: frame.text, status: 'sent', at: new Date() };
    storeInInbox(recipient, message);
    sender.sentById.set(frame.id, message);
    trimOldest(sender.sentById, maxIndexSize);

    const sendReceipt = (status: 'delivered' | 'read') => {
      advanceStatus(message, status);
      // Receipts for a device that was logged out meanwhile have nowhere to go; a lossy network
      // loses some on the way (the customer still got the message).
      if (sender.device === undefined || faults.dropsReceipt()) return;
      queueForDevice(sender, { type: 'receipt', id: message.id, status, at: new Date().toISOString() });
    };
    schedule(ackDelayMs + deliveredAfterMs, () => sendReceipt('delivered'));
    schedule(ackDelayMs + readAfterMs, () => sendReceipt('read'));

    return sendResult(frame.id, { at: message.at });
  };

  /** Handles a send now and writes its result to the connection that sent it, after the ack delay. */
  const answerSend = (state: PhoneState, socket: WebSocket, frame: Extract<DeviceFrame, { type: 'send' }>): void => {
    const delay = faults.ackDelay();
    const result = handleSend(state, frame, delay);
    if (delay === 0) writeFrame(socket, result);
    else schedule(delay, () => writeFrame(socket, result));
  };

  /** Lifts `stall`: every held send reaches the network in order (once per id), as if the jam cleared. */
  const releaseHeld = (state: PhoneState): void => {
    state.stalled = false;
    for (const { socket, frame } of state.held.splice(0)) answerSend(state, socket, frame);
  };

  const handleDeviceFrame = (state: PhoneState, socket: WebSocket, data: RawData): void => {
    // Frames from a connection that was replaced are ignored, as the real network does.
    if (state.connection?.socket !== socket) return;
    let json: unknown;
    try {
      json = JSON.parse(data.toString()) as unknown;
    } catch {
      writeFrame(socket, { type: 'protocol_error', message: 'The frame is not valid JSON' });

      return;
    }
    const parsed = DeviceFrameSchema.safeParse(json);
    if (!parsed.success) {
      // A send the network cannot take is refused by its id, so the sender is not left waiting.
      const sendId = z.object({ type: z.literal('send'), id: z.string().min(1) }).safeParse(json);
      writeFrame(
        socket,
        sendId.success ? sendResult(sendId.data.id, 'rejected') : { type: 'protocol_error', message: describeIssues(parsed.error) },
      );

      return;
    }
    const frame = parsed.data;
    switch (frame.type) {
      case 'send':
        if (state.stalled) {
          state.held.push({ socket, frame });
          if (state.held.length > maxIndexSize) state.held.splice(0, state.held.length - maxIndexSize);
        } else {
          answerSend(state, socket, frame);
        }
        break;
      case 'check':
        writeFrame(socket, {
          type: 'check_result',
          requestId: frame.requestId,
          onWhatsApp: phones.get(frame.phone)?.recipientMode !== 'not_on_whatsapp',
        });
        break;
      case 'received': {
        const queued = state.queue.get(frame.seq);
        state.queue.delete(frame.seq);
        if (queued?.inboundMessage) advanceStatus(queued.inboundMessage, 'delivered');
        break;
      }
      case 'logout':
        log?.info({ device: state.connection.device }, 'device logged out');
        forgetDevice(state);
        dropConnection(state, { code: CLOSE_CODES.loggedOut, reason: 'logged out' });
        break;
    }
  };

  const acceptDevice = (socket: WebSocket, phone: string, device: string): void => {
    const state = stateOf(phone);
    socket.on('error', (error) => log?.debug({ err: error }, 'device connection error'));
    if (state.banned) {
      socket.close(CLOSE_CODES.banned, 'banned');

      return;
    }
    if (state.outdated) {
      socket.close(CLOSE_CODES.clientOutdated, 'client outdated');

      return;
    }
    if (state.connection) {
      log?.info({ device: state.connection.device }, 'connection replaced by a new one for the same phone');
      dropConnection(state, { code: CLOSE_CODES.replaced, reason: 'replaced' });
    }
    state.connection = { socket, device, connectedAt: new Date() };
    state.device = device;
    log?.info({ device }, 'device connected');

    socket.on('message', (data) => handleDeviceFrame(state, socket, data));
    socket.on('close', () => {
      if (state.connection?.socket === socket) state.connection = undefined;
    });

    writeFrame(socket, { type: 'ready', phone, device });
    if (state.restrictedUntil > Date.now()) writeFrame(socket, { type: 'restriction', until: new Date(state.restrictedUntil).toISOString() });
    for (const queued of state.queue.values()) writeFrame(socket, queued.frame);
  };

  const handleControl = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const route = `${request.method ?? 'GET'} ${url.pathname}`;
    switch (route) {
      case 'GET /healthz':
        sendJson(response, 200, { status: 'ok' });

        return;
      case 'POST /control/reply': {
        const body = parseBody(ReplyBodySchema, await readJsonBody(request));
        const linked = stateOf(body.to);
        const message: StoredMessage = { id: newSimulatedMessageId(), from: body.from, to: body.to, text: body.text, status: 'sent', at: new Date() };
        storeInInbox(linked, message);
        linked.contactedBy.add(body.from);
        trimOldest(linked.contactedBy, maxIndexSize);
        queueForDevice(linked, { type: 'inbound', id: message.id, from: body.from, text: body.text, at: message.at.toISOString() }, message);
        sendJson(response, 202, { id: message.id });

        return;
      }
      case 'GET /control/messages': {
        const phone = readPhoneParameter(url.searchParams.get('to'), 'to');
        const inbox = phones.get(phone)?.inbox ?? [];
        sendJson(response, 200, {
          messages: inbox.map((message) => ({
            id: message.id,
            from: message.from,
            text: message.text,
            status: message.status,
            at: message.at.toISOString(),
          })),
        });

        return;
      }
      case 'POST /control/fail': {
        const body = parseBody(FailBodySchema, await readJsonBody(request));
        applyFailure(body.phone, body.mode, body.durationMs);
        sendJson(response, 200, { phone: body.phone, mode: body.mode });

        return;
      }
      case 'POST /control/clear': {
        const body = parseBody(ClearBodySchema, await readJsonBody(request));
        const state = phones.get(body.phone);
        if (state) {
          state.recipientMode = undefined;
          state.banned = false;
          state.restrictedUntil = 0;
          state.outdated = false;
          releaseHeld(state);
        }
        sendJson(response, 200, { phone: body.phone });

        return;
      }
      case 'POST /control/storm': {
        const body = parseBody(StormBodySchema, await readJsonBody(request));
        const state = storm.start(body);
        log?.info({ durationMs: body.durationMs, everyMs: body.everyMs }, body.durationMs === 0 ? 'disconnect storm ended' : 'disconnect storm started');
        sendJson(response, 202, state);

        return;
      }
      case 'GET /control/storm':
        sendJson(response, 200, storm.state());

        return;
      case 'GET /control/devices': {
        const devices = [...phones.values()].flatMap((state) =>
          state.connection
            ? [{ phone: state.phone, device: state.connection.device, connectedAt: state.connection.connectedAt.toISOString() }]
            : [],
        );
        sendJson(response, 200, { devices });

        return;
      }
      default:
        throw new AppError('not_found', { message: `No route ${route}` });
    }
  };

  const applyFailure = (phone: string, mode: (typeof FAIL_MODES)[number], durationMs?: number): void => {
    const state = stateOf(phone);
    const requireConnection = () => {
      if (!state.connection) throw new AppError('not_found', { message: 'No device of that phone is connected' });
    };
    log?.info({ mode }, 'failure mode applied');
    switch (mode) {
      case 'reach_out_restricted':
      case 'not_on_whatsapp':
        state.recipientMode = mode;
        break;
      case 'banned':
        state.banned = true;
        dropConnection(state, { code: CLOSE_CODES.banned, reason: 'banned' });
        break;
      case 'disconnect':
        requireConnection();
        // Cut without a close frame, as a lost network does; the device sees code 1006.
        dropConnection(state, 'terminate');
        break;
      case 'stall':
        state.stalled = true;
        break;
      case 'account_restricted':
        // The whole account, not one customer: every first message is refused (463) until it ends,
        // and WhatsApp tells the device until when (its reach-out timelock).
        state.restrictedUntil = Date.now() + (durationMs ?? DEFAULT_RESTRICTION_MS);
        if (state.connection) writeFrame(state.connection.socket, { type: 'restriction', until: new Date(state.restrictedUntil).toISOString() });
        break;
      case 'outdated':
        state.outdated = true;
        if (state.connection) dropConnection(state, { code: CLOSE_CODES.clientOutdated, reason: 'client outdated' });
        break;
      case 'restart_required':
        requireConnection();
        dropConnection(state, { code: CLOSE_CODES.restartRequired, reason: 'restart required' });
        break;
      case 'logout':
        if (!state.connection && state.device === undefined) {
          throw new AppError('not_found', { message: 'No device is linked to that phone' });
        }
        forgetDevice(state);
        dropConnection(state, { code: CLOSE_CODES.loggedOut, reason: 'logged out' });
        break;
    }
  };

  /** Cuts every live connection as a lost network does (code 1006); answers how many. */
  const disconnectAll = (): number => {
    let count = 0;
    for (const state of phones.values()) {
      if (!state.connection) continue;
      dropConnection(state, 'terminate');
      count += 1;
    }

    return count;
  };
  const storm = createStorm(disconnectAll);

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    handleControl(request, response, url).catch((error: unknown) => {
      if (error instanceof AppError) {
        sendError(response, error);
      } else {
        log?.error({ err: error }, 'control request failed');
        sendError(response, new AppError('internal', { message: 'The simulator failed to handle the request' }));
      }
    });
  });

  const webSocketServer = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    if (url.pathname !== '/ws') {
      rejectUpgrade(socket, 404, 'Devices connect to /ws');

      return;
    }
    if (isClosing) {
      socket.destroy();

      return;
    }
    let phone: string;
    try {
      phone = readPhoneParameter(url.searchParams.get('phone'), 'phone');
    } catch (error) {
      rejectUpgrade(socket, 400, (error as AppError).message);

      return;
    }
    const device = DeviceIdSchema.safeParse(url.searchParams.get('device'));
    if (!device.success) {
      rejectUpgrade(socket, 400, 'device: a device id of 1 to 200 characters is required');

      return;
    }
    webSocketServer.handleUpgrade(request, socket, head, (webSocket) => acceptDevice(webSocket, phone, device.data));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    close: async () => {
      if (isClosing) return;
      isClosing = true;
      storm.stop();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const sockets = [...webSocketServer.clients];
      const closed = Promise.all(
        sockets.map((socket) =>
          socket.readyState === socket.CLOSED ? undefined : new Promise<void>((resolve) => socket.once('close', () => resolve())),
        ),
      );
      for (const socket of sockets) socket.close(CLOSE_CODES.goingAway, 'network shutting down');
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(graceTimer);
      for (const socket of webSocketServer.clients) socket.terminate();
      await new Promise<void>((resolve) => webSocketServer.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      phones.clear();
    },
  };
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

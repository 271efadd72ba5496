import { WebSocket, type RawData } from 'ws';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type {
  ConnectOptions,
  DisconnectReason,
  OutboundText,
  SendResult,
  WhatsAppProvider,
  WhatsAppSession,
} from '../provider.ts';
import {
  CLOSE_CODES,
  E164_PHONE,
  MAX_FRAME_BYTES,
  MAX_TEXT_LENGTH,
  NetworkFrameSchema,
  SEND_ERROR_CODES,
  toDisconnectReason,
  type DeviceFrame,
  type NetworkFrame,
  type SendRefusalReason,
} from '../simulator/simulator-protocol.ts';

/**
 * The simulated WhatsApp network as a provider (DESIGN.md §2, provider `simulator`): a device
 * holding one WebSocket to `akked simulator`, so it exercises the same session life cycle as a
 * linked device (leases, hibernation, every disconnect reason) without a phone.
 *
 * Simulator numbers link by themselves: no QR code, no pairing code. The device id sent to the
 * network is `settings.deviceId` when the number has one, else the number id.
 *
 * Double sends: our `messageId` is the wire id, and the network acks a known id again without
 * delivering it twice, so a send retried after a timeout cannot reach the customer twice.
 */

export type SimulatorProviderOptions = {
  /** Base URL of `akked simulator`, e.g. `http://127.0.0.1:4010`. */
  simulatorUrl: string;
  /** Time for the WebSocket to open. */
  connectTimeoutMs?: number;
  /** Time for the network to answer a send or a number check. */
  ackTimeoutMs?: number;
  /** Time for the network to answer our close frame before the socket is cut. */
  closeTimeoutMs?: number;
  logger?: Logger;
};

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_ACK_TIMEOUT_MS = 10_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;

const REFUSAL_MESSAGES: Record<SendRefusalReason, string> = {
  reach_out_restricted: 'WhatsApp refused the message: the customer never wrote to this number (reach-out restricted, 463)',
  not_on_whatsapp: 'WhatsApp refused the message: the recipient is not on WhatsApp',
  rejected: 'WhatsApp refused the message',
};

const toRefusalError = (reason: SendRefusalReason, providerCode: string | undefined): AppError =>
  new AppError('upstream_failed', {
    message: REFUSAL_MESSAGES[reason],
    retryable: false,
    details: { reason, providerCode: providerCode ?? SEND_ERROR_CODES[reason] },
  });

const toUnavailableError = (message: string, reason: string, cause?: unknown): AppError =>
  new AppError('upstream_unavailable', { message, retryable: true, details: { reason }, cause });

const toDeviceUrl = (simulatorUrl: string, phone: string, device: string): string => {
  const url = new URL(simulatorUrl);
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws`;
  url.search = new URLSearchParams({ phone, device }).toString();

  return url.toString();
};

const assertPhone = (phone: string): void => {
  if (!E164_PHONE.test(phone)) {
    throw new AppError('invalid_phone', { message: 'The phone is not an E.164 phone number', retryable: false });
  }
};

type Waiter<T> = {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: AppError) => void;
};

/** A promise settled from outside, rejected with `upstream_unavailable` when the network stays silent. */
const createWaiter = <T>(timeoutMs: number, onSettled: () => void, timeoutMessage: string): Waiter<T> => {
  let resolvePromise: (value: T) => void = () => undefined;
  let rejectPromise: (error: AppError) => void = () => undefined;
  const promise = new Promise<T>((resolve, reject) => {
    resolvePromise = resolve;
    rejectPromise = reject;
  });
  const timer = setTimeout(() => waiter.reject(toUnavailableError(timeoutMessage, 'timeout')), timeoutMs);
  const waiter: Waiter<T> = {
    promise,
    resolve: (value) => {
      clearTimeout(timer);
      onSettled();
      resolvePromise(value);
    },
    reject: (error) => {
      clearTimeout(timer);
      onSettled();
      rejectPromise(error);
    },
  };

  return waiter;
};

const openSimulatorSession = async (
  options: Required<Omit<SimulatorProviderOptions, 'logger'>> & { logger: Logger | undefined },
  { numberId, phone, settings, events }: ConnectOptions,
): Promise<WhatsAppSession> => {
  if (phone === null || !E164_PHONE.test(phone)) {
    throw new AppError('bad_request', { message: 'A simulator number needs its phone in E.164 form', retryable: false });
  }
  const device = typeof settings.deviceId === 'string' && settings.deviceId.length > 0 ? settings.deviceId : numberId;
  const log = options.logger?.child({ component: 'whatsapp-simulator-provider', numberId });
  const socket = new WebSocket(toDeviceUrl(options.simulatorUrl, phone, device), { maxPayload: MAX_FRAME_BYTES });

  const pendingSends = new Map<string, Waiter<SendResult>>();
  const pendingChecks = new Map<string, Waiter<boolean>>();
  let nextRequestId = 1;

  // Callbacks are buffered until just after `connect` has resolved, so the session manager holds the
  // session before it hears about it (as with a real linked device), then run in arrival order.
  let isBuffering = true;
  const buffered: Array<() => void> = [];
  let flushHandle: NodeJS.Immediate | undefined;
  /** Set once the session ended or our own close began: no callback runs after that. */
  let isSilenced = false;
  let isDisconnectReported = false;
  let isClosingByUs = false;
  let closeDetail = 'closed by us';
  const closeListeners: Array<() => void> = [];

  const runCallback = (callback: () => void): void => {
    try {
      callback();
    } catch (error) {
      // A failing callback must not break the socket's event loop; the session manager owns it.
      log?.error({ err: error }, 'a session event callback threw');
    }
  };

  const dispatch = (callback: () => void): void => {
    if (isSilenced) return;
    if (isBuffering) {
      buffered.push(callback);

      return;
    }
    runCallback(callback);
  };

  /** A disconnect reported while callbacks were still buffered; it is never dropped. */
  let bufferedDisconnect: (() => void) | undefined;

  const silence = (): void => {
    isSilenced = true;
    const dropped = buffered.splice(0);
    if (flushHandle) clearImmediate(flushHandle);
    flushHandle = undefined;
    // A disconnect the session manager has not heard of yet is still reported.
    if (bufferedDisconnect && dropped.includes(bufferedDisconnect)) runCallback(bufferedDisconnect);
  };

  const reportDisconnect = (reason: DisconnectReason, detail: string): void => {
    if (isDisconnectReported) return;
    isDisconnectReported = true;
    const report = () => events.onDisconnected(reason, detail);
    if (reason === 'closed_by_us') {
      runCallback(report);
    } else {
      if (isBuffering) bufferedDisconnect = report;
      dispatch(report);
    }
    // Whatever was buffered still runs in order (the disconnect last); nothing new is accepted.
    isSilenced = true;
  };

  const writeFrame = (frame: DeviceFrame, onError?: (error: Error) => void): void => {
    socket.send(JSON.stringify(frame), (error) => {
      if (error) onError?.(error);
    });
  };

  /** Runs a callback, then confirms the frame to the network so it is not delivered again. */
  const dispatchAndConfirm = (seq: number, callback: () => void): void => {
    dispatch(() => {
      callback();
      if (socket.readyState === WebSocket.OPEN) writeFrame({ type: 'received', seq });
    });
  };

  const handleFrame = (frame: NetworkFrame): void => {
    switch (frame.type) {
      case 'ready':
        dispatch(() => events.onConnected({ phone: frame.phone }));
        break;
      case 'send_result': {
        const waiter = pendingSends.get(frame.id);
        if (!waiter) break;
        if (frame.ok) waiter.resolve({ providerMessageId: frame.id });
        else waiter.reject(toRefusalError(frame.reason ?? 'rejected', frame.code));
        break;
      }
      case 'check_result':
        pendingChecks.get(frame.requestId)?.resolve(frame.onWhatsApp);
        break;
      case 'receipt':
        dispatchAndConfirm(frame.seq, () =>
          events.onReceipt({ providerMessageId: frame.id, status: frame.status, at: new Date(frame.at) }),
        );
        break;
      case 'inbound':
        dispatchAndConfirm(frame.seq, () =>
          events.onInbound({ providerMessageId: frame.id, from: frame.from, text: frame.text, at: new Date(frame.at) }),
        );
        break;
      case 'protocol_error':
        log?.warn({ detail: frame.message }, 'the simulator could not read a frame');
        break;
      case 'restriction':
        dispatch(() => events.onRestricted?.({ until: new Date(frame.until), reason: 'reach_out_timelock' }));
        break;
    }
  };

  const handleMessage = (data: RawData): void => {
    let json: unknown;
    try {
      json = JSON.parse(data.toString()) as unknown;
    } catch {
      log?.warn('the simulator sent a frame that is not JSON');

      return;
    }
    const parsed = NetworkFrameSchema.safeParse(json);
    if (!parsed.success) {
      log?.warn('the simulator sent a frame of an unknown shape');

      return;
    }
    handleFrame(parsed.data);
  };

  const rejectPending = (): void => {
    const error = toUnavailableError('The connection to WhatsApp closed before it answered', 'connection_closed');
    for (const waiter of [...pendingSends.values(), ...pendingChecks.values()]) waiter.reject(error);
  };

  const handleClose = (code: number, reasonBuffer: Buffer): void => {
    rejectPending();
    const reasonText = reasonBuffer.toString() || 'no reason given';
    if (isClosingByUs) reportDisconnect('closed_by_us', closeDetail);
    else reportDisconnect(toDisconnectReason(code), `${reasonText} (close code ${code})`);
    socket.removeAllListeners();
    socket.on('error', () => undefined);
    for (const listener of closeListeners.splice(0)) listener();
  };

  // Every listener is attached before the socket opens: a frame or a close (a banned number is
  // closed at once) can arrive in the same packet as the handshake, before `await` resumes here.
  let isOpen = false;
  let unexpectedStatus: number | undefined;
  await new Promise<void>((resolve, reject) => {
    let isSettled = false;
    const timer = setTimeout(() => {
      fail(toUnavailableError(`The simulator did not accept the connection within ${options.connectTimeoutMs} ms`, 'timeout'));
      socket.terminate();
    }, options.connectTimeoutMs);
    const fail = (error: AppError): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      // ws may still report the aborted handshake; nobody listens any more.
      socket.on('error', () => undefined);
      reject(error);
    };
    socket.once('open', () => {
      isOpen = true;
      isSettled = true;
      clearTimeout(timer);
      resolve();
    });
    socket.on('message', handleMessage);
    socket.on('unexpected-response', (_request, response) => {
      unexpectedStatus = response.statusCode;
      response.resume();
      socket.terminate();
    });
    socket.on('error', (error) => {
      if (isOpen) {
        log?.debug({ err: error }, 'simulator connection error');
      } else if (unexpectedStatus !== undefined && unexpectedStatus >= 400 && unexpectedStatus < 500) {
        fail(
          new AppError('upstream_failed', {
            message: `The simulator refused the device (HTTP ${unexpectedStatus})`,
            retryable: false,
            details: { reason: 'rejected', httpStatus: unexpectedStatus },
            cause: error,
          }),
        );
      } else {
        fail(toUnavailableError('The simulator is unreachable', 'network', error));
      }
    });
    socket.on('close', (code: number, reasonBuffer: Buffer) => {
      if (isOpen) handleClose(code, reasonBuffer);
      else fail(toUnavailableError('The simulator closed the connection while opening', 'connection_closed'));
    });
  });

  flushHandle = setImmediate(() => {
    flushHandle = undefined;
    // One at a time: a callback may close the session (which empties the buffer) or cause events.
    for (let callback = buffered.shift(); callback; callback = buffered.shift()) runCallback(callback);
    isBuffering = false;
  });

  /** Ends the session from our side; resolves once the socket is closed (cut after a timeout). */
  const endByUs = async (detail: string, beforeClose: () => void): Promise<void> => {
    isClosingByUs = true;
    closeDetail = detail;
    silence();
    if (socket.readyState === WebSocket.CLOSED) {
      reportDisconnect('closed_by_us', detail);

      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.terminate(), options.closeTimeoutMs);
      closeListeners.push(() => {
        clearTimeout(timer);
        resolve();
      });
      beforeClose();
    });
  };

  let ending: Promise<void> | undefined;

  return {
    send: async (message: OutboundText): Promise<SendResult> => {
      assertPhone(message.to);
      if (message.text.length === 0 || message.text.length > MAX_TEXT_LENGTH) {
        throw new AppError('bad_request', {
          message: `A WhatsApp text has 1 to ${MAX_TEXT_LENGTH} characters`,
          retryable: false,
        });
      }
      const inFlight = pendingSends.get(message.messageId);
      if (inFlight) return inFlight.promise;
      if (ending || socket.readyState !== WebSocket.OPEN) {
        throw toUnavailableError('The WhatsApp connection is closed', 'not_connected');
      }
      const waiter = createWaiter<SendResult>(
        options.ackTimeoutMs,
        () => pendingSends.delete(message.messageId),
        `WhatsApp did not acknowledge the message within ${options.ackTimeoutMs} ms`,
      );
      pendingSends.set(message.messageId, waiter);
      writeFrame({ type: 'send', id: message.messageId, to: message.to, text: message.text }, (error) =>
        waiter.reject(toUnavailableError('The message could not be written to the connection', 'write_failed', error)),
      );

      return waiter.promise;
    },
    checkOnWhatsApp: async (phoneToCheck: string): Promise<boolean> => {
      assertPhone(phoneToCheck);
      if (ending || socket.readyState !== WebSocket.OPEN) {
        throw toUnavailableError('The WhatsApp connection is closed', 'not_connected');
      }
      const requestId = String(nextRequestId++);
      const waiter = createWaiter<boolean>(
        options.ackTimeoutMs,
        () => pendingChecks.delete(requestId),
        `WhatsApp did not answer the number check within ${options.ackTimeoutMs} ms`,
      );
      pendingChecks.set(requestId, waiter);
      writeFrame({ type: 'check', requestId, phone: phoneToCheck }, (error) =>
        waiter.reject(toUnavailableError('The number check could not be written to the connection', 'write_failed', error)),
      );

      return waiter.promise;
    },
    close: async () => {
      ending ??= endByUs('closed by us', () => socket.close(CLOSE_CODES.normal, 'closed by client'));
      await ending;
    },
    logout: async () => {
      if (ending) {
        await ending;

        return;
      }
      if (socket.readyState !== WebSocket.OPEN) {
        throw toUnavailableError('The WhatsApp connection is closed; connect again to log out', 'not_connected');
      }
      // The network forgets the device and closes the connection with "logged out".
      ending = endByUs('logged out by us', () => writeFrame({ type: 'logout' }, () => socket.terminate()));
      await ending;
    },
  };
};

export const createSimulatorProvider = (options: SimulatorProviderOptions): WhatsAppProvider => {
  const resolved = {
    simulatorUrl: options.simulatorUrl,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
    closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    logger: options.logger,
  };

  return {
    kind: 'simulator',
    holdsConnection: true,
    connect: async (connectOptions) => openSimulatorSession(resolved, connectOptions),
  };
};

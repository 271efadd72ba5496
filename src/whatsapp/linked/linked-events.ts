import {
  DisconnectReason as BaileysDisconnectReason,
  isJidBot,
  isJidMetaAI,
  jidDecode,
  normalizeMessageContent,
  WAMessageStatus,
  type BinaryNode,
  type MessageUserReceiptUpdate,
  type WAMessage,
  type WAMessageUpdate,
} from 'baileys';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { DisconnectInfo, DisconnectReason, Receipt } from '../provider.ts';
import { isOwnProviderMessageId } from './message-ids.ts';

/**
 * The pure half of the linked provider: how baileys 7.0.0-rc14 events become Akked events, with
 * no socket and no I/O, so each rule is tested on its own (`providers/linked.ts` wires them).
 */

// ---------------------------------------------------------------------------------------------
// Disconnects

/**
 * A close code → our reason, from baileys' DisconnectReason and WhatsApp Web's connect-failure
 * table (the `reason` of a `<failure>` stanza, which baileys passes on as the close code):
 * 401 logged out, 402 temporarily banned, 403 locked / main device gone, 405 client outdated,
 * 406 banned, 411 multi-device mismatch, 440 replaced, 515 restart required. Everything else (408
 * lost or timed out, 428 closed, 500 bad session or server error, 503 unavailable...) is a lost
 * connection, retried with backoff.
 */
export const toDisconnectReason = (statusCode: number | undefined): Exclude<DisconnectReason, 'closed_by_us' | 'lease_lost'> => {
  switch (statusCode) {
    case BaileysDisconnectReason.loggedOut:
      return 'logged_out';
    case 402:
      return 'temporarily_banned';
    case BaileysDisconnectReason.forbidden:
      return 'device_locked';
    case 405:
      return 'client_outdated';
    case 406:
      return 'banned';
    case BaileysDisconnectReason.multideviceMismatch:
      return 'multidevice_mismatch';
    case BaileysDisconnectReason.restartRequired:
      return 'restart_required';
    case BaileysDisconnectReason.connectionReplaced:
      return 'replaced';
    default:
      return 'connection_lost';
  }
};

const FailureDataSchema = z.object({ data: z.object({ expire: z.coerce.number().int().positive() }) });

/**
 * What a close says beyond its code: a temporary ban's `<failure reason="402" expire="seconds">`
 * (baileys keeps the stanza's attributes as the close error's `data`) gives when it ends.
 */
export const readDisconnectInfo = (error: unknown, now: Date = new Date()): DisconnectInfo => {
  const parsed = FailureDataSchema.safeParse(error);

  return parsed.success ? { until: new Date(now.getTime() + parsed.data.data.expire * 1000) } : {};
};

const BoomLikeSchema = z.object({ output: z.object({ statusCode: z.number() }) });

/** The status code of a baileys close error (a Boom), if any. */
export const readStatusCode = (error: unknown): number | undefined => {
  const parsed = BoomLikeSchema.safeParse(error);

  return parsed.success ? parsed.data.output.statusCode : undefined;
};

/** A short description of a close for logs and the number's status; never message content. */
export const describeDisconnect = (error: unknown): string => {
  const statusCode = readStatusCode(error);
  const message = error instanceof Error ? error.message : 'connection closed';

  return `${statusCode === undefined ? '' : `${statusCode} `}${message}`.slice(0, 200);
};

// ---------------------------------------------------------------------------------------------
// Message ids (message-ids.ts)

export { deriveProviderMessageId, isOwnProviderMessageId } from './message-ids.ts';

// ---------------------------------------------------------------------------------------------
// Phones and jids

const E164 = /^\+[1-9]\d{6,14}$/;
const PHONE_SERVERS: ReadonlySet<string> = new Set(['s.whatsapp.net', 'c.us', 'hosted']);
const LID_SERVERS: ReadonlySet<string> = new Set(['lid', 'hosted.lid']);

/** `+212612345678` → `212612345678@s.whatsapp.net`; throws `invalid_phone` for anything else. */
export const phoneToJid = (phone: string): string => {
  if (!E164.test(phone)) throw new AppError('invalid_phone', { message: 'the recipient is not an E.164 phone number', retryable: false });

  return `${phone.slice(1)}@s.whatsapp.net`;
};

/** Digits only, as `requestPairingCode` wants them. */
export const phoneToDigits = (phone: string): string => {
  const digits = phone.replace(/\D/g, '');
  if (!/^[1-9]\d{6,14}$/.test(digits)) throw new AppError('invalid_phone', { message: 'expected a phone number with its country code', retryable: false });

  return digits;
};

/** The E.164 phone of a phone-number jid (any device: `212612345678:12@s.whatsapp.net`), else null. */
export const jidToPhone = (jid: string | null | undefined): string | null => {
  const decoded = jid ? jidDecode(jid) : undefined;
  if (!decoded || !PHONE_SERVERS.has(decoded.server)) return null;
  const phone = `+${decoded.user}`;

  return E164.test(phone) ? phone : null;
};

const isLidJid = (jid: string | null | undefined): jid is string => {
  const decoded = jid ? jidDecode(jid) : undefined;

  return !!decoded?.user && LID_SERVERS.has(decoded.server);
};

/** A 1:1 chat with a person: a phone or LID jid, not WhatsApp itself (`0@…`), not a bot. */
const isPersonJid = (jid: string | null | undefined): jid is string => {
  const decoded = jid ? jidDecode(jid) : undefined;
  if (!jid || !decoded?.user || decoded.user === '0') return false;
  if (!PHONE_SERVERS.has(decoded.server) && !LID_SERVERS.has(decoded.server)) return false;

  return !isJidBot(jid) && !isJidMetaAI(jid);
};

/**
 * Chats baileys must not even decrypt (`shouldIgnoreJid`): groups, broadcast lists, status
 * updates, newsletters. Our promise is to read nothing of the merchant's chats but customers'
 * replies; this keeps the rest out of memory altogether.
 */
export const isIgnoredChatJid = (jid: string): boolean => {
  const decoded = jidDecode(jid);
  if (!decoded) return false;

  return decoded.server === 'g.us' || decoded.server === 'broadcast' || decoded.server === 'newsletter';
};

// ---------------------------------------------------------------------------------------------
// Inbound messages

export type CustomerMessage = {
  providerMessageId: string;
  /** The sender's E.164 phone when the message carries it (phone-addressed, or a LID with its phone alternative). */
  phone: string | null;
  /** The sender's LID jid when WhatsApp addressed the sender by LID; resolved to a phone through the mapping store. */
  lidJid: string | null;
  text: string;
  at: Date;
};

export type SkipReason = 'from_me' | 'not_a_person' | 'no_text' | 'no_id';

export type ReadCustomerMessageResult = { accepted: true; message: CustomerMessage } | { accepted: false; reason: SkipReason };

/** `messages.upsert` types that carry customers' messages: live (`notify`) and delivered on reconnect (`append`, offline). */
export const isCustomerUpsertType = (type: string): boolean => type === 'notify' || type === 'append';

type Timestamp = number | { toNumber(): number } | null | undefined;

const toDate = (timestamp: Timestamp, fallback: Date): Date => {
  const seconds = typeof timestamp === 'number' ? timestamp : timestamp ? timestamp.toNumber() : 0;

  return seconds > 0 ? new Date(seconds * 1000) : fallback;
};

/**
 * The text a customer typed: a plain or extended text, a reply button or list choice, or a
 * reaction to one of OUR messages (a 👍 on the confirmation request is an answer). Wrappers
 * (disappearing, view-once...) are unwrapped; media, edits, revokes and protocol messages give null.
 */
export const extractCustomerText = (message: WAMessage['message']): string | null => {
  const content = normalizeMessageContent(message);
  if (!content) return null;
  const reaction = content.reactionMessage;
  const candidates = [
    content.conversation,
    content.extendedTextMessage?.text,
    content.buttonsResponseMessage?.selectedDisplayText,
    content.buttonsResponseMessage?.selectedButtonId,
    content.templateButtonReplyMessage?.selectedDisplayText,
    content.templateButtonReplyMessage?.selectedId,
    content.listResponseMessage?.title,
    content.listResponseMessage?.singleSelectReply?.selectedRowId,
    content.interactiveResponseMessage?.body?.text,
    reaction?.key?.fromMe && isOwnProviderMessageId(reaction.key.id) ? reaction.text : null,
  ];
  for (const candidate of candidates) {
    const text = candidate?.trim();
    if (text) return text;
  }

  return null;
};

/**
 * Decides whether a message of `messages.upsert` is a customer writing to the merchant in a 1:1
 * chat, and reads only what we need of it (id, sender, text, time). Everything else — the
 * merchant's own messages, groups, broadcasts, status, newsletters, bots — is skipped unread.
 */
export const readCustomerMessage = (message: WAMessage, now: Date = new Date()): ReadCustomerMessageResult => {
  const { key } = message;
  if (key.fromMe) return { accepted: false, reason: 'from_me' };
  if (!isPersonJid(key.remoteJid) || key.participant) return { accepted: false, reason: 'not_a_person' };
  if (!key.id) return { accepted: false, reason: 'no_id' };
  const text = extractCustomerText(message.message);
  if (text === null) return { accepted: false, reason: 'no_text' };
  // The chat is addressed by phone or by LID; the other form, when WhatsApp sends it, is remoteJidAlt.
  const phone = jidToPhone(key.remoteJid) ?? jidToPhone(key.remoteJidAlt);
  const lidJid = isLidJid(key.remoteJid) ? key.remoteJid : isLidJid(key.remoteJidAlt) ? key.remoteJidAlt : null;

  return {
    accepted: true,
    message: { providerMessageId: key.id, phone, lidJid, text, at: toDate(message.messageTimestamp, now) },
  };
};

// ---------------------------------------------------------------------------------------------
// Receipts and server acks

/** WhatsApp's error code for a 1:1 message refused for lack of a privacy token (cold contact). */
export const REACH_OUT_RESTRICTED_CODE = '463';

const toDeliveryStatus = (status: number | null | undefined): Receipt['status'] | null => {
  switch (status) {
    case WAMessageStatus.ERROR:
      return 'failed';
    case WAMessageStatus.SERVER_ACK:
      return 'sent';
    case WAMessageStatus.DELIVERY_ACK:
      return 'delivered';
    case WAMessageStatus.READ:
    case WAMessageStatus.PLAYED:
      return 'read';
    default:
      // PENDING (ours, not yet acked) and anything unknown say nothing new.
      return null;
  }
};

const StubParametersSchema = z.array(z.unknown());

/**
 * `messages.update` → receipts of OUR messages only (receipts of what the merchant sends from the
 * phone reach the linked device too, and are none of our business). Error acks carry the server's
 * code in `messageStubParameters[0]` (463 reach-out restricted, 479 stale device session...).
 */
export const readMessageUpdates = (updates: readonly WAMessageUpdate[], now: Date = new Date()): Receipt[] => {
  const receipts: Receipt[] = [];
  for (const { key, update } of updates) {
    if (!key.fromMe || !isOwnProviderMessageId(key.id)) continue;
    const status = toDeliveryStatus(update.status);
    if (!status) continue;
    const receipt: Receipt = { providerMessageId: key.id, status, at: toDate(update.messageTimestamp, now) };
    if (status === 'failed') {
      const parameters = StubParametersSchema.safeParse(update.messageStubParameters);
      const code = parameters.success ? parameters.data[0] : undefined;
      receipt.errorCode = typeof code === 'string' || typeof code === 'number' ? String(code) : 'unknown';
    }
    receipts.push(receipt);
  }

  return receipts;
};

/**
 * `message-receipt.update` (per-participant receipts; baileys emits them for group and status
 * messages) → receipts of our messages: read/played → read, received → delivered.
 */
export const readUserReceiptUpdates = (updates: readonly MessageUserReceiptUpdate[], now: Date = new Date()): Receipt[] => {
  const receipts: Receipt[] = [];
  for (const { key, receipt } of updates) {
    if (!key.fromMe || !isOwnProviderMessageId(key.id)) continue;
    const readAt = receipt.readTimestamp ?? receipt.playedTimestamp;
    if (readAt) receipts.push({ providerMessageId: key.id, status: 'read', at: toDate(readAt, now) });
    else if (receipt.receiptTimestamp) receipts.push({ providerMessageId: key.id, status: 'delivered', at: toDate(receipt.receiptTimestamp, now) });
  }

  return receipts;
};

export type ServerAck = { providerMessageId: string; errorCode: string | null; at: Date };

const AckAttributesSchema = z.object({ id: z.string(), error: z.string().optional(), t: z.string().optional() });

/**
 * A server ack (`<ack class="message" id=… [error=…]>`) of one of our messages. Baileys reports
 * only the failed ones (as `messages.update`), so "WhatsApp accepted it" is read from the raw ack.
 */
export const readServerAck = (node: BinaryNode, now: Date = new Date()): ServerAck | null => {
  const attributes = AckAttributesSchema.safeParse(node.attrs);
  if (!attributes.success || !isOwnProviderMessageId(attributes.data.id)) return null;
  const seconds = Number(attributes.data.t);

  return {
    providerMessageId: attributes.data.id,
    errorCode: attributes.data.error ?? null,
    at: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : now,
  };
};

// ---------------------------------------------------------------------------------------------
// Send failures

/**
 * A send WhatsApp refused (error ack). 463 (reach-out restricted) must never be retried: each try
 * counts as another reach-out. Any other code (479 stale device session, codes we do not know) is
 * retried with backoff under the same message id, a few times, before the message fails.
 */
export const toRefusedSendError = (errorCode: string): AppError =>
  errorCode === REACH_OUT_RESTRICTED_CODE
    ? new AppError('upstream_failed', {
        message: 'WhatsApp refused the message: the customer never wrote to this number (reach-out restricted)',
        retryable: false,
        details: { reason: 'reach_out_restricted', providerCode: errorCode },
      })
    : new AppError('upstream_failed', {
        message: `WhatsApp refused the message (error ${errorCode})`,
        retryable: true,
        details: { reason: 'rejected', providerCode: errorCode },
      });

/**
 * An action that failed before WhatsApp answered: the socket closed, timed out, or was not logged
 * in yet. Retrying a send is safe — its message id is derived from ours, so WhatsApp sees the same
 * message again, not a second one.
 */
export const toUnavailableError = (error: unknown, action = 'send the message'): AppError => {
  const statusCode = readStatusCode(error);

  return new AppError('upstream_unavailable', {
    message: `the WhatsApp connection could not ${action}${statusCode === undefined ? '' : ` (${statusCode})`}`,
    retryable: true,
    cause: error,
    details: statusCode === undefined ? {} : { providerCode: String(statusCode) },
  });
};

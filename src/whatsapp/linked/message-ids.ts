import { createHash, createHmac } from 'node:crypto';
import { proto } from 'baileys';

/**
 * The WhatsApp ids and content of our own messages on a linked device, derived from our message
 * rows with no state, so a retried send, a retry receipt and a reconnect on another worker all
 * agree on them.
 */

const PREFIX = '3EB0';
/** WhatsApp Web's shape (baileys' generateMessageIDV2): `3EB0` + 18 uppercase hex digits. */
const CURRENT_SHAPE = /^3EB0[0-9A-F]{18}$/;
/** The shape Akked used before (baileys' legacy generateMessageID): `3EB0` + 36 hex digits. */
const LEGACY_SHAPE = /^3EB0[0-9A-F]{36}$/;

const hexOf = (label: string, value: string): string => createHash('sha256').update(`${label}:${value}`).digest('hex').toUpperCase();

/**
 * The WhatsApp message id of one of our messages: `3EB0` + 12 hex digits of sha256(messageId) + 6
 * hex check digits of those 12 — 22 characters, the shape WhatsApp Web and baileys' current
 * generator give their ids. Deterministic, so a retried send re-sends the same message instead
 * of a second one; the check digits tell our messages from the ones the merchant sends from the
 * phone (whose receipts reach the linked device too) without any state.
 */
export const deriveProviderMessageId = (messageId: string): string => {
  const body = hexOf('akked-message', messageId).slice(0, 12);

  return `${PREFIX}${body}${hexOf('akked-check', body).slice(0, 6)}`;
};

/**
 * The 40-character id Akked derived before it used WhatsApp Web's shape. Only for a message whose
 * earlier attempt went out under it (attempted before the upgrade, no id recorded): a retry must
 * re-send the same id, never a second message.
 */
export const deriveLegacyProviderMessageId = (messageId: string): string => {
  const body = hexOf('akked-message', messageId).slice(0, 30);

  return `${PREFIX}${body}${hexOf('akked-check', body).slice(0, 6)}`;
};

/** Whether a WhatsApp message id is one Akked derived, in either shape (one in 16.7 million chance otherwise). */
export const isOwnProviderMessageId = (id: string | null | undefined): id is string => {
  if (!id) return false;
  if (CURRENT_SHAPE.test(id)) return hexOf('akked-check', id.slice(4, 16)).slice(0, 6) === id.slice(16);
  if (LEGACY_SHAPE.test(id)) return hexOf('akked-check', id.slice(4, 34)).slice(0, 6) === id.slice(34);

  return false;
};

/**
 * The 32-byte `messageSecret` of one of our messages. Baileys draws it at random for every text
 * (it keys the message's reporting token); deriving it from the device's own secret makes a
 * message re-sent for a retry receipt byte for byte the one first sent.
 */
export const deriveMessageSecret = (deviceSecret: string, providerMessageId: string): Uint8Array =>
  createHmac('sha256', deviceSecret).update(`akked-message-secret:${providerMessageId}`).digest();

/**
 * What baileys 7.0.0-rc14's `sendMessage` builds for `{ text, linkPreview: null }`
 * (generateWAMessageContent): an `extendedTextMessage` with the text and nothing else, plus a
 * `messageContextInfo.messageSecret` because text carries a reporting token.
 */
export const buildTextMessage = (text: string, messageSecret: Uint8Array): proto.IMessage =>
  proto.Message.create({ extendedTextMessage: { text }, messageContextInfo: { messageSecret } });

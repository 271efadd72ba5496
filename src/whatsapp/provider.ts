import { z } from 'zod';

/**
 * The one interface every WhatsApp provider implements (DESIGN.md §2): the merchant's own number
 * as a linked device, Meta's Cloud API, or the simulated network. The session manager drives a
 * provider through this interface only; nothing outside `whatsapp/providers/` knows a vendor.
 */
export const PROVIDER_KINDS = ['linked', 'cloud', 'simulator'] as const;
export const ProviderKindSchema = z.enum(PROVIDER_KINDS);
export type ProviderKind = z.infer<typeof ProviderKindSchema>;

/**
 * Why a connection ended; the session manager handles each one deliberately (disconnect-policy.ts).
 * The codes are WhatsApp's (baileys' DisconnectReason, and the connect-failure reasons of
 * WhatsApp Web's own table).
 */
export type DisconnectReason =
  /** The phone removed the linked device (401): credentials are void and get deleted; link again. */
  | 'logged_out'
  /** WhatsApp locked the account or its main device is gone (403, "LOCKED"): credentials are void; link again. */
  | 'device_locked'
  /** WhatsApp banned the number (406, "BANNED" in WhatsApp Web). */
  | 'banned'
  /** A temporary ban (402): nothing may connect before it ends (`until`, when WhatsApp says). */
  | 'temporarily_banned'
  /** WhatsApp refused this client's version (405): fetch the current WhatsApp Web version, then reconnect. */
  | 'client_outdated'
  /** The phone's WhatsApp does not support linked devices (411): the merchant must update it. */
  | 'multidevice_mismatch'
  /** The server asks for a fresh connection (515, after pairing): reconnect now. */
  | 'restart_required'
  /** Another connection for the same device took over (440): never reconnect blindly. */
  | 'replaced'
  /** This process lost the number's lease (another worker drives it now): stop, nothing to tell anyone. */
  | 'lease_lost'
  /** Anything else: network loss, timeouts, server errors (408, 428, 500, 503...). Reconnect with capped backoff. */
  | 'connection_lost'
  /** We closed it ourselves (hibernation, shutdown, lease handed over). */
  | 'closed_by_us';

/** What WhatsApp said with a disconnect, when it says more than a code. */
export type DisconnectInfo = {
  /** When a temporary ban ends. */
  until?: Date;
};

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** A receipt for one of our outbound messages, identified by the provider's message id. */
export type Receipt = {
  providerMessageId: string;
  status: DeliveryStatus;
  at: Date;
  /** Provider error code when status is `failed`. */
  errorCode?: string;
};

/** A message a customer wrote to the merchant's number. Text only: media is not read. */
export type InboundMessage = {
  providerMessageId: string;
  /** The customer's phone in E.164 (after resolving LIDs where the provider uses them). */
  from: string;
  text: string;
  at: Date;
};

/** Callbacks a provider session reports through; all of them may be called at any time. */
export type SessionEvents = {
  /** A new QR code to show the merchant while linking (linked provider only). */
  onQr: (qr: string) => void;
  /** The device is linked, online and has received what came while it was away: it may send. `phone` is the number's E.164 form as WhatsApp reports it. */
  onConnected: (info: { phone: string | null }) => void;
  onDisconnected: (reason: DisconnectReason, detail: string, info?: DisconnectInfo) => void;
  onReceipt: (receipt: Receipt) => void;
  /**
   * WhatsApp keeps the number from writing first to customers (463, an active reach-out
   * timelock): `until` when WhatsApp says when it ends, else null. Providers without such
   * restrictions never call it.
   */
  onRestricted?: (restriction: { until: Date | null; reason: string }) => void;
  onInbound: (message: InboundMessage) => void;
};

export type OutboundText = {
  /**
   * Our deterministic id for this send (derived from the message row). Providers that let the
   * sender choose the message id use it, so a retried job re-sends the same message instead of a
   * second one; others use it as an idempotency key.
   */
  messageId: string;
  /** The provider's id recorded when the message was claimed (`providerMessageIdFor`); the send must use it. */
  providerMessageId?: string;
  /** Recipient in E.164. */
  to: string;
  text: string;
};

export type OutboundTemplate = {
  messageId: string;
  to: string;
  templateName: string;
  languageCode: string;
  /** Values for the template body's {{1}}, {{2}}, ... placeholders, in order. */
  bodyParameters: string[];
};

export type SendResult = {
  providerMessageId: string;
};

/**
 * A live connection of one number. Sends fail with an AppError:
 *  - code `upstream_failed`, `details.reason` `reach_out_restricted` (WhatsApp 463: never retry),
 *    `not_on_whatsapp`, or `rejected`, with `retryable: false`;
 *  - code `upstream_unavailable` (`retryable: true`) when the connection is down or timed out.
 */
export interface WhatsAppSession {
  send(message: OutboundText): Promise<SendResult>;
  /**
   * The provider's id of a message, for providers that choose it before sending (linked): the
   * session manager records it when it claims the message, so receipts and the customer's retry
   * requests find the message even when the server's ack is lost. `attemptedBefore`: an earlier
   * attempt went out without a recorded id (before ids were recorded at claim).
   */
  providerMessageIdFor?(messageId: string, options: { attemptedBefore: boolean }): string;
  /** Template message (Cloud API outside the 24-hour window); providers without templates omit it. */
  sendTemplate?(message: OutboundTemplate): Promise<SendResult>;
  /** Whether a phone has WhatsApp; `null` when the provider cannot tell. */
  checkOnWhatsApp(phone: string): Promise<boolean | null>;
  /**
   * Whether a phone has WhatsApp and the phone WhatsApp knows it by, which may differ from the one
   * asked (Mexico's `+521...` is `+52...` on WhatsApp): messages go to it and replies come from it.
   * `null` when the provider cannot tell. Providers without such a lookup omit it.
   */
  lookUpOnWhatsApp?(phone: string): Promise<{ exists: boolean; phone: string } | null>;
  /** Ask for an 8-character pairing code for linking by phone number instead of QR. */
  requestPairingCode?(phone: string): Promise<string>;
  /** Close the connection and free its memory; credentials stay stored. */
  close(): Promise<void>;
  /** Unlink the device from the phone and forget the credentials. */
  logout(): Promise<void>;
}

export type ConnectOptions = {
  numberId: string;
  /** The number's phone in E.164 when known (simulator numbers and cloud numbers always have one). */
  phone: string | null;
  /** Provider-specific settings stored with the number (Cloud API phone-number id, token...). */
  settings: Record<string, unknown>;
  events: SessionEvents;
};

export interface WhatsAppProvider {
  readonly kind: ProviderKind;
  /**
   * Whether a session must be held open to receive messages (linked, simulator) or messages
   * arrive by webhook (cloud). Only held sessions need leases and hibernation.
   */
  readonly holdsConnection: boolean;
  connect(options: ConnectOptions): Promise<WhatsAppSession>;
}

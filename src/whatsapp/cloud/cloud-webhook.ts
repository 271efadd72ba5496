import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { storableJson } from '../../db/storable-text.ts';
import { AppError } from '../../errors.ts';
import type { DeliveryStatus, InboundMessage, Receipt } from '../provider.ts';

/**
 * Pure helpers for `POST|GET /hooks/whatsapp-cloud/:numberId` (DESIGN.md §5.3). The route reads the
 * number's settings (`cloud-settings.ts`), verifies the signature over the raw body, then parses.
 */

const SIGNATURE_PREFIX = 'sha256=';
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

const invalidSignature = (message: string): AppError => new AppError('invalid_signature', { message });

/**
 * Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed by the app secret>`.
 * Must run on the exact bytes Meta sent, before any JSON parsing.
 */
export const verifyCloudSignature = (rawBody: Buffer, header: string | undefined, appSecret: string): void => {
  // An empty key would make the HMAC computable by anyone.
  if (appSecret.length === 0) throw invalidSignature('No app secret is configured for this number');
  if (header === undefined || header.length === 0) throw invalidSignature('Missing X-Hub-Signature-256 header');
  if (!header.startsWith(SIGNATURE_PREFIX)) throw invalidSignature('X-Hub-Signature-256 must start with sha256=');

  const givenHex = header.slice(SIGNATURE_PREFIX.length);
  if (!SHA256_HEX.test(givenHex)) throw invalidSignature('X-Hub-Signature-256 is not a SHA-256 hex digest');

  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(givenHex, 'hex');
  if (!timingSafeEqual(expected, given)) throw invalidSignature('X-Hub-Signature-256 does not match the body');
};

// Hashing first gives both sides the same length, so the compare leaks neither content nor length.
const equalsInConstantTime = (left: string, right: string): boolean =>
  timingSafeEqual(createHash('sha256').update(left).digest(), createHash('sha256').update(right).digest());

// Meta sends a number; anything outside a plain token is refused rather than echoed back.
const CHALLENGE = /^[A-Za-z0-9._~-]{1,256}$/;

/**
 * Answers Meta's subscription check (`GET ...?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`):
 * returns the challenge to send back as the plain-text 200 body.
 */
export const answerVerificationChallenge = (
  query: Record<string, string | undefined>,
  verifyToken: string,
): string => {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];

  if (mode !== 'subscribe' || token === undefined || verifyToken.length === 0 || !equalsInConstantTime(token, verifyToken)) {
    throw new AppError('forbidden', { message: 'Webhook verification failed: wrong mode or verify token' });
  }

  if (challenge === undefined || !CHALLENGE.test(challenge)) {
    throw new AppError('bad_request', { message: 'Webhook verification needs a hub.challenge token' });
  }

  return challenge;
};

// Meta's timestamps are unix seconds as strings.
const UnixSecondsSchema = z
  .string()
  .regex(/^\d{1,12}$/)
  .transform((seconds) => new Date(Number(seconds) * 1000));

// `from` / `recipient_id` are the international number as digits; with WhatsApp usernames they
// may be missing (only a business-scoped user id is sent), and such senders cannot be matched to an order.
const WhatsAppPhoneDigitsSchema = z.string().regex(/^[1-9]\d{5,14}$/);

const ChangeSchema = z.object({
  field: z.string(),
  value: z.object({
    metadata: z.object({ phone_number_id: z.string() }).optional(),
    statuses: z.array(z.unknown()).optional(),
    messages: z.array(z.unknown()).optional(),
  }),
});

const EnvelopeSchema = z.object({
  object: z.string().optional(),
  entry: z.array(z.object({ changes: z.array(z.unknown()).optional() })),
});

const DELIVERY_STATUSES: ReadonlySet<string> = new Set<DeliveryStatus>(['sent', 'delivered', 'read', 'failed']);
// Meta also reports `played` (voice notes) and may add more; only the four we track are receipts.
const isDeliveryStatus = (status: string): status is DeliveryStatus => DELIVERY_STATUSES.has(status);

const StatusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: UnixSecondsSchema,
  errors: z.array(z.object({ code: z.union([z.number().int(), z.string()]).optional() })).optional(),
});

const InboundMessageSchema = z.object({
  id: z.string().min(1),
  from: WhatsAppPhoneDigitsSchema.optional(),
  timestamp: UnixSecondsSchema,
  type: z.string(),
  /** Present on messages in a group chat, which are never a customer's reply to us. */
  group_id: z.string().optional(),
  text: z.object({ body: z.string() }).optional(),
  /** A tap on a template's quick-reply button. */
  button: z.object({ text: z.string() }).optional(),
  /** A tap on an interactive message's reply button or list row. */
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ title: z.string() }).optional(),
      list_reply: z.object({ title: z.string() }).optional(),
    })
    .optional(),
});

type ParsedInbound = z.infer<typeof InboundMessageSchema>;

/** The words the customer sent or tapped; null for media, reactions, locations and the like. */
const readInboundText = (message: ParsedInbound): string | null => {
  switch (message.type) {
    case 'text':
      return message.text?.body ?? null;
    case 'button':
      return message.button?.text ?? null;
    case 'interactive':
      if (message.interactive?.type === 'button_reply') return message.interactive.button_reply?.title ?? null;
      if (message.interactive?.type === 'list_reply') return message.interactive.list_reply?.title ?? null;
      return null;
    default:
      return null;
  }
};

const toReceipt = (item: unknown): Receipt | null => {
  const parsed = StatusSchema.safeParse(item);
  if (!parsed.success) return null;

  const { status } = parsed.data;
  if (!isDeliveryStatus(status)) return null;

  const errorCode = status === 'failed' ? parsed.data.errors?.[0]?.code : undefined;

  return {
    providerMessageId: parsed.data.id,
    status,
    at: parsed.data.timestamp,
    ...(errorCode === undefined ? {} : { errorCode: String(errorCode) }),
  };
};

const toInboundMessage = (item: unknown): InboundMessage | null => {
  const parsed = InboundMessageSchema.safeParse(item);
  if (!parsed.success || parsed.data.from === undefined || parsed.data.group_id !== undefined) return null;

  const text = readInboundText(parsed.data);
  if (text === null || text.trim().length === 0) return null;

  return { providerMessageId: parsed.data.id, from: `+${parsed.data.from}`, text, at: parsed.data.timestamp };
};

export type CloudWebhookContent = { receipts: Receipt[]; inbound: InboundMessage[] };

export type ParseCloudWebhookOptions = {
  /**
   * The number's Cloud API phone-number id. One Meta app delivers the events of all its numbers
   * to the same callback, so changes for any other number are left out when this is given.
   */
  phoneNumberId?: string;
};

/**
 * Reads receipts and customer messages out of a `whatsapp_business_account` webhook.
 *
 * Only the `messages` field is read: echoes of what the merchant typed in the Business app
 * (`smb_message_echoes`), template and account updates are not customer replies. A single status or
 * message we cannot read is skipped rather than failing the batch, because a non-2xx answer makes
 * Meta redeliver the whole batch for days. Not JSON, or JSON without `entry[]`, is `malformed_json`.
 */
export const parseCloudWebhook = (rawBody: Buffer, options: ParseCloudWebhookOptions = {}): CloudWebhookContent => {
  let json: unknown;
  try {
    const text = rawBody.toString('utf8');
    json = storableJson(text, JSON.parse(text) as unknown);
  } catch {
    throw new AppError('malformed_json', { message: 'The webhook body is not valid JSON' });
  }

  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw new AppError('malformed_json', { message: 'The webhook body is not a WhatsApp Business Account notification' });
  }

  const content: CloudWebhookContent = { receipts: [], inbound: [] };
  if (envelope.data.object !== undefined && envelope.data.object !== 'whatsapp_business_account') return content;

  for (const entry of envelope.data.entry) {
    for (const rawChange of entry.changes ?? []) {
      const change = ChangeSchema.safeParse(rawChange);
      if (!change.success || change.data.field !== 'messages') continue;

      const { value } = change.data;
      if (options.phoneNumberId !== undefined && value.metadata?.phone_number_id !== options.phoneNumberId) continue;

      for (const item of value.statuses ?? []) {
        const receipt = toReceipt(item);
        if (receipt !== null) content.receipts.push(receipt);
      }

      for (const item of value.messages ?? []) {
        const message = toInboundMessage(item);
        if (message !== null) content.inbound.push(message);
      }
    }
  }

  return content;
};

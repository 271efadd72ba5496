import { z } from 'zod';
import type { DisconnectReason } from '../provider.ts';

/**
 * The wire protocol between a simulated device (`providers/simulator.ts`) and the simulated
 * WhatsApp network (`simulator-server.ts`). Shared by both so they cannot drift apart.
 *
 * A device connects by WebSocket to `/ws?phone=<E.164>&device=<device id>`; every frame is one
 * JSON text message.
 *
 * Device → network:
 *   {type:'send', id, to, text}        send a text; `id` is chosen by the sender and deduplicates
 *   {type:'check', requestId, phone}   is this phone on WhatsApp?
 *   {type:'received', seq}             the device handled the queued frame `seq` (receipt or inbound)
 *   {type:'logout'}                    unlink this device; the network closes with LOGGED_OUT
 *
 * Network → device:
 *   {type:'ready', phone, device}                       linked and online; queued frames follow
 *   {type:'send_result', id, ok:true, at}               accepted ("sent"); repeated for a known id
 *   {type:'send_result', id, ok:false, code, reason}    refused: 463 reach_out_restricted,
 *                                                       404 not_on_whatsapp, 400 rejected
 *   {type:'check_result', requestId, onWhatsApp}
 *   {type:'receipt', seq, id, status, at}               delivered / read receipt of our message `id`
 *   {type:'inbound', seq, id, from, text, at}           a customer wrote to this phone
 *   {type:'restriction', until}                         the account may not start chats before `until`
 *                                                       (WhatsApp's reach-out timelock)
 *   {type:'protocol_error', message}                    a frame the network could not read
 *
 * Receipts and inbound messages carry a `seq` and stay queued on the network until the device
 * answers `received`: a device that is offline, or drops in the middle, gets them again on its next
 * connection (at least once, as WhatsApp does for linked devices).
 *
 * Close codes (WebSocket application range 4000-4999, named after WhatsApp's own status codes):
 */
export const CLOSE_CODES = {
  /** The device was unlinked (WhatsApp 401). */
  loggedOut: 4401,
  /** The number is banned (WhatsApp 403). */
  banned: 4403,
  /** Another connection for the same phone took over (WhatsApp 440). */
  replaced: 4440,
  /** This client's version is refused (WhatsApp 405). */
  clientOutdated: 4405,
  /** Reconnect at once (WhatsApp 515). */
  restartRequired: 4515,
  /** Normal close initiated by the device. */
  normal: 1000,
  /** The network is shutting down. */
  goingAway: 1001,
} as const;

/**
 * Reason for a close the device did not ask for. Any other code (1006 for a dropped TCP
 * connection, 1001 for a network shutdown) means the connection was lost.
 */
export const toDisconnectReason = (closeCode: number): Exclude<DisconnectReason, 'closed_by_us'> => {
  switch (closeCode) {
    case CLOSE_CODES.loggedOut:
      return 'logged_out';
    case CLOSE_CODES.banned:
      return 'banned';
    case CLOSE_CODES.replaced:
      return 'replaced';
    case CLOSE_CODES.restartRequired:
      return 'restart_required';
    case CLOSE_CODES.clientOutdated:
      return 'client_outdated';
    default:
      return 'connection_lost';
  }
};

/** Error codes of a refused send, as strings like WhatsApp's own nack codes. */
export const SEND_ERROR_CODES = {
  reach_out_restricted: '463',
  not_on_whatsapp: '404',
  rejected: '400',
} as const;

export type SendRefusalReason = keyof typeof SEND_ERROR_CODES;

export const E164_PHONE = /^\+[1-9]\d{6,14}$/;
export const PhoneSchema = z.string().regex(E164_PHONE, 'must be an E.164 phone number such as +212612345678');

/** WhatsApp's own limit for a text message. */
export const MAX_TEXT_LENGTH = 65_536;
/** Frames and control bodies above this are refused; a text message fits many times over. */
export const MAX_FRAME_BYTES = 1024 * 1024;

const MessageIdSchema = z.string().min(1).max(200);

export const DeviceFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('send'), id: MessageIdSchema, to: PhoneSchema, text: z.string().min(1).max(MAX_TEXT_LENGTH) }),
  z.object({ type: z.literal('check'), requestId: z.string().min(1).max(200), phone: PhoneSchema }),
  z.object({ type: z.literal('received'), seq: z.number().int().nonnegative() }),
  z.object({ type: z.literal('logout') }),
]);
export type DeviceFrame = z.infer<typeof DeviceFrameSchema>;

export const NetworkFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), phone: z.string(), device: z.string() }),
  z.object({
    type: z.literal('send_result'),
    id: z.string(),
    ok: z.boolean(),
    at: z.string().optional(),
    code: z.string().optional(),
    reason: z.enum(['reach_out_restricted', 'not_on_whatsapp', 'rejected']).optional(),
  }),
  z.object({ type: z.literal('check_result'), requestId: z.string(), onWhatsApp: z.boolean() }),
  z.object({
    type: z.literal('receipt'),
    seq: z.number().int(),
    id: z.string(),
    status: z.enum(['delivered', 'read']),
    at: z.string(),
  }),
  z.object({
    type: z.literal('inbound'),
    seq: z.number().int(),
    id: z.string(),
    from: z.string(),
    text: z.string(),
    at: z.string(),
  }),
  z.object({ type: z.literal('protocol_error'), message: z.string() }),
  z.object({ type: z.literal('restriction'), until: z.string() }),
]);
export type NetworkFrame = z.infer<typeof NetworkFrameSchema>;

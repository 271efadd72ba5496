import type { DisconnectInfo, DisconnectReason } from './provider.ts';

/** Alerts a disconnect may send the merchant (emails: notifications/merchant-emails.ts). */
export type DisconnectAlert = 'logged_out' | 'banned' | 'restricted' | 'disconnected';

/**
 * What the session manager does after a connection ended, decided per reason (DESIGN.md §2):
 *  - `relink`: the device's credentials are void: delete them, status `logged_out`, never reconnect;
 *  - `stop`: status `banned`, never reconnect;
 *  - `pause`: nothing connects the number before `until` (status `disconnected` with the reason);
 *  - `check_lease`: another client took the device over: a pause unless it was one of ours;
 *  - `release`: our lease is gone; the number is someone else's to drive;
 *  - `reconnect`: after `delayMs`; once `statusAfter` attempts failed in a row, the number shows
 *    `disconnected` with the reason and the merchant is alerted once.
 */
export type DisconnectAction =
  | { kind: 'relink'; reason: string; alert: 'logged_out' }
  | { kind: 'stop'; reason: string; alert: 'banned' }
  | { kind: 'pause'; until: Date; reason: string; alert: DisconnectAlert }
  | { kind: 'check_lease'; until: Date; reason: string }
  | { kind: 'release' }
  | { kind: 'reconnect'; delayMs: number; reason: string; alertAfterAttempts: number | null };

/** A temporary ban whose end WhatsApp did not say is waited out for a day. */
export const TEMPORARY_BAN_DEFAULT_MS = 24 * 60 * 60_000;
/** Another client on the device (440) or a phone that cannot link (411): look again after this. */
export const REPLACED_PAUSE_MS = 10 * 60_000;
export const MULTIDEVICE_PAUSE_MS = 60 * 60_000;
/** The longest wait between two reconnections of a lost connection. */
export const CONNECTION_LOST_MAX_DELAY_MS = 10_000;

const backoff = (attempt: number, baseMs: number, capMs: number, random: () => number): number =>
  Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 16)) * (0.5 + random() / 2);

/**
 * The action for one disconnect. `attempt` counts the failed connections in a row, this one
 * included. Reasons are stored on the number's history and shown to the merchant: each starts with
 * a stable code (`temporarily_banned`, `client_outdated`...) the dashboard translates.
 */
export const decideDisconnect = (
  reason: Exclude<DisconnectReason, 'closed_by_us'>,
  detail: string,
  options: { info?: DisconnectInfo; attempt: number; now: Date; random: () => number },
): DisconnectAction => {
  const { info, attempt, now, random } = options;
  switch (reason) {
    case 'logged_out':
      return { kind: 'relink', reason: 'logged_out: the phone removed the linked device', alert: 'logged_out' };
    case 'device_locked':
      return { kind: 'relink', reason: "device_locked: WhatsApp locked the account or the phone's WhatsApp is gone; link the number again", alert: 'logged_out' };
    case 'banned':
      return { kind: 'stop', reason: 'banned: WhatsApp banned the number', alert: 'banned' };
    case 'temporarily_banned': {
      const until = info?.until && info.until > now ? info.until : new Date(now.getTime() + TEMPORARY_BAN_DEFAULT_MS);

      return { kind: 'pause', until, reason: `temporarily_banned until ${until.toISOString()}`, alert: 'restricted' };
    }
    case 'multidevice_mismatch': {
      const until = new Date(now.getTime() + MULTIDEVICE_PAUSE_MS);

      return { kind: 'pause', until, reason: "multidevice_mismatch: update WhatsApp on the phone to use linked devices", alert: 'disconnected' };
    }
    case 'replaced':
      return { kind: 'check_lease', until: new Date(now.getTime() + REPLACED_PAUSE_MS), reason: 'replaced: another client of this linked device took over' };
    case 'lease_lost':
      return { kind: 'release' };
    case 'restart_required':
      return { kind: 'reconnect', delayMs: 0, reason: 'restart_required', alertAfterAttempts: null };
    case 'client_outdated':
      // The provider fetches the current WhatsApp Web version for the next attempt; if WhatsApp
      // still refuses it, try less and less often (30 s ... 30 min) and tell the merchant.
      return { kind: 'reconnect', delayMs: backoff(attempt, 30_000, 30 * 60_000, random), reason: 'client_outdated: WhatsApp refused this version of the client; Akked keeps retrying with the current one', alertAfterAttempts: 3 };
    case 'connection_lost':
      // Capped exponential backoff with jitter: 1 s, 2 s, 4 s ... up to 10 s, so a number is back
      // within seconds of the network's return however many attempts failed while it was away
      // (a disconnect storm under load ran up 60 s waits: sessions back 38 s after the storm).
      return { kind: 'reconnect', delayMs: backoff(attempt, 1_000, CONNECTION_LOST_MAX_DELAY_MS, random), reason: `connection lost: ${detail}`.slice(0, 200), alertAfterAttempts: 5 };
  }
};

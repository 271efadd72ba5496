import type { Queryable } from '../db/database.ts';
import { setNumberStatus } from './number-status.ts';

/**
 * A number's pauses: the one mechanism by which WhatsApp's restrictions hold a number back
 * (migration 0015). Two kinds:
 *  - connecting: nothing opens a session for the number before `connect_paused_until` (a
 *    temporary ban, another client on the device); the number then wakes by itself;
 *  - first contact: the number stays connected (customers' replies keep coming) but writes first
 *    to no customer before `first_contact_paused_until` (463, an active reach-out timelock).
 */

/** SQL condition on a number `n`: no connecting pause holds it back. */
export const IS_CONNECTING_ALLOWED = '(n.connect_paused_until is null or n.connect_paused_until <= now())';

/** Holds the number back from connecting until `until`, shown as `disconnected` with the reason; it wakes at `until`. */
export const pauseConnecting = async (queryable: Queryable, numberId: string, until: Date, reason: string): Promise<void> => {
  await queryable.query('update whatsapp_numbers set connect_paused_until = $2, wake_at = $2, updated_at = now() where id = $1', [numberId, until]);
  await setNumberStatus(queryable, numberId, 'disconnected', reason);
};

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

/** Outbound kinds that write first to a customer who may never have written to the number. */
export const FIRST_CONTACT_KINDS: ReadonlySet<string> = new Set(['confirmation', 'reminder']);

/** How long a number writes first to no one after a 463 when WhatsApp does not say until when. */
export const FIRST_CONTACT_PAUSE_MS = 6 * 60 * 60_000;
/** The same when the restriction comes back within a day of the last pause: WhatsApp's lockouts grow with each reach-out. */
export const REPEATED_FIRST_CONTACT_PAUSE_MS = 24 * 60 * 60_000;

/**
 * Stops the number from writing first until `until`, recorded on the number (with the reason) so
 * a worker that takes it over keeps the pause. `isExact`: WhatsApp said when the restriction ends
 * (a reach-out timelock), which replaces any guess; otherwise the pause only ever grows, to
 * `repeatedUntil` when the number was paused within the last day. Returns the pause now in force
 * and whether the number was writing first before.
 */
export const pauseFirstContact = async (
  queryable: Queryable,
  numberId: string,
  options: { until: Date; repeatedUntil?: Date; reason: string; isExact: boolean },
): Promise<{ until: Date; isNew: boolean }> => {
  const [row] = await queryable.query<{ until: Date; was_paused: boolean }>(
    `update whatsapp_numbers n set
       first_contact_paused_until = case when $3 then $2
                                         when n.first_contact_paused_until > now() - interval '1 day' then greatest(n.first_contact_paused_until, $5)
                                         else greatest(coalesce(n.first_contact_paused_until, $2), $2) end,
       first_contact_pause_reason = $4, updated_at = now()
     from (select first_contact_paused_until from whatsapp_numbers where id = $1) previous
     where n.id = $1
     returning n.first_contact_paused_until as until, coalesce(previous.first_contact_paused_until > now(), false) as was_paused`,
    [numberId, options.until, options.isExact, options.reason, options.repeatedUntil ?? options.until],
  );

  return { until: row?.until ?? options.until, isNew: !row?.was_paused };
};

import type { Queryable } from '../db/database.ts';
import { newId } from '../ids.ts';

export const NUMBER_STATUSES = ['pending_link', 'connected', 'hibernated', 'disconnected', 'logged_out', 'banned'] as const;
export type NumberStatus = (typeof NUMBER_STATUSES)[number];

/**
 * Sets a number's status and records the change in its history with the reason; a repeated status
 * with the same reason records nothing.
 */
export const setNumberStatus = async (
  queryable: Queryable,
  numberId: string,
  status: NumberStatus,
  reason: string | null,
): Promise<boolean> => {
  const rows = await queryable.query(
    `update whatsapp_numbers set status = $2, status_reason = $3, updated_at = now(),
       last_connected_at = case when $2 = 'connected' then now() else last_connected_at end,
       linked_at = case when $2 = 'connected' and linked_at is null then now() else linked_at end
     where id = $1 and (status is distinct from $2 or status_reason is distinct from $3)
     returning id`,
    [numberId, status, reason],
  );
  if (rows.length === 0) return false;
  await queryable.query('insert into whatsapp_number_events (id, number_id, status, reason) values ($1, $2, $3, $4)', [
    newId('event'),
    numberId,
    status,
    reason,
  ]);

  return true;
};

import type { Queryable } from '../db/database.ts';
import { AppError } from '../errors.ts';

/** What an account may hold at once (AKKED_MAX_*), so one account cannot exhaust what all share. */
export type QuotaKind = 'whatsapp_numbers' | 'stores' | 'api_keys';

const COUNTS: Record<QuotaKind, { sql: string; label: string }> = {
  whatsapp_numbers: { sql: 'select count(*)::int as count from whatsapp_numbers where account_id = $1', label: 'WhatsApp numbers' },
  stores: { sql: 'select count(*)::int as count from stores where account_id = $1', label: 'stores' },
  api_keys: { sql: 'select count(*)::int as count from api_keys where account_id = $1 and revoked_at is null', label: 'live API keys' },
};

/**
 * Inside the transaction that adds one: locks the account row (so two concurrent additions
 * cannot both see room for one) and refuses with 409 `quota_exceeded` when the account is full.
 */
export const assertBelowQuota = async (transaction: Queryable, accountId: string, kind: QuotaKind, limit: number): Promise<void> => {
  await transaction.query('select 1 from accounts where id = $1 for update', [accountId]);
  const [row] = await transaction.query<{ count: number }>(COUNTS[kind].sql, [accountId]);
  const count = Number(row?.count ?? 0);
  if (count >= limit) {
    throw new AppError('quota_exceeded', {
      message: `this account already has ${count} ${COUNTS[kind].label}, the most it may hold (${limit}); remove one first`,
      details: { quota: kind, limit },
    });
  }
};

import type { Queryable } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';

/**
 * The credit ledger is append-only; the account row caches its sum in `credit_balance`, which a
 * CHECK keeps at zero or above. A consumption is one guarded UPDATE, so concurrent sends can never
 * spend more than the balance: the database serialises them on the account row.
 */
export type LedgerKind = 'free_allowance' | 'monthly_grant' | 'top_up' | 'consumption' | 'refund' | 'adjustment';

export const consumeCredit = async (
  queryable: Queryable,
  options: { accountId: string; reference: string; reason: string; storeId?: string | null },
): Promise<number> => {
  const [account] = await queryable.query<{ credit_balance: number }>(
    'update accounts set credit_balance = credit_balance - 1, updated_at = now() where id = $1 and credit_balance >= 1 returning credit_balance',
    [options.accountId],
  );
  if (!account) throw new AppError('no_credits', { message: 'the account has no credits left', retryable: false });
  await queryable.query(
    "insert into credit_ledger (id, account_id, kind, credits, reason, reference, store_id) values ($1, $2, 'consumption', -1, $3, $4, $5)",
    [newId('ledgerEntry'), options.accountId, options.reason, options.reference, options.storeId ?? null],
  );

  return Number(account.credit_balance);
};

/**
 * Adds credits once per (kind, reference): a replayed grant or refund changes nothing. Returns
 * whether the entry was new.
 */
export const grantCredits = async (
  queryable: Queryable,
  options: { accountId: string; kind: Exclude<LedgerKind, 'consumption'>; credits: number; reason: string; reference: string | null; storeId?: string | null },
): Promise<boolean> => {
  const inserted = await queryable.query(
    `insert into credit_ledger (id, account_id, kind, credits, reason, reference, store_id) values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (account_id, kind, reference) where reference is not null do nothing returning 1`,
    [newId('ledgerEntry'), options.accountId, options.kind, options.credits, options.reason, options.reference, options.storeId ?? null],
  );
  if (inserted.length === 0) return false;
  // Any grant refills the account, so the next exhaustion is announced again; a grant other than a
  // one-credit refund starts a new period for the "credits low" announcement.
  await queryable.query(
    `update accounts set credit_balance = credit_balance + $2, no_credits_notified_at = null,
       low_credits_notified_at = case when $3::boolean then null else low_credits_notified_at end, updated_at = now()
     where id = $1`,
    [options.accountId, options.credits, options.kind !== 'refund'],
  );

  return true;
};

/** Gives back the credit of a message that never reached WhatsApp (refused before sending). */
export const refundCredit = async (queryable: Queryable, options: { accountId: string; messageId: string; reason: string }): Promise<boolean> => {
  const [consumed] = await queryable.query<{ store_id: string | null }>(
    "select store_id from credit_ledger where account_id = $1 and kind = 'consumption' and reference = $2",
    [options.accountId, options.messageId],
  );
  if (!consumed) return false;

  return grantCredits(queryable, {
    accountId: options.accountId,
    kind: 'refund',
    credits: 1,
    reason: options.reason,
    reference: options.messageId,
    storeId: consumed.store_id,
  });
};

export const readBalance = async (queryable: Queryable, accountId: string): Promise<number> => {
  const [row] = await queryable.query<{ credit_balance: number }>('select credit_balance from accounts where id = $1', [accountId]);

  return Number(row?.credit_balance ?? 0);
};

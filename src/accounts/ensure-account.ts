import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { newId } from '../ids.ts';

/**
 * Gives a user its tenant account (with the free allowance) if it has none yet, and returns the
 * account id. Idempotent and safe under concurrency: the user row is locked while checking.
 */
export const ensureAccountForUser = async (
  database: Database,
  config: Pick<Config, 'AKKED_FREE_CREDITS'>,
  user: { id: string; name: string },
): Promise<string | null> =>
  database.transaction(async (transaction) => {
    const [row] = await transaction.query<{ account_id: string | null }>(
      'select account_id from users where id = $1 for update',
      [user.id],
    );
    if (!row) return null;
    if (row.account_id) return row.account_id;
    const accountId = newId('account');
    const freeCredits = config.AKKED_FREE_CREDITS;
    await transaction.query('insert into accounts (id, name, credit_balance) values ($1, $2, $3)', [accountId, user.name, freeCredits]);
    if (freeCredits > 0) {
      await transaction.query(
        `insert into credit_ledger (id, account_id, kind, credits, reason, reference)
         values ($1, $2, 'free_allowance', $3, 'Free credits at sign-up', 'sign-up')`,
        [newId('ledgerEntry'), accountId, freeCredits],
      );
    }
    await transaction.query('update users set account_id = $1, updated_at = now() where id = $2', [accountId, user.id]);

    return accountId;
  });

import { rm } from 'node:fs/promises';
import { cancelAccountSubscription } from '../billing/billing-service.ts';
import type { StripeGateway } from '../billing/stripe-client.ts';
import type { Database } from '../db/database.ts';
import { outboxDirectory } from '../email/mailer.ts';
import type { Mailer } from '../email/mailer.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { notifyAccessRevoked } from './access-revocation.ts';
import { readAccountDeletionRecipients, sendAccountDeletedEmails } from '../privacy/account-deletion-email.ts';
import { recordErasure } from '../privacy/erasure-audit.ts';
import { CLOSE_CHANNEL, type SessionManager } from '../whatsapp/session-manager.ts';
import type { Auth } from './auth.ts';

export type AccountDeletionCounts = {
  users: number;
  stores: number;
  whatsappNumbers: number;
  orders: number;
  messages: number;
  events: number;
  jobs: number;
  credentials: number;
  sessionKeys: number;
};

/**
 * Deletes an account and everything that belongs to it (DESIGN.md §5.3): after the password is
 * checked again, live WhatsApp sessions are closed, then every row goes in one transaction (users,
 * their sessions and API keys, stores, numbers and their keys, orders, messages, events, ledger,
 * credentials, queued jobs), then the account's outbox folder. Sessions stop working at once
 * because the session rows are gone and no session is cached. Last, each user gets a confirmation
 * email holding only their address and the fact of the deletion.
 */
export const deleteAccount = async (
  dependencies: { auth: Auth; database: Database; queue: JobQueue; sessions: SessionManager | null; dataDirectory: string; mailer: Mailer; logger: Logger; stripe: StripeGateway | null },
  options: { accountId: string; userId: string; password: string },
): Promise<AccountDeletionCounts> => {
  const { database } = dependencies;
  const [identity] = await database.query<{ password: string | null }>("select password from auth_identities where user_id = $1 and provider_id = 'credential'", [options.userId]);
  const context = await dependencies.auth.$context;
  const isPasswordRight = identity?.password ? await context.password.verify({ hash: identity.password, password: options.password }) : false;
  if (!isPasswordRight) throw new AppError('wrong_password', { message: 'wrong password' });
  // Before any row goes: if Stripe cannot be reached the deletion stops (503) rather than leave a
  // subscription billing an account that no longer exists.
  await cancelAccountSubscription(dependencies, options.accountId);

  const numbers = await database.query<{ id: string }>('select id from whatsapp_numbers where account_id = $1', [options.accountId]);
  for (const number of numbers) {
    await database.query(`select pg_notify('${CLOSE_CHANNEL}', $1)`, [number.id]);
    await dependencies.sessions?.closeNow(number.id);
  }
  const recipients = await readAccountDeletionRecipients(database, options.accountId);
  const counts = await database.transaction(async (transaction) => {
    const [row] = await transaction.query<Record<string, string>>(
      `select (select count(*) from users where account_id = $1) as users,
              (select count(*) from stores where account_id = $1) as stores,
              (select count(*) from whatsapp_numbers where account_id = $1) as whatsapp_numbers,
              (select count(*) from orders where account_id = $1) as orders,
              (select count(*) from messages where account_id = $1) as messages,
              (select count(*) from order_events where account_id = $1) as events,
              (select count(*) from credentials where account_id = $1) as credentials,
              (select count(*) from whatsapp_auth_keys k join whatsapp_numbers n on n.id = k.number_id where n.account_id = $1) as session_keys`,
      [options.accountId],
    );
    const jobs = await dependencies.queue.deleteJobsReferencing(transaction, 'accountId', [options.accountId]);
    await transaction.query('delete from whatsapp_auth_keys where number_id in (select id from whatsapp_numbers where account_id = $1)', [options.accountId]);
    await transaction.query('delete from messages where account_id = $1', [options.accountId]);
    // Everything else hangs off the account row with ON DELETE CASCADE (users → sessions, identities).
    await transaction.query('delete from accounts where id = $1', [options.accountId]);
    await notifyAccessRevoked(transaction, { accountId: options.accountId });
    const result: AccountDeletionCounts = {
      users: Number(row?.users ?? 0),
      stores: Number(row?.stores ?? 0),
      whatsappNumbers: Number(row?.whatsapp_numbers ?? 0),
      orders: Number(row?.orders ?? 0),
      messages: Number(row?.messages ?? 0),
      events: Number(row?.events ?? 0),
      jobs,
      credentials: Number(row?.credentials ?? 0),
      sessionKeys: Number(row?.session_keys ?? 0),
    };
    await recordErasure(transaction, options.accountId, 'account', result);

    return result;
  });
  await rm(outboxDirectory(dependencies.dataDirectory, options.accountId), { recursive: true, force: true });
  await sendAccountDeletedEmails(dependencies, { accountId: options.accountId, recipients });

  return counts;
};

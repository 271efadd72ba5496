import type { Queryable } from '../db/database.ts';
import type { Mailer } from '../email/mailer.ts';
import { renderAccountDeletedEmail, toEmailLanguage } from '../email/templates.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Who hears that an account was deleted: its users' addresses and languages, read before the rows go. */
export type AccountDeletionRecipient = { email: string; language: string };

export const readAccountDeletionRecipients = (queryable: Queryable, accountId: string): Promise<AccountDeletionRecipient[]> =>
  queryable.query<AccountDeletionRecipient>('select email, language from users where account_id = $1 order by created_at', [accountId]);

const RETRY_DELAYS_MS = [250, 1_000];

/**
 * Confirms the deletion to each of the account's users, at once and directly: a queued job could
 * not carry the address (job payloads hold ids only) and the account's rows are gone. The outbox
 * transport writes it into the account's folder after that folder was removed, so the folder then
 * holds this email alone. The deletion is done whatever happens here: a failed delivery is retried
 * briefly, then logged without the address, never thrown.
 */
export const sendAccountDeletedEmails = async (
  dependencies: { mailer: Mailer; logger: Logger },
  options: { accountId: string; recipients: readonly AccountDeletionRecipient[] },
): Promise<{ sent: number; failed: number }> => {
  let sent = 0;
  for (const recipient of options.recipients) {
    const email = renderAccountDeletedEmail(toEmailLanguage(recipient.language), recipient.email);
    for (let attempt = 0; ; attempt++) {
      try {
        await dependencies.mailer.send({ ...email, to: recipient.email, kind: 'account-deleted', accountId: options.accountId });
        sent++;
        break;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          // The error's code only: an SMTP refusal quotes the address, which must not reach a log.
          const reason = error instanceof AppError ? error.code : 'unknown';
          dependencies.logger.error({ kind: 'account-deleted', accountId: options.accountId, reason }, 'the account deletion email could not be delivered');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  return { sent, failed: options.recipients.length - sent };
};

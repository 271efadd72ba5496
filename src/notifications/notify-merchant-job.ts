import { z } from 'zod';
import { toEmailLanguage } from '../email/templates.ts';
import { defineJob } from '../services.ts';
import { renderMerchantAlert, type MerchantAlert } from './merchant-emails.ts';

const ALERT_PAGES: Record<MerchantAlert, string> = {
  credits_exhausted: '/billing',
  number_logged_out: '/numbers',
  number_banned: '/numbers',
  number_disconnected: '/numbers',
  number_restricted: '/numbers',
};

/** Emails every user of an account about an alert; the payload holds ids only. */
export const notifyMerchantJob = defineJob({
  name: 'notifications.merchant-alert',
  schema: z.object({
    accountId: z.string(),
    kind: z.enum(['credits_exhausted', 'number_logged_out', 'number_banned', 'number_disconnected', 'number_restricted']),
    numberId: z.string().optional(),
  }),
  retry: { limit: 10, delaySeconds: 5, backoff: true, maximumDelaySeconds: 3600 },
  policy: 'stately',
  expireInSeconds: 120,
  heartbeatSeconds: 10,
  handle: async ({ accountId, kind, numberId }, { services }) => {
    const { database, mailer, config } = services;
    if (kind === 'credits_exhausted') {
      // Once until the account is refilled (a grant clears the mark).
      const marked = await database.query(
        'update accounts set no_credits_notified_at = now() where id = $1 and no_credits_notified_at is null and credit_balance = 0 returning 1',
        [accountId],
      );
      if (marked.length === 0) return;
    }
    const users = await database.query<{ name: string; email: string; language: string }>('select name, email, language from users where account_id = $1', [accountId]);
    const page = numberId ? `${ALERT_PAGES[kind]}/${numberId}` : ALERT_PAGES[kind];
    for (const user of users) {
      const email = renderMerchantAlert(kind, toEmailLanguage(user.language), user.name, `${config.publicUrl}${page}`);
      await mailer.send({ ...email, to: user.email, kind, accountId });
    }
  },
});

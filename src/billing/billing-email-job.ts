import { z } from 'zod';
import { toEmailLanguage } from '../email/templates.ts';
import { defineJob } from '../services.ts';
import { renderBillingEmail, type BillingEmail } from './billing-emails.ts';
import { readInvoice, stripeAmountToDecimal } from './invoices.ts';

export const BILLING_EMAIL_KINDS = ['receipt', 'payment_failed', 'credits_low', 'subscription_cancelled'] as const;

export type BillingEmailKind = (typeof BILLING_EMAIL_KINDS)[number];

/**
 * Emails every user of an account about its billing. Enqueued in the transaction that decides the
 * email is due (one receipt per invoice, one "credits low" per period), so it is sent once; the
 * payload holds ids only and the details are read when it runs.
 */
export const billingEmailJob = defineJob({
  name: 'billing.email',
  schema: z.object({ accountId: z.string(), kind: z.enum(BILLING_EMAIL_KINDS), invoiceId: z.string().optional() }),
  retry: { limit: 10, delaySeconds: 5, backoff: true, maximumDelaySeconds: 3600 },
  policy: 'standard',
  expireInSeconds: 120,
  heartbeatSeconds: 10,
  handle: async ({ accountId, kind, invoiceId }, { services }) => {
    const { database, mailer, config } = services;
    const billingUrl = `${config.publicUrl}/billing`;
    let email: BillingEmail;
    if (kind === 'receipt' || kind === 'payment_failed') {
      // The account (and its invoices) may have been erased since: nothing to send then.
      const invoice = invoiceId ? await readInvoice(database, accountId, invoiceId) : undefined;
      if (!invoice) return;
      const currency = invoice.currency.toUpperCase();
      const url = invoice.hosted_invoice_url ?? billingUrl;
      email =
        kind === 'receipt'
          ? {
              kind,
              amount: stripeAmountToDecimal(Number(invoice.amount_paid), currency),
              currency,
              periodStart: invoice.period_start ? new Date(invoice.period_start) : null,
              periodEnd: invoice.period_end ? new Date(invoice.period_end) : null,
              invoiceId: invoice.id,
              url,
            }
          : { kind, amount: stripeAmountToDecimal(Number(invoice.amount_due), currency), currency, invoiceId: invoice.id, url };
    } else if (kind === 'credits_low') {
      const [account] = await database.query<{ credit_balance: number }>('select credit_balance from accounts where id = $1', [accountId]);
      // Emptied before this ran: the exhaustion alert speaks then.
      if (!account || Number(account.credit_balance) === 0) return;
      email = { kind, balance: Number(account.credit_balance), url: billingUrl };
    } else {
      email = { kind, url: billingUrl };
    }
    const users = await database.query<{ name: string; email: string; language: string }>('select name, email, language from users where account_id = $1 order by created_at', [accountId]);
    for (const user of users) {
      const rendered = renderBillingEmail(email, toEmailLanguage(user.language), user.name);
      await mailer.send({ ...rendered, to: user.email, kind: `billing_${kind}`, accountId });
    }
  },
});

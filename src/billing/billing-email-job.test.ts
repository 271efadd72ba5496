import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMerchant, type Merchant } from '../../test/harness/http.ts';
import { readOutbox, startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { billingEmailJob, type BillingEmailKind } from './billing-email-job.ts';

describe('billing emails', () => {
  let testRuntime: TestRuntime;
  let arabic: Merchant;
  let french: Merchant;

  beforeAll(async () => {
    testRuntime = await startTestRuntime('pglite', { roles: { api: true, worker: false } });
    arabic = await createMerchant(testRuntime, { name: 'Amina <b>&', language: 'ar' });
    french = await createMerchant(testRuntime, { name: 'Élodie "O\'Neil"', language: 'fr' });
    await testRuntime.testDatabase.database.query(
      `insert into invoices (id, account_id, amount_paid, amount_due, currency, status, hosted_invoice_url, period_start, period_end, created_at) values
         ('in_receipt_ar', $1, 12500, 12500, 'kwd', 'paid', 'https://invoice.stripe.com/i/acct_1/in_receipt_ar?s=ap&x="<y>"', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', now()),
         ('in_failed_fr', $2, 0, 7900, 'eur', 'open', 'https://invoice.stripe.com/i/acct_1/in_failed_fr', null, null, now())`,
      [arabic.accountId, french.accountId],
    );
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const run = (accountId: string, kind: BillingEmailKind, invoiceId?: string) =>
    billingEmailJob.handle(
      { accountId, kind, ...(invoiceId ? { invoiceId } : {}) },
      { services: testRuntime.runtime.services, jobId: 'job_test', retryCount: 0, isLastAttempt: false },
    );

  const mailsOf = async (merchant: Merchant, kind: string) =>
    (await readOutbox(testRuntime.dataDirectory)).filter((mail) => mail.to === merchant.email && mail.file.includes(`billing_${kind}`));

  it('sends the receipt in the user’s language with the amount in the currency’s digits, the period and the invoice link, all escaped', async () => {
    await run(arabic.accountId, 'receipt', 'in_receipt_ar');
    const [mail] = await mailsOf(arabic, 'receipt');
    expect(mail?.subject).toBe('إيصال Akked: 12.500 KWD');
    expect(mail?.text).toContain('مرحبًا Amina <b>&،');
    expect(mail?.text).toContain('12.500 KWD');
    expect(mail?.text).toContain(new Intl.DateTimeFormat('ar', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date('2026-11-01T00:00:00Z')));
    expect(mail?.text).toContain('in_receipt_ar');
    expect(mail?.text).toContain('https://invoice.stripe.com/i/acct_1/in_receipt_ar?s=ap&x="<y>"');
    expect(mail?.html).toContain('dir="rtl"');
    expect(mail?.html).toContain('Amina &lt;b&gt;&amp;');
    expect(mail?.html).toContain('href="https://invoice.stripe.com/i/acct_1/in_receipt_ar?s=ap&amp;x=&quot;&lt;y&gt;&quot;"');
    expect(mail?.html).not.toContain('<b>&');
  });

  it('tells a French merchant that a payment failed, with the amount due and the link to pay', async () => {
    await run(french.accountId, 'payment_failed', 'in_failed_fr');
    const [mail] = await mailsOf(french, 'payment_failed');
    expect(mail?.subject).toBe('Le paiement de votre abonnement Akked a échoué');
    expect(mail?.text).toContain('79.00 EUR');
    expect(mail?.text).toContain('https://invoice.stripe.com/i/acct_1/in_failed_fr');
    expect(mail?.html).toContain('Élodie &quot;O&#39;Neil&quot;');
    expect(mail?.html).toContain('lang="fr"');
  });

  it('announces low credits with the balance, and says nothing once the balance is zero', async () => {
    await testRuntime.testDatabase.database.query('update accounts set credit_balance = 7 where id = $1', [french.accountId]);
    await run(french.accountId, 'credits_low');
    const [mail] = await mailsOf(french, 'credits_low');
    expect(mail?.text).toContain('Il reste 7 crédits');
    expect(mail?.text).toContain(`${testRuntime.config.publicUrl}/billing`);
    await testRuntime.testDatabase.database.query('update accounts set credit_balance = 0 where id = $1', [french.accountId]);
    await run(french.accountId, 'credits_low');
    expect(await mailsOf(french, 'credits_low')).toHaveLength(1);
  });

  it('announces a cancelled subscription, and sends nothing for an invoice of another account', async () => {
    await run(arabic.accountId, 'subscription_cancelled');
    const [mail] = await mailsOf(arabic, 'subscription_cancelled');
    expect(mail?.subject).toBe('تم إلغاء اشتراكك في Akked');
    await run(arabic.accountId, 'payment_failed', 'in_failed_fr');
    expect(await mailsOf(arabic, 'payment_failed')).toHaveLength(0);
  });
});

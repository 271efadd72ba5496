import type { Queryable } from '../db/database.ts';
import { formatMoney } from '../money.ts';

// Stripe's own list of how many decimals its integer amounts carry (docs: "Supported currencies");
// it differs from ISO 4217 for a few codes (ISK is sent with two, MGA with none).
const STRIPE_ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const STRIPE_THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** A Stripe amount (an integer in Stripe's smallest unit) as a decimal string in the currency's ISO minor digits. */
export const stripeAmountToDecimal = (amount: number, currency: string): string => {
  const code = currency.toUpperCase();
  const stripeDigits = STRIPE_ZERO_DECIMAL.has(code) ? 0 : STRIPE_THREE_DECIMAL.has(code) ? 3 : 2;
  const negative = amount < 0;
  const digits = String(Math.abs(Math.trunc(amount))).padStart(stripeDigits + 1, '0');
  const decimal = stripeDigits === 0 ? digits : `${digits.slice(0, -stripeDigits)}.${digits.slice(-stripeDigits)}`;

  return formatMoney(`${negative ? '-' : ''}${decimal}`, code);
};

export type InvoiceRecord = {
  id: string;
  accountId: string;
  subscriptionId: string | null;
  amountPaid: number;
  amountDue: number;
  currency: string;
  status: string;
  hostedInvoiceUrl: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  createdAt: Date;
};

/** Inserts or refreshes one invoice row (the latest event wins for its status and link). */
export const upsertInvoice = async (queryable: Queryable, invoice: InvoiceRecord): Promise<void> => {
  await queryable.query(
    `insert into invoices (id, account_id, stripe_subscription_id, amount_paid, amount_due, currency, status, hosted_invoice_url, period_start, period_end, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     on conflict (id) do update set
       status = case when invoices.status = 'paid' then invoices.status else excluded.status end,
       amount_paid = greatest(invoices.amount_paid, excluded.amount_paid),
       amount_due = excluded.amount_due,
       hosted_invoice_url = coalesce(excluded.hosted_invoice_url, invoices.hosted_invoice_url),
       stripe_subscription_id = coalesce(excluded.stripe_subscription_id, invoices.stripe_subscription_id),
       period_start = coalesce(excluded.period_start, invoices.period_start),
       period_end = coalesce(excluded.period_end, invoices.period_end),
       updated_at = now()
     where invoices.account_id = excluded.account_id`,
    [
      invoice.id,
      invoice.accountId,
      invoice.subscriptionId,
      invoice.amountPaid,
      invoice.amountDue,
      invoice.currency.toLowerCase(),
      invoice.status,
      invoice.hostedInvoiceUrl,
      invoice.periodStart,
      invoice.periodEnd,
      invoice.createdAt,
    ],
  );
};

/** Marks the receipt of an invoice as queued; true only the first time (one receipt per invoice). */
export const claimReceipt = async (queryable: Queryable, invoiceId: string): Promise<boolean> => {
  const claimed = await queryable.query('update invoices set receipt_queued_at = now() where id = $1 and receipt_queued_at is null returning 1', [invoiceId]);

  return claimed.length > 0;
};

export type StoredInvoice = {
  id: string;
  amount_paid: string;
  amount_due: string;
  currency: string;
  status: string;
  hosted_invoice_url: string | null;
  period_start: Date | string | null;
  period_end: Date | string | null;
  created_at: Date | string;
};

export const readInvoice = async (queryable: Queryable, accountId: string, invoiceId: string): Promise<StoredInvoice | undefined> => {
  const [invoice] = await queryable.query<StoredInvoice>(
    'select id, amount_paid, amount_due, currency, status, hosted_invoice_url, period_start, period_end, created_at from invoices where id = $1 and account_id = $2',
    [invoiceId, accountId],
  );

  return invoice;
};

export const listInvoices = async (queryable: Queryable, accountId: string, limit: number): Promise<StoredInvoice[]> =>
  queryable.query<StoredInvoice>(
    `select id, amount_paid, amount_due, currency, status, hosted_invoice_url, period_start, period_end, created_at
     from invoices where account_id = $1 order by created_at desc, id desc limit $2`,
    [accountId, limit],
  );

import { useQuery } from '@tanstack/react-query';
import { api } from './client.ts';

/** GET /api/v1/billing (DESIGN.md §5.3). Money is a decimal string in the currency's minor digits. */
export type Plan = { id: string; name: string; monthlyCredits: number; price: string; currency: string; stripePriceId: string | null };

export type LedgerKind = 'free_allowance' | 'monthly_grant' | 'top_up' | 'consumption' | 'refund' | 'adjustment';

export type LedgerEntry = { id: string; kind: LedgerKind | (string & {}); credits: number; reason: string; createdAt: string };

export type Invoice = { id: string; amountPaid: string; currency: string; status: string; url: string | null; createdAt: string };

export type Billing = {
  configured: boolean;
  plan: string;
  balance: number;
  plans: Plan[];
  ledger: LedgerEntry[];
  invoices: Invoice[];
};

/** A top-up buys this many credits at least and at most (src/billing/billing-service.ts). */
export const TOP_UP_MINIMUM_CREDITS = 100;
export const TOP_UP_MAXIMUM_CREDITS = 100_000;

export const BILLING_QUERY_KEY = ['billing'] as const;

export const useBilling = () => useQuery({ queryKey: BILLING_QUERY_KEY, queryFn: () => api<Billing>('/api/v1/billing') });

/** Each answers the address of a Stripe page to send the merchant to. */
export const startCheckout = (planId: string): Promise<{ url: string }> => api('/api/v1/billing/checkout', { method: 'POST', body: { planId } });

export const startTopUp = (credits: number): Promise<{ url: string }> => api('/api/v1/billing/top-up', { method: 'POST', body: { credits } });

export const openPortal = (): Promise<{ url: string }> => api('/api/v1/billing/portal', { method: 'POST' });

/** Only web pages are followed or linked: never a javascript:, data: or other scheme. */
export const isWebUrl = (value: string | null | undefined): value is string => {
  if (!value) return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
};

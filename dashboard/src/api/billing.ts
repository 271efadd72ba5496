import { useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import type { ResponseBody } from './schema.ts';

/** GET /api/v1/billing. Money is a decimal string in the currency's minor digits. */
export type Billing = ResponseBody<'/api/v1/billing'>;
export type Plan = Billing['plans'][number];
export type LedgerEntry = Billing['ledger'][number];
export type Invoice = Billing['invoices'][number];

/** A top-up buys this many credits at least and at most (src/billing/billing-service.ts). */
export const TOP_UP_MINIMUM_CREDITS = 100;
export const TOP_UP_MAXIMUM_CREDITS = 100_000;

export const BILLING_QUERY_KEY = ['billing'] as const;

export const useBilling = () => useQuery({ queryKey: BILLING_QUERY_KEY, queryFn: () => api<Billing>('/api/v1/billing') });

/** Each answers the address of a Stripe page to send the merchant to. */
export const startCheckout = (planId: string): Promise<ResponseBody<'/api/v1/billing/checkout', 'post'>> => api('/api/v1/billing/checkout', { method: 'POST', body: { planId } });

export const startTopUp = (credits: number): Promise<ResponseBody<'/api/v1/billing/top-up', 'post'>> => api('/api/v1/billing/top-up', { method: 'POST', body: { credits } });

export const openPortal = (): Promise<ResponseBody<'/api/v1/billing/portal', 'post'>> => api('/api/v1/billing/portal', { method: 'POST' });

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

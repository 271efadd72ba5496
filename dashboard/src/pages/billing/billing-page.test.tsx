import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Billing } from '../../api/billing.ts';
import { rememberCsrfToken } from '../../api/client.ts';
import { installFakeApi, SAMPLE_SESSION } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import BillingPage from './billing-page.tsx';

const PLANS = [
  { id: 'free', name: 'Free', monthlyCredits: 0, price: '0.00', currency: 'USD', stripePriceId: null },
  { id: 'starter', name: 'Starter', monthlyCredits: 1000, price: '19.00', currency: 'USD', stripePriceId: 'price_starter' },
  { id: 'growth', name: 'Growth', monthlyCredits: 5000, price: '79.00', currency: 'USD', stripePriceId: 'price_growth' },
  { id: 'scale', name: 'Scale', monthlyCredits: 20000, price: '249.00', currency: 'USD', stripePriceId: null },
];

const billing = (overrides: Partial<Billing> = {}): Billing => ({
  configured: true,
  plan: 'starter',
  balance: 1234,
  plans: PLANS,
  ledger: [
    { id: 'led_3', kind: 'consumption', credits: -1, reason: 'confirmation of order #1001', createdAt: '2026-05-02T10:00:00.000Z' },
    { id: 'led_2', kind: 'monthly_grant', credits: 1000, reason: 'invoice in_1', createdAt: '2026-05-01T10:00:00.000Z' },
    { id: 'led_1', kind: 'free_allowance', credits: 50, reason: 'sign-up', createdAt: '2026-04-01T10:00:00.000Z' },
  ],
  invoices: [
    { id: 'in_1', amountPaid: '19.00', currency: 'USD', status: 'paid', url: 'https://invoice.stripe.com/i/acct_1/test_1', createdAt: '2026-05-01T10:00:00.000Z' },
    { id: 'in_0', amountPaid: '19.00', currency: 'USD', status: 'paid', url: 'javascript:alert(1)', createdAt: '2026-04-01T10:00:00.000Z' },
  ],
  ...overrides,
});

describe('billing page', () => {
  let assign: MockInstance<(url: string | URL) => void>;
  beforeEach(() => {
    rememberCsrfToken(SAMPLE_SESSION.csrfToken);
    assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
  });
  afterEach(() => {
    assign.mockRestore();
  });

  it('shows the balance, the plan, the plans with their prices, the ledger and the invoices', async () => {
    installFakeApi({ 'GET /api/v1/billing': { body: billing() } });
    renderAt(<BillingPage />, { path: '/billing', route: '/billing' });

    expect(await screen.findByText('1,234 credits')).toBeTruthy();
    expect(screen.getByText('1,000 credits every month')).toBeTruthy();
    const plans = screen.getAllByRole('listitem').filter((item) => item.classList.contains('billing-plan'));
    expect(plans.map((plan) => within(plan).getByRole('heading').textContent)).toEqual(['Free', 'Starter', 'Growth', 'Scale']);
    expect(within(plans[2]!).getByText('$79.00 / month')).toBeTruthy();
    expect(within(plans[2]!).getByText('5,000 credits a month')).toBeTruthy();
    expect(within(plans[1]!).getByText('Current plan')).toBeTruthy();
    // Only plans that can be bought and are not the current one have a button.
    expect(screen.getAllByRole('button', { name: /^Choose the/ }).map((button) => button.getAttribute('aria-label'))).toEqual(['Choose the Growth plan']);
    expect(within(plans[3]!).getByText('Not available for purchase on this server')).toBeTruthy();

    const ledger = within(screen.getByRole('table', { name: 'Credit history, latest first' })).getAllByRole('row').slice(1);
    expect(ledger.map((row) => [...row.querySelectorAll('td')].slice(1).map((cell) => cell.textContent))).toEqual([
      ['Confirmation question', '-1', 'confirmation of order #1001'],
      ['Monthly credits', '+1,000', 'invoice in_1'],
      ['Free allowance', '+50', 'sign-up'],
    ]);

    const invoices = within(screen.getByRole('table', { name: 'Invoices, latest first' })).getAllByRole('row').slice(1);
    expect(within(invoices[0]!).getByText('$19.00')).toBeTruthy();
    expect(within(invoices[0]!).getByText('Paid')).toBeTruthy();
    const link = within(invoices[0]!).getByRole('link', { name: /View invoice/ });
    expect(link.getAttribute('href')).toBe('https://invoice.stripe.com/i/acct_1/test_1');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link.getAttribute('target')).toBe('_blank');
    // An address that is not a web page is never made a link.
    expect(within(invoices[1]!).queryByRole('link')).toBeNull();
    expect(within(invoices[1]!).getByText('No link')).toBeTruthy();
  });

  it('starts a checkout for the chosen plan and goes to the address Stripe answered', async () => {
    const api = installFakeApi({
      'GET /api/v1/billing': { body: billing() },
      'POST /api/v1/billing/checkout': { body: { url: 'https://checkout.stripe.com/c/pay/cs_test_1' } },
    });
    renderAt(<BillingPage />, { path: '/billing', route: '/billing' });

    fireEvent.click(await screen.findByRole('button', { name: 'Choose the Growth plan' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://checkout.stripe.com/c/pay/cs_test_1'));
    const post = api.requests.find((request) => request.method === 'POST')!;
    expect(post).toMatchObject({ path: '/api/v1/billing/checkout', body: { planId: 'growth' } });
    expect(post.headers['x-csrf-token']).toBe('csrf-token-1');
  });

  it('explains a refused checkout inline', async () => {
    installFakeApi({
      'GET /api/v1/billing': { body: billing() },
      'POST /api/v1/billing/checkout': { status: 409, body: { error: { code: 'invalid_state', message: 'the account already has a subscription' } } },
    });
    renderAt(<BillingPage />, { path: '/billing', route: '/billing' });

    fireEvent.click(await screen.findByRole('button', { name: 'Choose the Growth plan' }));
    expect((await screen.findByRole('alert')).textContent).toBe('You already have a subscription: change or cancel it with "Manage billing".');
    expect(assign).not.toHaveBeenCalled();
  });

  it('tops up within the allowed range and opens the billing portal', async () => {
    const api = installFakeApi({
      'GET /api/v1/billing': { body: billing() },
      'POST /api/v1/billing/top-up': { body: { url: 'https://checkout.stripe.com/c/pay/cs_test_topup' } },
      'POST /api/v1/billing/portal': { body: { url: 'https://billing.stripe.com/p/session/test_1' } },
    });
    renderAt(<BillingPage />, { path: '/billing', route: '/billing' });

    const credits = await screen.findByLabelText('Credits');
    fireEvent.change(credits, { target: { value: '50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Enter a whole number from 100 to 100,000.');
    expect(api.requests.some((request) => request.method === 'POST')).toBe(false);

    fireEvent.change(credits, { target: { value: '2500' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://checkout.stripe.com/c/pay/cs_test_topup'));

    fireEvent.click(screen.getByRole('button', { name: 'Manage billing' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://billing.stripe.com/p/session/test_1'));
    const posts = api.requests.filter((request) => request.method === 'POST');
    expect(posts.map((request) => [request.path, request.body, request.headers['x-csrf-token']])).toEqual([
      ['/api/v1/billing/top-up', { credits: 2500 }, 'csrf-token-1'],
      ['/api/v1/billing/portal', undefined, 'csrf-token-1'],
    ]);
  });

  it('says billing is not configured, and still shows credits, plans and the ledger', async () => {
    installFakeApi({ 'GET /api/v1/billing': { body: billing({ configured: false, plan: 'free', balance: 50, invoices: [] }) } });
    renderAt(<BillingPage />, { path: '/billing', route: '/billing' });

    expect(await screen.findByText('Billing is not configured on this server')).toBeTruthy();
    expect(screen.getByText(/Credits and the free allowance still work/)).toBeTruthy();
    expect(screen.getByText('50 credits')).toBeTruthy();
    expect(screen.getAllByRole('heading', { level: 3 })).toHaveLength(4);
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByLabelText('Credits')).toBeNull();
    expect(screen.getByText('No invoice yet')).toBeTruthy();
  });

  it('turns into the not-configured state when the server answers 503 billing_not_configured', async () => {
    installFakeApi({
      'GET /api/v1/billing': { body: billing() },
      'POST /api/v1/billing/checkout': { status: 503, body: { error: { code: 'billing_not_configured', message: 'billing is not configured on this server (no STRIPE_SECRET_KEY)' } } },
    });
    renderAt(<BillingPage />, { path: '/billing', route: '/billing' });

    fireEvent.click(await screen.findByRole('button', { name: 'Choose the Growth plan' }));
    expect(await screen.findByText('Billing is not configured on this server')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
    expect(assign).not.toHaveBeenCalled();
  });

  it('thanks the merchant back from Stripe', async () => {
    installFakeApi({ 'GET /api/v1/billing': { body: billing() } });
    renderAt(<BillingPage />, { path: '/billing?top-up=success', route: '/billing' });

    expect((await screen.findByRole('status')).textContent).toBe('Thank you! Your credits appear as soon as the payment is confirmed.');
  });

  it('shows the API error when billing cannot be read', async () => {
    installFakeApi({ 'GET /api/v1/billing': { status: 500, body: { error: { code: 'internal', message: 'boom' } } } });
    renderAt(<BillingPage />, { path: '/billing', route: '/billing' });

    expect((await screen.findByRole('alert')).textContent).toContain('Something went wrong on our side.');
  });
});

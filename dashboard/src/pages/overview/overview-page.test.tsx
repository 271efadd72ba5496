import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Analytics } from '../../api/analytics.ts';
import { fillDays } from '../../api/analytics.ts';
import { RequireSession } from '../../components/require-session.tsx';
import { installFakeApi, SAMPLE_SESSION, type RecordedRequest } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import OverviewPage from './overview-page.tsx';

// The charts' chunk loads only when this test says so: on a quick machine it would otherwise have
// loaded during the first test, and the second would never see its loading state.
const chartsChunk = vi.hoisted(() => {
  let release: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => {
    release = resolve;
  });

  return { loaded, release: () => release() };
});
vi.mock('./overview-charts.tsx', async (importOriginal) => {
  await chartsChunk.loaded;

  return importOriginal();
});

const ZERO_TOTALS = { received: 0, queued: 0, sent: 0, delivered: 0, read: 0, confirmed: 0, cancelled: 0, no_response: 0, skipped: 0, failed: 0, all: 0 };

const todayAnalytics: Analytics = {
  from: '2026-05-03T00:00:00.000Z',
  to: '2026-05-03T15:00:00.000Z',
  timezone: 'UTC',
  totals: { ...ZERO_TOTALS, queued: 1, sent: 2, delivered: 1, read: 3, confirmed: 9, cancelled: 2, no_response: 1, failed: 1, all: 20 },
  confirmationRate: 0.5,
  cancellationRate: 0.1111,
  noResponseRate: 0.0556,
  medianTimeToReplySeconds: 540,
  creditsUsed: 18,
  perDay: [{ date: '2026-05-03', received: 20, confirmed: 9, cancelled: 2, noResponse: 1, failed: 1 }],
};

const trendAnalytics: Analytics = {
  ...todayAnalytics,
  from: '2026-04-27T00:00:00.000Z',
  to: '2026-05-03T15:00:00.000Z',
  totals: { ...todayAnalytics.totals, confirmed: 30, cancelled: 6, all: 60 },
  confirmationRate: 0.6667,
  perDay: [
    { date: '2026-04-28', received: 25, confirmed: 12, cancelled: 3, noResponse: 1, failed: 2 },
    { date: '2026-05-01', received: 15, confirmed: 9, cancelled: 1, noResponse: 0, failed: 0 },
    { date: '2026-05-03', received: 20, confirmed: 9, cancelled: 2, noResponse: 1, failed: 1 },
  ],
};

const NUMBERS = {
  body: {
    data: [
      { id: 'num_1', provider: 'linked', phone: '+966500000001', status: 'connected', statusReason: null, lastConnectedAt: '2026-05-03T08:00:00.000Z' },
      { id: 'num_2', provider: 'linked', phone: '+966500000002', status: 'logged_out', statusReason: 'removed from phone', lastConnectedAt: null },
    ],
  },
};
const STORES = { body: { data: [{ id: 'sto_1', name: 'Souk Amina', platform: 'salla', whatsappNumberId: 'num_1' }] } };

/** The analytics queries sent, each checked to carry the browser's time zone (the calendar of its days). */
const analyticsReads = (requests: RecordedRequest[]) =>
  requests
    .filter((request) => request.path === '/api/v1/analytics')
    .map((request) => {
      const { timezone, ...query } = Object.fromEntries(request.query);
      expect(timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
      return query;
    });

const localMidnight = (daysAgo: number) => {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo).toISOString();
};

const renderOverview = (path = '/') => renderAt(<RequireSession><OverviewPage /></RequireSession>, { path, route: '/' });

describe('overview page', () => {
  it("shows today's figures, the trend with its table, and every number's health", async () => {
    const api = installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/analytics': (request) => ({ body: request.query.get('from') === localMidnight(0) ? todayAnalytics : trendAnalytics }),
      'GET /api/v1/whatsapp-numbers': NUMBERS,
      'GET /api/v1/stores': STORES,
    });
    renderOverview('/?days=7');

    const today = (await screen.findByRole('heading', { name: 'Today' })).closest('section')!;
    const stat = (label: string) => within(today).getByText(label).closest('.stat')!.querySelector('.stat-value')!.textContent;
    await waitFor(() => expect(stat('Orders today')).toBe('20'));
    expect(stat('Confirmed')).toBe('9');
    expect(stat('Cancelled')).toBe('2');
    expect(stat('Awaiting reply')).toBe('6');
    expect(stat('Confirmation rate')).toBe('50%');
    expect(stat('Median time to reply')).toBe('9 minutes');
    expect(stat('Credits used')).toBe('18');
    expect(stat('Credit balance')).toBe('42');

    expect(analyticsReads(api.requests)).toEqual([{ from: localMidnight(0) }, { from: localMidnight(6) }]);

    expect(await screen.findByText('Orders: 60 · confirmed: 30 · cancelled: 6 · confirmation rate: 66.7%. Busiest day: Apr 28, 2026 (orders: 25).')).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Orders per day by outcome' });
    const rows = within(table).getAllByRole('row').slice(1);
    // Every day of the range, also those without orders.
    expect(rows).toHaveLength(7);
    expect([...rows[1]!.querySelectorAll('td')].map((cell) => cell.textContent)).toEqual(['25', '12', '3', '1', '2', '75%']);
    expect([...rows[2]!.querySelectorAll('td')].map((cell) => cell.textContent)).toEqual(['0', '0', '0', '0', '0', 'Not yet']);

    const healthy = screen.getByRole('link', { name: '+966500000001' });
    expect(healthy.getAttribute('href')).toBe('/numbers/num_1');
    const loggedOut = screen.getByRole('link', { name: '+966500000002' }).closest('li')!;
    expect(within(loggedOut).getByText('Removed from the phone')).toBeTruthy();
    expect(within(loggedOut).getByText(/no message goes out until you link it again/)).toBeTruthy();
    expect(screen.queryByText('Finish setting up')).toBeNull();
  });

  it('loads the charts on their own, after the figures', async () => {
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/analytics': { body: trendAnalytics },
      'GET /api/v1/whatsapp-numbers': NUMBERS,
      'GET /api/v1/stores': STORES,
    });
    renderOverview('/?days=7');

    // The charts arrive in their own chunk (recharts is not in the first JavaScript).
    expect(await screen.findByText('Loading the charts…')).toBeTruthy();
    chartsChunk.release();
    const rateChart = await screen.findByText('Confirmation rate per day (of orders with an outcome)', {}, { timeout: 50_000 });
    expect(rateChart.closest('figure')).not.toBeNull();
    expect(screen.getByText('Orders per day by outcome', { selector: 'figcaption' })).toBeTruthy();
    expect(screen.queryByText('Loading the charts…')).toBeNull();
  }, 60_000);

  it('filters by store and period through the address and asks the API with them', async () => {
    const api = installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/analytics': { body: { ...trendAnalytics, totals: ZERO_TOTALS, perDay: [] } },
      'GET /api/v1/whatsapp-numbers': NUMBERS,
      'GET /api/v1/stores': STORES,
    });
    renderOverview('/');
    await screen.findByRole('option', { name: 'Souk Amina' }, { timeout: 5_000 });
    fireEvent.change(screen.getByLabelText('Store'), { target: { value: 'sto_1' } });
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: '90' } });

    await waitFor(() => expect(analyticsReads(api.requests)).toContainEqual({ storeId: 'sto_1', from: localMidnight(89) }));
    expect(analyticsReads(api.requests)).toContainEqual({ storeId: 'sto_1', from: localMidnight(0) });
    expect(analyticsReads(api.requests)[1]).toEqual({ from: localMidnight(29) });
    expect(screen.getByRole('heading', { name: 'Last 90 days' })).toBeTruthy();
  });

  it('says there is nothing yet on a new account, and offers to finish the setup', async () => {
    installFakeApi({
      'GET /api/v1/session': { body: { ...SAMPLE_SESSION, user: { ...SAMPLE_SESSION.user, emailVerified: false } } },
      'GET /api/v1/analytics': { body: { ...todayAnalytics, totals: ZERO_TOTALS, confirmationRate: null, cancellationRate: null, noResponseRate: null, medianTimeToReplySeconds: null, creditsUsed: 0, perDay: [] } },
      'GET /api/v1/whatsapp-numbers': { body: { data: [] } },
      'GET /api/v1/stores': { body: { data: [] } },
    });
    renderOverview('/');

    expect(await screen.findByText('No orders in this period')).toBeTruthy();
    expect(screen.getAllByText('Not yet')).toHaveLength(2);
    const setup = (await screen.findByText('Finish setting up')).closest('.card')!;
    await waitFor(() => expect([...setup.querySelectorAll('li')].map((item) => item.textContent)).toEqual(['Verify your email address', 'Link a WhatsApp number', 'Connect a store']));
    expect(within(setup as HTMLElement).getByRole('link', { name: 'Continue the setup' }).getAttribute('href')).toBe('/setup');
    expect(screen.getByText('No WhatsApp number linked yet')).toBeTruthy();
  });

  it('shows an API error where the figures would be', async () => {
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/analytics': { status: 400, body: { error: { code: 'bad_request', message: 'from: Invalid ISO datetime' } } },
      'GET /api/v1/whatsapp-numbers': NUMBERS,
      'GET /api/v1/stores': STORES,
    });
    renderOverview('/');

    await waitFor(() => expect(screen.getAllByRole('alert').map((alert) => alert.textContent)).toEqual([
      'from: Invalid ISO datetimeTry again',
      'from: Invalid ISO datetimeTry again',
    ]));
  });

  it('fills every day of the range, with the rate of the orders that reached an outcome', () => {
    const days = fillDays(
      [{ date: '2026-05-02', received: 4, confirmed: 1, cancelled: 1, noResponse: 0, failed: 1 }],
      new Date('2026-05-01T21:00:00.000Z'),
      new Date('2026-05-03T09:00:00.000Z'),
    );
    expect(days.map((day) => [day.date, day.received, day.other, day.confirmationRate])).toEqual([
      ['2026-05-01', 0, 0, null],
      ['2026-05-02', 4, 1, 0.5],
      ['2026-05-03', 0, 0, null],
    ]);
  });
});

import { useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import type { QueryOf, ResponseBody } from './schema.ts';
import type { WhatsappNumberStatus } from './types.ts';

/** GET /api/v1/analytics: the account's orders received in [from, to); `perDay` counts in `timezone` (the browser's, sent with every query). */
export type Analytics = ResponseBody<'/api/v1/analytics'>;
export type AnalyticsDay = Analytics['perDay'][number];

/** The dashboard always names the start of its window. */
export type AnalyticsQuery = Omit<QueryOf<'/api/v1/analytics'>, 'timezone' | 'from'> & { from: string };

/** The browser's IANA time zone: the merchant's days are counted on the merchant's calendar. */
export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export const useAnalytics = (query: AnalyticsQuery) =>
  useQuery({
    queryKey: ['overview', 'analytics', query],
    queryFn: () => api<Analytics>('/api/v1/analytics', { query: { ...query, timezone: browserTimeZone() } }),
  });

/** The statuses in which a number sends nothing until the merchant acts. */
export const NUMBER_NEEDS_ATTENTION: ReadonlySet<WhatsappNumberStatus> = new Set(['disconnected', 'logged_out', 'banned']);

/** One bar of the per-day chart: every calendar day of the range, zero when nothing came in. */
export type ChartDay = AnalyticsDay & { other: number; confirmationRate: number | null };

/** The local calendar date (the browser's zone, the one the API counted in) as YYYY-MM-DD. */
const localIsoDay = (date: Date): string =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/**
 * The API lists only days that had orders; charts need every day of the range. `other` is what is
 * neither decided nor failed (waiting for the customer, skipped). The day's confirmation rate counts
 * the orders that reached an outcome (confirmed, cancelled, no answer).
 */
export const fillDays = (perDay: AnalyticsDay[], from: Date, to: Date): ChartDay[] => {
  const byDate = new Map(perDay.map((day) => [day.date, day]));
  const days: ChartDay[] = [];
  const cursor = new Date(from.getFullYear(), from.getMonth(), from.getDate());
  const end = localIsoDay(new Date(to.getTime() - 1));
  for (let guard = 0; guard < 400; guard += 1) {
    const date = localIsoDay(cursor);
    const day = byDate.get(date) ?? { date, received: 0, confirmed: 0, cancelled: 0, noResponse: 0, failed: 0 };
    const decided = day.confirmed + day.cancelled + day.noResponse;
    days.push({
      ...day,
      other: Math.max(0, day.received - decided - day.failed),
      confirmationRate: decided === 0 ? null : day.confirmed / decided,
    });
    if (date >= end) break;
    cursor.setDate(cursor.getDate() + 1);
  }

  return days;
};

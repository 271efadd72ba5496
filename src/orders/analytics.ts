import { z } from 'zod';
import type { Queryable } from '../db/database.ts';
import { isValidTimezone } from '../time/zoned-time.ts';
import { ORDER_STATUSES, type OrderStatus } from './order-status.ts';

export const AnalyticsQuerySchema = z.object({
  storeId: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** The calendar of `perDay`: a merchant in Riyadh counts an order of 23:30 on its own day, not UTC's next one. */
  timezone: z
    .string()
    .max(64)
    .refine(isValidTimezone, 'an IANA time zone such as Asia/Riyadh')
    .optional()
    .describe('IANA time zone whose calendar days `perDay` counts in (default UTC)'),
});

export type AnalyticsQuery = z.infer<typeof AnalyticsQuerySchema>;

const countPerStatus = Object.fromEntries(ORDER_STATUSES.map((status) => [status, z.number().int()])) as Record<OrderStatus, z.ZodNumber>;
const rateSchema = z.number().nullable();

/** GET /api/v1/analytics's answer. */
export const AnalyticsSchema = z.object({
  from: z.string(),
  to: z.string(),
  timezone: z.string().describe('The time zone of the `perDay` dates'),
  totals: z.object({ ...countPerStatus, all: z.number().int() }).describe('Orders received in the window, per status and in all'),
  confirmationRate: rateSchema.describe('Of the orders whose customer was asked (sent or later): the share confirmed, 0..1; null when none was asked'),
  cancellationRate: rateSchema.describe('The share cancelled, as confirmationRate'),
  noResponseRate: rateSchema.describe('The share left without an answer, as confirmationRate'),
  medianTimeToReplySeconds: z.number().int().nullable(),
  /** Entries before migration 0011 carry no store: they count for the account only. */
  creditsUsed: z.number().int().describe('Credits consumed less those refunded in the window (with storeId, that store\'s)'),
  perDay: z
    .array(z.object({ date: z.string(), received: z.number().int(), confirmed: z.number().int(), cancelled: z.number().int(), noResponse: z.number().int(), failed: z.number().int() }))
    .describe('Calendar days (in timezone) that had orders, oldest first'),
});

export type Analytics = z.infer<typeof AnalyticsSchema>;

const ASKED: OrderStatus[] = ['sent', 'delivered', 'read', 'confirmed', 'cancelled', 'no_response'];

/** Figures of the account's orders received in [from, to) (default: the last 30 days), all in SQL. */
export const readAnalytics = async (queryable: Queryable, accountId: string, query: AnalyticsQuery): Promise<Analytics> => {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
  const timezone = query.timezone ?? 'UTC';
  const params = [accountId, from, to, query.storeId ?? null, timezone];
  const scope = 'account_id = $1 and created_at >= $2 and created_at < $3 and ($4::text is null or store_id = $4)';
  // One pass over the orders: counts per day and status, and (in the grand-total grouping set) the
  // median reply time; the ledger is a second, small query.
  const [groups, [credits]] = await Promise.all([
    queryable.query<{ date: string | null; status: OrderStatus | null; count: string; median: number | null }>(
      `select ((created_at at time zone $5)::date)::text as date, status, count(*) as count,
              percentile_cont(0.5) within group (order by extract(epoch from (replied_at - sent_at)))
                filter (where replied_at is not null and sent_at is not null) as median
       from orders where ${scope}
       group by grouping sets ((1, 2), ())`,
      params,
    ),
    queryable.query<{ used: string | null }>(
      `select -coalesce(sum(credits), 0) as used from credit_ledger
       where account_id = $1 and kind in ('consumption', 'refund') and created_at >= $2 and created_at < $3
         and ($4::text is null or store_id = $4)`,
      [accountId, from, to, query.storeId ?? null],
    ),
  ]);
  const grandTotal = groups.find((group) => group.date === null && group.status === null);
  const statusRows = new Map<OrderStatus, number>();
  const dayRows = new Map<string, { received: number; confirmed: number; cancelled: number; noResponse: number; failed: number }>();
  for (const group of groups) {
    if (group.date === null || group.status === null) continue;
    const count = Number(group.count);
    statusRows.set(group.status, (statusRows.get(group.status) ?? 0) + count);
    const day = dayRows.get(group.date) ?? { received: 0, confirmed: 0, cancelled: 0, noResponse: 0, failed: 0 };
    day.received += count;
    if (group.status === 'confirmed') day.confirmed += count;
    if (group.status === 'cancelled') day.cancelled += count;
    if (group.status === 'no_response') day.noResponse += count;
    if (group.status === 'failed') day.failed += count;
    dayRows.set(group.date, day);
  }
  const totals = Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0])) as Record<OrderStatus, number>;
  for (const [status, count] of statusRows) totals[status] = count;
  const all = Object.values(totals).reduce((sum, count) => sum + count, 0);
  const asked = ASKED.reduce((sum, status) => sum + totals[status], 0);
  const rate = (count: number) => (asked === 0 ? null : Math.round((count / asked) * 10_000) / 10_000);

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    timezone,
    totals: { ...totals, all },
    confirmationRate: rate(totals.confirmed),
    cancellationRate: rate(totals.cancelled),
    noResponseRate: rate(totals.no_response),
    medianTimeToReplySeconds: grandTotal?.median === null || grandTotal?.median === undefined ? null : Math.round(Number(grandTotal.median)),
    creditsUsed: Number(credits?.used ?? 0),
    perDay: [...dayRows.entries()].sort(([left], [right]) => left.localeCompare(right)).map(([date, day]) => ({ date, ...day })),
  };
};

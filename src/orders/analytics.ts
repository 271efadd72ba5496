import { z } from 'zod';
import type { Queryable } from '../db/database.ts';
import { ORDER_STATUSES, type OrderStatus } from './order-status.ts';

export const AnalyticsQuerySchema = z.object({
  storeId: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export type AnalyticsQuery = z.infer<typeof AnalyticsQuerySchema>;

export type Analytics = {
  from: string;
  to: string;
  totals: Record<OrderStatus, number> & { all: number };
  /** Of the orders whose customer was asked (sent or later): confirmed, cancelled, no answer. */
  confirmationRate: number | null;
  cancellationRate: number | null;
  noResponseRate: number | null;
  medianTimeToReplySeconds: number | null;
  creditsUsed: number;
  perDay: { date: string; received: number; confirmed: number; cancelled: number; noResponse: number; failed: number }[];
};

const ASKED: OrderStatus[] = ['sent', 'delivered', 'read', 'confirmed', 'cancelled', 'no_response'];

/** Figures of the account's orders received in [from, to) (default: the last 30 days), all in SQL. */
export const readAnalytics = async (queryable: Queryable, accountId: string, query: AnalyticsQuery): Promise<Analytics> => {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
  const params = [accountId, from, to, query.storeId ?? null];
  const scope = 'account_id = $1 and created_at >= $2 and created_at < $3 and ($4::text is null or store_id = $4)';
  const statusRows = await queryable.query<{ status: OrderStatus; count: string }>(`select status, count(*) from orders where ${scope} group by status`, params);
  const [reply] = await queryable.query<{ median: number | null }>(
    `select percentile_cont(0.5) within group (order by extract(epoch from (replied_at - sent_at))) as median
     from orders where ${scope} and replied_at is not null and sent_at is not null`,
    params,
  );
  const [credits] = await queryable.query<{ used: string | null }>(
    `select -coalesce(sum(credits), 0) as used from credit_ledger
     where account_id = $1 and kind in ('consumption', 'refund') and created_at >= $2 and created_at < $3`,
    [accountId, from, to],
  );
  const days = await queryable.query<{ date: string; received: string; confirmed: string; cancelled: string; no_response: string; failed: string }>(
    `select to_char(date_trunc('day', created_at at time zone 'utc'), 'YYYY-MM-DD') as date, count(*) as received,
            count(*) filter (where status = 'confirmed') as confirmed, count(*) filter (where status = 'cancelled') as cancelled,
            count(*) filter (where status = 'no_response') as no_response, count(*) filter (where status = 'failed') as failed
     from orders where ${scope} group by 1 order by 1`,
    params,
  );
  const totals = Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0])) as Record<OrderStatus, number>;
  for (const row of statusRows) totals[row.status] = Number(row.count);
  const all = Object.values(totals).reduce((sum, count) => sum + count, 0);
  const asked = ASKED.reduce((sum, status) => sum + totals[status], 0);
  const rate = (count: number) => (asked === 0 ? null : Math.round((count / asked) * 10_000) / 10_000);

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    totals: { ...totals, all },
    confirmationRate: rate(totals.confirmed),
    cancellationRate: rate(totals.cancelled),
    noResponseRate: rate(totals.no_response),
    medianTimeToReplySeconds: reply?.median === null || reply?.median === undefined ? null : Math.round(Number(reply.median)),
    creditsUsed: Number(credits?.used ?? 0),
    perDay: days.map((day) => ({
      date: day.date,
      received: Number(day.received),
      confirmed: Number(day.confirmed),
      cancelled: Number(day.cancelled),
      noResponse: Number(day.no_response),
      failed: Number(day.failed),
    })),
  };
};

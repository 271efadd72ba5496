import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from './client.ts';
import type { RequestBody, ResponseBody } from './schema.ts';

/** GET /api/v1/orders: one page of orders, newest first. */
export type OrderPage = ResponseBody<'/api/v1/orders'>;
export type OrderSummary = OrderPage['data'][number];
export type ApiOrderStatus = OrderSummary['status'];

/** Order statuses the API knows, in the order an order moves through them. */
export const ORDER_STATUSES = ['received', 'queued', 'sent', 'delivered', 'read', 'confirmed', 'cancelled', 'no_response', 'skipped', 'failed'] as const satisfies readonly ApiOrderStatus[];
// Does not compile when the server knows a status the list above lacks.
const listsEveryStatus: Exclude<ApiOrderStatus, (typeof ORDER_STATUSES)[number]> extends never ? true : false = true;
void listsEveryStatus;

/** Statuses from which the API accepts POST /orders/:id/resend (src/orders/order-actions.ts). */
export const RESENDABLE_STATUSES: ReadonlySet<string> = new Set(['failed', 'no_response', 'skipped', 'sent', 'delivered', 'read']);

/** GET /api/v1/orders/:id: one order with its message thread and status timeline. */
export type OrderDetail = ResponseBody<'/api/v1/orders/{id}'>;
export type OrderMessage = OrderDetail['messages'][number];
export type OrderEvent = OrderDetail['events'][number];

/** One message of GET /api/v1/orders/stream: an order's new status, or a message's (with messageId). */
export type OrderChange = { orderId: string; status: string; at: string; messageId?: string };

/** The list filters as they stand in the page's address; dates are calendar days (YYYY-MM-DD). */
export type OrderFilters = { storeId: string; status: string; q: string; from: string; to: string };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight of a calendar day in the merchant's own time zone, or null for anything but YYYY-MM-DD. */
export const startOfLocalDay = (day: string): Date | null => {
  const match = DAY.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));

  return Number.isNaN(date.getTime()) ? null : date;
};

/**
 * The query of GET /api/v1/orders for these filters. The API takes instants, `to` exclusive, so a
 * "to" day becomes the midnight after it: the whole day is included.
 */
export const toOrderListQuery = (filters: OrderFilters): Record<string, string> => {
  const query: Record<string, string> = {};
  if (filters.storeId) query.storeId = filters.storeId;
  if (filters.status) query.status = filters.status;
  if (filters.q.trim()) query.q = filters.q.trim();
  const from = startOfLocalDay(filters.from);
  if (from) query.from = from.toISOString();
  const to = startOfLocalDay(filters.to);
  if (to) query.to = new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1).toISOString();

  return query;
};

const listKey = (query: Record<string, string>) => ['orders', 'list', query] as const;
const detailKey = (orderId: string) => ['orders', 'detail', orderId] as const;

export const fetchOrderPage = (query: Record<string, string>, cursor: string | undefined): Promise<OrderPage> =>
  api<OrderPage>('/api/v1/orders', { query: { ...query, cursor } });

export const useOrderList = (query: Record<string, string>) =>
  useInfiniteQuery({
    queryKey: listKey(query),
    queryFn: ({ pageParam }) => fetchOrderPage(query, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

/** A live status change applied in place to whichever loaded page holds the order. */
export const withOrderStatus = (data: InfiniteData<OrderPage, string | undefined>, change: OrderChange): InfiniteData<OrderPage, string | undefined> => ({
  ...data,
  pages: data.pages.map((page) => ({
    ...page,
    data: page.data.map((order) => (order.id === change.orderId ? { ...order, status: change.status as ApiOrderStatus, updatedAt: change.at } : order)),
  })),
});

/**
 * A fresh first page merged into what is loaded: new orders come first, rows pushed off the first
 * page stay (the next cursor still points after them), and no order shows twice.
 */
export const withFreshFirstPage = (data: InfiniteData<OrderPage, string | undefined>, fresh: OrderPage): InfiniteData<OrderPage, string | undefined> => {
  const [first, ...rest] = data.pages;
  if (!first) return { pages: [fresh], pageParams: [undefined] };
  const seen = new Set(fresh.data.map((order) => order.id));
  const kept = first.data.filter((order) => !seen.has(order.id));
  for (const order of kept) seen.add(order.id);
  const later = rest.map((page) => ({ ...page, data: page.data.filter((order) => !seen.has(order.id)) }));
  const nextCursor = rest.length > 0 || kept.length > 0 ? first.nextCursor : fresh.nextCursor;

  return { ...data, pages: [{ data: [...fresh.data, ...kept], nextCursor }, ...later] };
};

/** Applies one stream event to the list shown for `query`; returns whether the first page should be read again. */
export const useApplyOrderChange = (query: Record<string, string>) => {
  const client = useQueryClient();

  return (change: OrderChange): boolean => {
    // Message receipts come with their own order event; the list shows order statuses only.
    if (change.messageId) return false;
    const key = listKey(query);
    const data = client.getQueryData<InfiniteData<OrderPage, string | undefined>>(key);
    if (!data) return false;
    const isLoaded = data.pages.some((page) => page.data.some((order) => order.id === change.orderId));
    if (isLoaded) {
      client.setQueryData(key, withOrderStatus(data, change));
      return false;
    }

    // An order we do not show: new, or newly matching the status filter.
    return !query.status || query.status === change.status;
  };
};

export const useRefreshFirstPage = (query: Record<string, string>) => {
  const client = useQueryClient();

  return async (): Promise<void> => {
    const fresh = await fetchOrderPage(query, undefined);
    client.setQueryData<InfiniteData<OrderPage, string | undefined>>(listKey(query), (data) => (data ? withFreshFirstPage(data, fresh) : data));
  };
};

export const useOrder = (orderId: string) =>
  useQuery({ queryKey: detailKey(orderId), queryFn: () => api<OrderDetail>(`/api/v1/orders/${encodeURIComponent(orderId)}`) });

export const useRefreshOrder = () => {
  const client = useQueryClient();

  return async (orderId: string): Promise<void> => {
    await client.invalidateQueries({ queryKey: detailKey(orderId) });
  };
};

/** Asks the customer again; the API takes one credit. */
export const resendOrder = (orderId: string): Promise<ResponseBody<'/api/v1/orders/{id}/resend', 'post'>> =>
  api(`/api/v1/orders/${encodeURIComponent(orderId)}/resend`, { method: 'POST' });

/** Confirms or cancels by hand; the API writes it back to the store like a customer's answer. */
export const decideOrder = (
  orderId: string,
  status: RequestBody<'/api/v1/orders/{id}/decision', 'post'>['status'],
): Promise<ResponseBody<'/api/v1/orders/{id}/decision', 'post'>> =>
  api(`/api/v1/orders/${encodeURIComponent(orderId)}/decision`, { method: 'POST', body: { status } });

export const ORDER_STREAM_PATH = '/api/v1/orders/stream';

const isOrderChange = (value: unknown): value is OrderChange => {
  if (!value || typeof value !== 'object') return false;
  const change = value as Record<string, unknown>;

  return typeof change.orderId === 'string' && typeof change.status === 'string' && typeof change.at === 'string'
    && (change.messageId === undefined || typeof change.messageId === 'string');
};

export type StreamState = 'connecting' | 'live' | 'reconnecting';

/** EventSource's readyState once it gave up (an answer that was not a stream, e.g. 401 or 502). */
const CLOSED = 2;
const REOPEN_AFTER_MS = 5_000;

/**
 * Follows GET /api/v1/orders/stream. EventSource reconnects by itself after a dropped connection;
 * when it gives up for good, the stream is opened again a few seconds later.
 */
export const useOrderStream = (onChange: (change: OrderChange) => void): StreamState => {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onChange);
  useEffect(() => {
    handler.current = onChange;
  });

  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    let source: EventSource | null = null;
    let reopen: number | undefined;
    let isStopped = false;
    const open = () => {
      const current = new EventSource(ORDER_STREAM_PATH);
      source = current;
      current.addEventListener('open', () => setState('live'));
      current.addEventListener('order', (event) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          return;
        }
        if (isOrderChange(parsed)) handler.current(parsed);
      });
      current.addEventListener('error', () => {
        setState('reconnecting');
        if (current.readyState !== CLOSED || isStopped) return;
        current.close();
        reopen = window.setTimeout(open, REOPEN_AFTER_MS);
      });
    };
    open();

    return () => {
      isStopped = true;
      window.clearTimeout(reopen);
      source?.close();
    };
  }, []);

  return state;
};

import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { ApiOrderStatus } from '../../api/orders.ts';
import type { WhatsappNumber } from '../../api/numbers.ts';
import type { OrderSummary } from '../../api/orders.ts';

/** What the setup reads of a number (GET /api/v1/whatsapp-numbers has more). */
export type SetupNumber = Pick<WhatsappNumber, 'id' | 'provider' | 'phone' | 'status'>;

/** What the setup reads of an order (GET /api/v1/orders and /orders/:id have more). */
export type SetupOrder = Pick<OrderSummary, 'id' | 'storeId' | 'externalId' | 'number' | 'status' | 'failureReason' | 'customerPhone' | 'createdAt'>;

export const SETUP_NUMBERS_QUERY_KEY = ['setup', 'numbers'] as const;
export const SETUP_TEST_ORDER_QUERY_KEY = ['setup', 'latest-test-order'] as const;

/** A number that can send: linked and online, or resting until a message is due. */
export const isNumberReady = (number: SetupNumber): boolean => number.status === 'connected' || number.status === 'hibernated';

export const useSetupNumbers = () =>
  useQuery({
    queryKey: SETUP_NUMBERS_QUERY_KEY,
    queryFn: async () => (await api<{ data: SetupNumber[] }>('/api/v1/whatsapp-numbers')).data,
  });

/** Test orders carry a `test-` external id and a `TEST-` number (api/test-order.ts): the newest one. */
export const useLatestTestOrder = () =>
  useQuery({
    queryKey: SETUP_TEST_ORDER_QUERY_KEY,
    queryFn: async () => {
      const page = await api<{ data: SetupOrder[] }>('/api/v1/orders', { query: { q: 'TEST-', limit: 20 } });

      return page.data.find((order) => order.externalId.startsWith('test-')) ?? null;
    },
  });

/** Statuses after which nothing more happens to an order on its own: stop watching. */
const SETTLED: ReadonlySet<ApiOrderStatus> = new Set(['confirmed', 'cancelled', 'no_response', 'skipped', 'failed']);

export const isOrderSettled = (status: ApiOrderStatus | undefined): boolean => (status ? SETTLED.has(status) : false);

export const WATCH_INTERVAL_MS = 2000;

/** Reads the test order every 2 s until it settles, so each step shows the moment it happens. */
export const useWatchedOrder = (orderId: string | null) =>
  useQuery({
    queryKey: ['setup', 'order', orderId],
    queryFn: () => api<SetupOrder>(`/api/v1/orders/${encodeURIComponent(orderId ?? '')}`),
    enabled: Boolean(orderId),
    refetchInterval: (query) => (isOrderSettled(query.state.data?.status) ? false : WATCH_INTERVAL_MS),
  });

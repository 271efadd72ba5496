import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';
import type { ItemOf, RequestBody, ResponseBody } from './schema.ts';
import type { WhatsappNumberStatus } from './types.ts';

/** `/api/v1/whatsapp-numbers`: a number with its status, its QR or pairing code while linking, and its history (latest first, at most 50). */
export type WhatsappNumber = ItemOf<'/api/v1/whatsapp-numbers'>;
export type NumberHistoryEntry = WhatsappNumber['history'][number];
export type NumberProvider = WhatsappNumber['provider'];
export const NUMBER_PROVIDERS = ['linked', 'cloud', 'simulator'] as const satisfies readonly NumberProvider[];

export type CreateNumberInput = RequestBody<'/api/v1/whatsapp-numbers', 'post'>;
export type CloudCredentialsInput = NonNullable<CreateNumberInput['cloud']>;

export const NUMBERS_QUERY_KEY = ['whatsapp-numbers'] as const;
export const numberQueryKey = (id: string) => ['whatsapp-numbers', id] as const;

/** While a number links, its QR rotates every ~20 s and the status flips the moment the phone scans. */
export const LINKING_POLL_MILLISECONDS = 2000;

export const fetchNumbers = async (): Promise<WhatsappNumber[]> =>
  (await api<ResponseBody<'/api/v1/whatsapp-numbers'>>('/api/v1/whatsapp-numbers')).data;

export const useNumbers = () => useQuery({ queryKey: NUMBERS_QUERY_KEY, queryFn: fetchNumbers });

/**
 * One number; polled every 2 s only while it waits to be linked (reading it also re-arms an expired
 * QR on the server). TanStack pauses the interval while the page is hidden and stops it on unmount.
 */
export const useNumber = (id: string) =>
  useQuery({
    queryKey: numberQueryKey(id),
    queryFn: () => api<WhatsappNumber>(`/api/v1/whatsapp-numbers/${encodeURIComponent(id)}`),
    refetchInterval: (query) => (query.state.data?.status === 'pending_link' ? LINKING_POLL_MILLISECONDS : false),
    refetchIntervalInBackground: false,
  });

export const useCreateNumber = () => {
  const client = useQueryClient();

  return useMutation({
    mutationFn: (input: CreateNumberInput) => api<WhatsappNumber>('/api/v1/whatsapp-numbers', { method: 'POST', body: input }),
    onSuccess: async (created) => {
      client.setQueryData(numberQueryKey(created.id), created);
      await client.invalidateQueries({ queryKey: NUMBERS_QUERY_KEY, exact: true });
    },
  });
};

export const useDeleteNumber = () => {
  const client = useQueryClient();

  return useMutation({
    mutationFn: (id: string) => api<undefined>(`/api/v1/whatsapp-numbers/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: async (_result, id) => {
      client.removeQueries({ queryKey: numberQueryKey(id) });
      // Stores that used the number lose it (the API sets their whatsappNumberId to null).
      await Promise.all([client.invalidateQueries({ queryKey: NUMBERS_QUERY_KEY, exact: true }), client.invalidateQueries({ queryKey: ['stores'] })]);
    },
  });
};

/** Statuses in which a linked-device number can be linked again under the same id (stores keep it). */
export const RELINKABLE_STATUSES: readonly WhatsappNumberStatus[] = ['logged_out', 'banned', 'disconnected'];

export const canRelink = (number: Pick<WhatsappNumber, 'provider' | 'status'>): boolean =>
  number.provider === 'linked' && RELINKABLE_STATUSES.includes(number.status);

/** Forgets the old linked device; the answer is the number waiting for a new QR code (`pending_link`). */
export const useRelinkNumber = () => {
  const client = useQueryClient();

  return useMutation({
    mutationFn: (id: string) => api<WhatsappNumber>(`/api/v1/whatsapp-numbers/${encodeURIComponent(id)}/relink`, { method: 'POST' }),
    onSuccess: async (relinked) => {
      // The page switches to the live QR at once; its polling takes over from here.
      client.setQueryData(numberQueryKey(relinked.id), relinked);
      await client.invalidateQueries({ queryKey: NUMBERS_QUERY_KEY, exact: true });
    },
  });
};

/** Waits (up to 20 s on the server) for the 8-character code to type into WhatsApp. */
export const useRequestPairingCode = (id: string) =>
  useMutation({
    mutationFn: (phone: string) =>
      api<ResponseBody<'/api/v1/whatsapp-numbers/{id}/pairing-code', 'post'>>(`/api/v1/whatsapp-numbers/${encodeURIComponent(id)}/pairing-code`, { method: 'POST', body: { phone } }),
  });

/** Only our server's own PNG is ever put into an <img src>. */
export const isQrImage = (value: string | null): value is string => typeof value === 'string' && value.startsWith('data:image/png;base64,');

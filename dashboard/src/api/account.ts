import { useQuery } from '@tanstack/react-query';
import { api, buildUrl } from './client.ts';
import type { ItemOf, QueryOf, RequestBody, ResponseBody } from './schema.ts';

/** PATCH /api/v1/session/user: the signed-in user's name and interface language. */
export const updateProfile = (input: RequestBody<'/api/v1/session/user', 'patch'>): Promise<ResponseBody<'/api/v1/session/user', 'patch'>> =>
  api('/api/v1/session/user', { method: 'PATCH', body: input });

export type AccountDeletionCounts = ResponseBody<'/api/v1/account', 'delete'>['deleted'];

/** DELETE /api/v1/account: everything goes; the password is asked again (401 when wrong). */
export const deleteAccount = (password: string): Promise<ResponseBody<'/api/v1/account', 'delete'>> =>
  api('/api/v1/account', { method: 'DELETE', body: { password } });

/** The dashboard offers two of the server's formats (NDJSON is for scripts). */
export type ExportFormat = Extract<NonNullable<QueryOf<'/api/v1/export'>['format']>, 'json' | 'csv'>;
export type ExportFilter = Omit<QueryOf<'/api/v1/export'>, 'format'>;

/**
 * The export download address. A same-origin link carries the session cookie, and a GET needs no
 * CSRF token, so the browser downloads the stream itself without holding it in memory.
 */
export const exportHref = (format: ExportFormat, filter: ExportFilter = {}): string =>
  buildUrl('/api/v1/export', { format, storeId: filter.storeId, from: filter.from, to: filter.to });

/** What the setup and the export filter need of a store (GET /api/v1/stores has much more). */
export type StoreChoice = Pick<ItemOf<'/api/v1/stores'>, 'id' | 'name' | 'platform' | 'defaultCountry' | 'language' | 'whatsappNumberId'>;

export const STORE_CHOICES_QUERY_KEY = ['account', 'stores'] as const;

export const useStoreChoices = () =>
  useQuery({
    queryKey: STORE_CHOICES_QUERY_KEY,
    queryFn: async () => (await api<ResponseBody<'/api/v1/stores'>>('/api/v1/stores')).data satisfies StoreChoice[],
  });

import { useQuery } from '@tanstack/react-query';
import { api, buildUrl } from './client.ts';
import type { Language, Platform, SessionUser } from './types.ts';

/** PATCH /api/v1/session/user: the signed-in user's name and interface language. */
export const updateProfile = (input: { name?: string; language?: Language }): Promise<SessionUser> =>
  api<SessionUser>('/api/v1/session/user', { method: 'PATCH', body: input });

export type AccountDeletionCounts = {
  users: number; stores: number; whatsappNumbers: number; orders: number; messages: number;
  events: number; jobs: number; credentials: number; sessionKeys: number;
};

/** DELETE /api/v1/account: everything goes; the password is asked again (401 when wrong). */
export const deleteAccount = (password: string): Promise<{ deleted: AccountDeletionCounts }> =>
  api<{ deleted: AccountDeletionCounts }>('/api/v1/account', { method: 'DELETE', body: { password } });

export type ExportFormat = 'json' | 'csv';
export type ExportFilter = { storeId?: string; from?: string; to?: string };

/**
 * The export download address. A same-origin link carries the session cookie, and a GET needs no
 * CSRF token, so the browser downloads the stream itself without holding it in memory.
 */
export const exportHref = (format: ExportFormat, filter: ExportFilter = {}): string =>
  buildUrl('/api/v1/export', { format, storeId: filter.storeId, from: filter.from, to: filter.to });

/** What the setup and the export filter need of a store (GET /api/v1/stores has much more). */
export type StoreChoice = {
  id: string;
  name: string;
  platform: Platform;
  defaultCountry: string | null;
  language: Language;
  whatsappNumberId: string | null;
};

export const STORE_CHOICES_QUERY_KEY = ['account', 'stores'] as const;

export const useStoreChoices = () =>
  useQuery({
    queryKey: STORE_CHOICES_QUERY_KEY,
    queryFn: async () => (await api<{ data: StoreChoice[] }>('/api/v1/stores')).data,
  });

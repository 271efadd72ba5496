import { useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import type { ItemOf, ResponseBody } from './schema.ts';

/** What a key may do; `admin` includes the rest, plus API keys and billing. */
export const API_KEY_SCOPES = ['orders:read', 'orders:write', 'stores', 'numbers', 'admin'] as const satisfies readonly ApiKeyScope[];

export type ApiKeyScope = ApiKey['scopes'][number];

/** The server's default for a new key: everything but `admin`. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['orders:read', 'orders:write', 'stores', 'numbers'];

/** An API key as GET /api/v1/api-keys lists it: never the key itself, only its first characters. */
export type ApiKey = ItemOf<'/api/v1/api-keys'>;

/** POST /api/v1/api-keys answers the key once; the server keeps only its hash. */
export type CreatedApiKey = ResponseBody<'/api/v1/api-keys', 'post'>;

export const API_KEYS_QUERY_KEY = ['api-keys'] as const;

export const useApiKeys = () =>
  useQuery({ queryKey: API_KEYS_QUERY_KEY, queryFn: async () => (await api<ResponseBody<'/api/v1/api-keys'>>('/api/v1/api-keys')).data });

export const createApiKey = (input: { name: string; scopes: readonly ApiKeyScope[] }): Promise<CreatedApiKey> =>
  api<CreatedApiKey>('/api/v1/api-keys', { method: 'POST', body: input });

export const revokeApiKey = (id: string): Promise<void> => api<void>(`/api/v1/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });

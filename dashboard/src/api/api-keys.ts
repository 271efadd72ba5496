import { useQuery } from '@tanstack/react-query';
import { api } from './client.ts';

/** What a key may do; `admin` includes the rest, plus API keys and billing. */
export const API_KEY_SCOPES = ['orders:read', 'orders:write', 'stores', 'numbers', 'admin'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The server's default for a new key: everything but `admin`. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['orders:read', 'orders:write', 'stores', 'numbers'];

/** An API key as GET /api/v1/api-keys lists it: never the key itself, only its first characters. */
export type ApiKey = { id: string; name: string; prefix: string; scopes: ApiKeyScope[]; createdAt: string; lastUsedAt: string | null };

/** POST /api/v1/api-keys answers the key once; the server keeps only its hash. */
export type CreatedApiKey = ApiKey & { key: string };

export const API_KEYS_QUERY_KEY = ['api-keys'] as const;

export const useApiKeys = () =>
  useQuery({ queryKey: API_KEYS_QUERY_KEY, queryFn: async () => (await api<{ data: ApiKey[] }>('/api/v1/api-keys')).data });

export const createApiKey = (input: { name: string; scopes: readonly ApiKeyScope[] }): Promise<CreatedApiKey> =>
  api<CreatedApiKey>('/api/v1/api-keys', { method: 'POST', body: input });

export const revokeApiKey = (id: string): Promise<void> => api<void>(`/api/v1/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });

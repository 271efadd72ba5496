import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from './client.ts';
import type { ItemOf, RequestBody, ResponseBody } from './schema.ts';
import type { Platform } from './types.ts';

/** `/api/v1/stores` as src/http/routes/store-routes.ts and src/stores/*.ts answer it. */

// The template vocabulary is the server's own (shared, dependency-free module).
export {
  MESSAGE_LANGUAGES as STORE_LANGUAGES,
  TEMPLATE_KINDS,
  TEMPLATE_VARIABLE_NAMES as TEMPLATE_VARIABLES,
  type TemplateKind,
  type TemplateVariableName as TemplateVariable,
} from '../../../src/confirmation/message-templates.ts';

/** `/api/v1/stores`: a store with its settings, its own template overrides (a missing kind uses Akked's default) and its webhook address and secrets. */
export type Store = ItemOf<'/api/v1/stores'>;
export type StoreSettings = Store['settings'];
export type CloudFallback = NonNullable<StoreSettings['cloudFallback']>;
export type StoreTemplates = Store['templates'];
export type WriteBackSummary = Store['writeBack'];

export type CreateStoreInput = RequestBody<'/api/v1/stores', 'post'>;
export type UpdateStoreInput = RequestBody<'/api/v1/stores/{id}', 'patch'>;
/** A PATCH of the overrides: text sets a kind, `null` removes a kind's override or a whole language's. */
export type StoreTemplateChanges = NonNullable<UpdateStoreInput['templates']>;

export type StoreErasure = ResponseBody<'/api/v1/stores/{id}', 'delete'>;

/** The write-back credentials each platform takes (src/writeback/platforms/*.ts); generic has none. */
export const WRITE_BACK_FIELDS: Partial<Record<Platform, string[]>> = {
  shopify: ['shopDomain', 'accessToken'],
  woocommerce: ['storeUrl', 'consumerKey', 'consumerSecret'],
  salla: ['accessToken'],
  zid: ['accessToken', 'managerToken'],
  youcan: ['accessToken'],
  easyorders: ['apiKey'],
};

/** Fields that name a place (shown back by the API once saved), as opposed to secrets. */
export const VISIBLE_WRITE_BACK_FIELDS = new Set(['shopDomain', 'storeUrl']);

/**
 * Where the signing secret comes from: the platform generates it (the merchant pastes it into
 * Akked), Akked generates it (the merchant pastes it into the platform), or it rides in the URL.
 */
export const SECRET_SOURCE: Record<Platform, 'platform' | 'akked' | 'url'> = {
  shopify: 'platform',
  salla: 'platform',
  youcan: 'platform',
  easyorders: 'platform',
  woocommerce: 'akked',
  generic: 'akked',
  zid: 'url',
};

/** The API takes at most this many accepted secrets at once (rotation), each 8–500 characters. */
export const MAXIMUM_WEBHOOK_SECRETS = 5;
export const MINIMUM_WEBHOOK_SECRET_LENGTH = 8;

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

/** A fresh secret in the form the server itself generates (src/stores/stores.ts generateWebhookSecret). */
export const generateWebhookSecret = (platform: Platform): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const base64 = toBase64(bytes);

  return platform === 'generic' ? `whsec_${base64}` : base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

export const STORES_QUERY_KEY = ['stores'] as const;
export const storeQueryKey = (id: string) => ['stores', id] as const;

export const useStores = () =>
  useQuery({ queryKey: STORES_QUERY_KEY, queryFn: async () => (await api<ResponseBody<'/api/v1/stores'>>('/api/v1/stores')).data });

export const useStore = (id: string) =>
  useQuery({ queryKey: storeQueryKey(id), queryFn: () => api<Store>(`/api/v1/stores/${encodeURIComponent(id)}`) });

/**
 * Orders the store received in the last 30 days (the analytics endpoint's default window): the
 * store list has no order count of its own.
 */
export const useStoreOrderCount = (storeId: string) =>
  useQuery({
    queryKey: ['stores', storeId, 'order-count'],
    queryFn: async () => (await api<ResponseBody<'/api/v1/analytics'>>('/api/v1/analytics', { query: { storeId } })).totals.all,
    staleTime: 60_000,
  });

export const useCreateStore = () => {
  const client = useQueryClient();

  return useMutation({
    mutationFn: (input: CreateStoreInput) => api<Store>('/api/v1/stores', { method: 'POST', body: input }),
    onSuccess: async (created) => {
      client.setQueryData(storeQueryKey(created.id), created);
      await client.invalidateQueries({ queryKey: STORES_QUERY_KEY, exact: true });
    },
  });
};

export const useUpdateStore = (id: string) => {
  const client = useQueryClient();

  return useMutation({
    mutationFn: (input: UpdateStoreInput) => api<Store>(`/api/v1/stores/${encodeURIComponent(id)}`, { method: 'PATCH', body: input }),
    onSuccess: async (updated) => {
      client.setQueryData(storeQueryKey(id), updated);
      await client.invalidateQueries({ queryKey: STORES_QUERY_KEY, exact: true });
    },
  });
};

export const useDeleteStore = (id: string) => {
  const client = useQueryClient();

  return useMutation({
    mutationFn: () => api<StoreErasure>(`/api/v1/stores/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: async () => {
      client.removeQueries({ queryKey: storeQueryKey(id) });
      await client.invalidateQueries({ queryKey: STORES_QUERY_KEY, exact: true });
    },
  });
};

/** Validation problems of one request, per field path (e.g. `quietHours.start`), and what matched no field. */
export type FieldErrors = { fields: Record<string, string>; rest: string[] };

/**
 * Splits the API's 400 message (`body.settings.quietHours.start: a time as "HH:MM"; body.x: ...`,
 * or an AppError's `whatsappNumberId: ...`) into field paths relative to the store, matched to the
 * longest known field. A message inside may itself contain "; ", so we split only before a path.
 */
export const fieldErrorsFrom = (error: unknown, knownFields: readonly string[]): FieldErrors => {
  const result: FieldErrors = { fields: {}, rest: [] };
  if (!(error instanceof ApiError) || error.code !== 'bad_request') return result;
  const parts = error.message.split(/; (?=(?:body\.)?[A-Za-z][\w.]*: )/);
  for (const part of parts) {
    const match = /^(?:body\.)?([A-Za-z][\w.]*): ([\s\S]+)$/.exec(part);
    if (!match) {
      result.rest.push(part);
      continue;
    }
    const [, rawPath = '', message = ''] = match;
    let path = rawPath.replace(/^settings\./, '');
    while (path && !knownFields.includes(path)) path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    if (!path) result.rest.push(part);
    else result.fields[path] = result.fields[path] ? `${result.fields[path]}; ${message}` : message;
  }

  return result;
};

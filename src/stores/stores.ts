import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { assertBelowQuota } from '../accounts/quotas.ts';
import { deleteCredential, readCredential, saveCredential } from '../credentials/credential-store.ts';
import { decryptJson, type Keyring } from '../crypto/envelope.ts';
import type { Database, Queryable } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { PlatformSchema, type Platform } from '../ingest/order.ts';
import {
  CountrySchema,
  DEFAULT_STORE_SETTINGS,
  readStoreSettings,
  StoreLanguageSchema,
  StoreSettingsSchema,
  TimezoneSchema,
  type StoreSettings,
} from './store-settings.ts';
import { applyTemplateChanges, StoreTemplateChangesSchema, StoreTemplatesSchema, type StoreTemplates } from './store-templates.ts';
import { readWriteBackSummary, validateWriteBack, type WriteBackSummary } from './store-write-back.ts';

const WebhookSecretSchema = z.string().trim().min(8, 'at least 8 characters').max(500);

export const CreateStoreSchema = z.object({
  name: z.string().trim().min(1).max(200),
  platform: PlatformSchema,
  whatsappNumberId: z.string().max(100).nullable().optional(),
  defaultCountry: CountrySchema.nullable().optional(),
  timezone: TimezoneSchema.default('UTC'),
  language: StoreLanguageSchema.default('ar'),
  /** The platform's signing secret when the platform generates it (Shopify, Salla, YouCan...). */
  webhookSecret: WebhookSecretSchema.optional(),
  settings: StoreSettingsSchema.partial().optional(),
  templates: StoreTemplatesSchema.optional(),
});

export const UpdateStoreSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  whatsappNumberId: z.string().max(100).nullable().optional(),
  defaultCountry: CountrySchema.nullable().optional(),
  timezone: TimezoneSchema.optional(),
  language: StoreLanguageSchema.optional(),
  settings: StoreSettingsSchema.partial().optional(),
  // The settings fields may also be sent at the top level (DESIGN.md §5.3 lists them so).
  ...StoreSettingsSchema.partial().shape,
  templates: StoreTemplateChangesSchema.optional(),
  /** The full list of valid secrets; the first one is shown as the current secret. Rotation: add, then remove. */
  webhookSecrets: z.array(WebhookSecretSchema).min(1).max(5).optional(),
  /** Per-platform credentials; `null` removes them. Never returned. */
  writeBack: z.record(z.string(), z.unknown()).nullable().optional(),
});

export type CreateStoreInput = z.infer<typeof CreateStoreSchema>;
export type UpdateStoreInput = z.infer<typeof UpdateStoreSchema>;

export type Store = {
  id: string;
  accountId: string;
  name: string;
  platform: Platform;
  whatsappNumberId: string | null;
  defaultCountry: string | null;
  timezone: string;
  language: 'ar' | 'en' | 'fr';
  settings: StoreSettings;
  templates: StoreTemplates;
  createdAt: Date;
  updatedAt: Date;
};

export type StoreView = Omit<Store, 'accountId' | 'createdAt' | 'updatedAt'> & {
  webhookUrl: string;
  webhookSecret: string | null;
  webhookSecrets: string[];
  writeBack: WriteBackSummary;
  createdAt: string;
  updatedAt: string;
};

type StoreRow = {
  id: string;
  account_id: string;
  name: string;
  platform: string;
  whatsapp_number_id: string | null;
  default_country: string | null;
  timezone: string;
  language: string;
  settings: unknown;
  templates: unknown;
  created_at: Date;
  updated_at: Date;
};

const STORE_COLUMNS = 'id, account_id, name, platform, whatsapp_number_id, default_country, timezone, language, settings, templates, created_at, updated_at';

const toStore = (row: StoreRow): Store => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  platform: PlatformSchema.parse(row.platform),
  whatsappNumberId: row.whatsapp_number_id,
  defaultCountry: row.default_country,
  timezone: row.timezone,
  language: StoreLanguageSchema.catch('ar').parse(row.language),
  settings: readStoreSettings(row.settings),
  templates: StoreTemplatesSchema.catch({}).parse(row.templates ?? {}),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** A fresh signing secret in the form the platform expects (Standard Webhooks: `whsec_` + base64). */
export const generateWebhookSecret = (platform: Platform): string =>
  platform === 'generic' ? `whsec_${randomBytes(24).toString('base64')}` : randomBytes(24).toString('base64url');

/** Zid signs nothing, so its secret travels in the URL it calls (DESIGN.md §5.3). */
export const webhookUrlFor = (publicUrl: string, store: Pick<Store, 'id' | 'platform'>, secret: string | null): string => {
  const url = `${publicUrl}/hooks/${store.platform}/${store.id}`;

  return store.platform === 'zid' && secret ? `${url}?token=${encodeURIComponent(secret)}` : url;
};

const WebhookSecretsSchema = z.array(z.string());

export const readWebhookSecrets = async (queryable: Queryable, keyring: Keyring, storeId: string): Promise<string[]> => {
  const value = await readCredential(queryable, keyring, storeId, 'webhook-secrets');

  return value === null ? [] : WebhookSecretsSchema.parse(value);
};

export type StoreDependencies = {
  database: Database;
  keyring: Keyring;
  publicUrl: string;
  /** The most stores an account may hold (AKKED_MAX_STORES); unset: no limit (tests of the domain alone). */
  maxStores?: number;
};

const toView = async (dependencies: StoreDependencies, store: Store): Promise<StoreView> => {
  const secrets = await readWebhookSecrets(dependencies.database, dependencies.keyring, store.id);
  const { accountId: _accountId, ...rest } = store;

  return {
    ...rest,
    webhookUrl: webhookUrlFor(dependencies.publicUrl, store, secrets[0] ?? null),
    webhookSecret: secrets[0] ?? null,
    webhookSecrets: secrets,
    writeBack: await readWriteBackSummary(dependencies.database, dependencies.keyring, store),
    createdAt: store.createdAt.toISOString(),
    updatedAt: store.updatedAt.toISOString(),
  };
};

const assertNumberBelongsToAccount = async (queryable: Queryable, accountId: string, numberId: string | null | undefined) => {
  if (!numberId) return;
  const rows = await queryable.query('select 1 from whatsapp_numbers where id = $1 and account_id = $2', [numberId, accountId]);
  if (rows.length === 0) throw new AppError('bad_request', { message: `whatsappNumberId: no WhatsApp number ${numberId} in this account` });
};

/** A store of this account, or 404 (also for another account's store: never 403). */
export const findStore = async (queryable: Queryable, accountId: string, storeId: string): Promise<Store> => {
  const [row] = await queryable.query<StoreRow>(`select ${STORE_COLUMNS} from stores where id = $1 and account_id = $2`, [storeId, accountId]);
  if (!row) throw new AppError('not_found', { message: 'store not found' });

  return toStore(row);
};

/** The store a webhook names, whatever its account (webhooks are authenticated by signature). */
export const findStoreForWebhook = async (queryable: Queryable, storeId: string): Promise<Store | null> => {
  const [row] = await queryable.query<StoreRow>(`select ${STORE_COLUMNS} from stores where id = $1`, [storeId]);

  return row ? toStore(row) : null;
};

/** `findStoreForWebhook` for many stores in one query (the confirmation jobs of a batch). */
export const findStoresForWebhook = async (queryable: Queryable, storeIds: readonly string[]): Promise<Map<string, Store>> => {
  const rows = storeIds.length === 0 ? [] : await queryable.query<StoreRow>(`select ${STORE_COLUMNS} from stores where id = any($1::text[])`, [storeIds]);

  return new Map(rows.map((row) => [row.id, toStore(row)]));
};

/** A store as its webhooks need it: the row and its decrypted signing secrets. */
export type WebhookStore = {
  store: Store;
  secrets: string[];
  /** Whether this came from the process's cache (possibly up to WEBHOOK_STORE_TTL_MS old). */
  isFromCache: boolean;
};

/**
 * How long a process reuses a store and its secrets for webhooks: the hot path then reads neither
 * the store nor its credentials, nor decrypts them, for every delivery. Changes made through this
 * process (updateStore, deleteStore) apply at once; other processes see them within this time. A
 * new secret set elsewhere is found at once anyway: a signature that fails against cached secrets
 * is checked again against fresh ones (receive-webhook.ts).
 */
export const WEBHOOK_STORE_TTL_MS = 10_000;
const WEBHOOK_STORE_CACHE_LIMIT = 10_000;

type CachedWebhookStore = { loading: Promise<Omit<WebhookStore, 'isFromCache'> | null>; expiresAt: number };

// Per database handle (one per process; tests open many), so nothing leaks between databases.
const webhookStoreCaches = new WeakMap<Database, Map<string, CachedWebhookStore>>();

const WEBHOOK_STORE_SQL = `select ${STORE_COLUMNS.split(', ')
  .map((column) => `s.${column}`)
  .join(', ')}, c.envelope as secrets_envelope
  from stores s left join credentials c on c.owner_id = s.id and c.purpose = 'webhook-secrets' where s.id = $1`;

const readWebhookStore = async (database: Database, keyring: Keyring, storeId: string): Promise<Omit<WebhookStore, 'isFromCache'> | null> => {
  const [row] = await database.query<StoreRow & { secrets_envelope: string | null }>(WEBHOOK_STORE_SQL, [storeId]);
  if (!row) return null;
  const secrets = row.secrets_envelope === null ? [] : WebhookSecretsSchema.parse(decryptJson(keyring, row.secrets_envelope, { ownerId: storeId, purpose: 'webhook-secrets' }));

  return { store: toStore(row), secrets };
};

/**
 * The store a webhook names, whatever its account (webhooks are authenticated by signature), with
 * its secrets, from one query; cached per process for WEBHOOK_STORE_TTL_MS unless `isFresh`.
 * Concurrent deliveries for an uncached store share one read.
 */
export const findWebhookStore = async (database: Database, keyring: Keyring, storeId: string, options: { isFresh?: boolean } = {}): Promise<WebhookStore | null> => {
  let cache = webhookStoreCaches.get(database);
  if (!cache) {
    cache = new Map();
    webhookStoreCaches.set(database, cache);
  }
  const now = Date.now();
  const cached = cache.get(storeId);
  if (cached && cached.expiresAt > now && !options.isFresh) {
    const value = await cached.loading;

    return value ? { ...value, isFromCache: true } : null;
  }
  const entry: CachedWebhookStore = { loading: readWebhookStore(database, keyring, storeId), expiresAt: now + WEBHOOK_STORE_TTL_MS };
  cache.delete(storeId);
  cache.set(storeId, entry);
  if (cache.size > WEBHOOK_STORE_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  const forget = () => {
    if (cache.get(storeId) === entry) cache.delete(storeId);
  };
  let value: Omit<WebhookStore, 'isFromCache'> | null;
  try {
    value = await entry.loading;
  } catch (error) {
    forget();
    throw error;
  }
  // Unknown stores are not remembered: the store may be created a moment later.
  if (!value) forget();

  return value ? { ...value, isFromCache: false } : null;
};

/** Drops a store from this process's webhook cache (it changed or is gone). */
export const forgetWebhookStore = (database: Database, storeId: string): void => {
  webhookStoreCaches.get(database)?.delete(storeId);
};

export const createStore = async (dependencies: StoreDependencies, accountId: string, input: CreateStoreInput): Promise<StoreView> => {
  const id = newId('store');
  const secret = input.webhookSecret ?? (input.platform === 'shopify' ? null : generateWebhookSecret(input.platform));
  const settings = { ...DEFAULT_STORE_SETTINGS, ...input.settings };
  const store = await dependencies.database.transaction(async (transaction) => {
    if (dependencies.maxStores !== undefined) await assertBelowQuota(transaction, accountId, 'stores', dependencies.maxStores);
    await assertNumberBelongsToAccount(transaction, accountId, input.whatsappNumberId);
    const [row] = await transaction.query<StoreRow>(
      `insert into stores (id, account_id, platform, name, whatsapp_number_id, default_country, timezone, language, settings, templates)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ${STORE_COLUMNS}`,
      [
        id,
        accountId,
        input.platform,
        input.name,
        input.whatsappNumberId ?? null,
        input.defaultCountry ?? null,
        input.timezone,
        input.language,
        JSON.stringify(settings),
        JSON.stringify(applyTemplateChanges({}, input.templates ?? {})),
      ],
    );
    if (secret) await saveCredential(transaction, dependencies.keyring, { accountId, ownerId: id, purpose: 'webhook-secrets', value: [secret] });

    return toStore(row as StoreRow);
  });

  return toView(dependencies, store);
};

export const listStores = async (dependencies: StoreDependencies, accountId: string): Promise<StoreView[]> => {
  const rows = await dependencies.database.query<StoreRow>(`select ${STORE_COLUMNS} from stores where account_id = $1 order by created_at, id`, [accountId]);
  const views: StoreView[] = [];
  for (const row of rows) views.push(await toView(dependencies, toStore(row)));

  return views;
};

export const getStore = async (dependencies: StoreDependencies, accountId: string, storeId: string): Promise<StoreView> =>
  toView(dependencies, await findStore(dependencies.database, accountId, storeId));

const SETTING_KEYS = Object.keys(StoreSettingsSchema.shape) as (keyof StoreSettings)[];

export const updateStore = async (
  dependencies: StoreDependencies,
  accountId: string,
  storeId: string,
  input: UpdateStoreInput,
): Promise<StoreView> => {
  const store = await dependencies.database.transaction(async (transaction) => {
    const current = await findStore(transaction, accountId, storeId);
    await assertNumberBelongsToAccount(transaction, accountId, input.whatsappNumberId);
    const topLevelSettings: Partial<StoreSettings> = {};
    for (const key of SETTING_KEYS) {
      if (input[key] !== undefined) Object.assign(topLevelSettings, { [key]: input[key] });
    }
    const settings = { ...current.settings, ...input.settings, ...topLevelSettings };
    if (settings.cloudFallback) {
      const [fallback] = await transaction.query<{ provider: string }>('select provider from whatsapp_numbers where id = $1 and account_id = $2', [settings.cloudFallback.whatsappNumberId, accountId]);
      if (fallback?.provider !== 'cloud') throw new AppError('bad_request', { message: 'cloudFallback.whatsappNumberId: not a Cloud API number of this account' });
    }
    const templates: StoreTemplates = applyTemplateChanges(current.templates, input.templates ?? {});
    if (input.writeBack !== undefined) {
      if (input.writeBack === null) await deleteCredential(transaction, storeId, 'write-back');
      else {
        await saveCredential(transaction, dependencies.keyring, {
          accountId,
          ownerId: storeId,
          purpose: 'write-back',
          value: validateWriteBack(current.platform, input.writeBack),
        });
      }
    }
    if (input.webhookSecrets) {
      await saveCredential(transaction, dependencies.keyring, { accountId, ownerId: storeId, purpose: 'webhook-secrets', value: input.webhookSecrets });
    }
    const [row] = await transaction.query<StoreRow>(
      `update stores set name = $3, whatsapp_number_id = $4, default_country = $5, timezone = $6, language = $7,
         settings = $8, templates = $9, updated_at = now()
       where id = $1 and account_id = $2 returning ${STORE_COLUMNS}`,
      [
        storeId,
        accountId,
        input.name ?? current.name,
        input.whatsappNumberId === undefined ? current.whatsappNumberId : input.whatsappNumberId,
        input.defaultCountry === undefined ? current.defaultCountry : input.defaultCountry,
        input.timezone ?? current.timezone,
        input.language ?? current.language,
        JSON.stringify(StoreSettingsSchema.parse(settings)),
        JSON.stringify(templates),
      ],
    );

    return toStore(row as StoreRow);
  });
  forgetWebhookStore(dependencies.database, storeId);

  return toView(dependencies, store);
};

export type StoreErasureCounts = { orders: number; messages: number; events: number; jobs: number; credentials: number };

/**
 * Deletes a store and everything it brought in: orders, messages, events, queued jobs, webhook
 * secrets and write-back credentials, in one transaction.
 */
export const deleteStore = async (
  dependencies: StoreDependencies & { queue: { deleteJobsReferencing(queryable: Queryable, field: 'storeId' | 'orderId', values: readonly string[]): Promise<number> } },
  accountId: string,
  storeId: string,
): Promise<StoreErasureCounts> => {
  const erased = await dependencies.database.transaction(async (transaction) => {
    await findStore(transaction, accountId, storeId);
    const [counts] = await transaction.query<{ orders: string; messages: string; events: string }>(
      `select (select count(*) from orders where store_id = $1) as orders,
              (select count(*) from messages m join orders o on o.id = m.order_id where o.store_id = $1) as messages,
              (select count(*) from order_events e join orders o on o.id = e.order_id where o.store_id = $1) as events`,
      [storeId],
    );
    const jobs = await dependencies.queue.deleteJobsReferencing(transaction, 'storeId', [storeId]);
    const credentials = await deleteCredential(transaction, storeId);
    // Orders, messages and events go with the store (foreign keys cascade).
    await transaction.query('delete from stores where id = $1 and account_id = $2', [storeId, accountId]);

    return {
      orders: Number(counts?.orders ?? 0),
      messages: Number(counts?.messages ?? 0),
      events: Number(counts?.events ?? 0),
      jobs,
      credentials,
    };
  });
  forgetWebhookStore(dependencies.database, storeId);

  return erased;
};

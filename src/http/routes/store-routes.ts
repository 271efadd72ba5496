import { z } from 'zod';
import { PlatformSchema } from '../../ingest/order.ts';
import { StoreSettingsViewSchema } from '../../stores/store-settings.ts';
import { StoreTemplatesSchema } from '../../stores/store-templates.ts';
import { CreateStoreSchema, createStore, deleteStore, getStore, listStores, UpdateStoreSchema, updateStore, type StoreDependencies } from '../../stores/stores.ts';
import type { AppInstance } from '../app.ts';
import type { Authenticator } from '../authenticate.ts';

export const StoreViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  platform: PlatformSchema,
  whatsappNumberId: z.string().nullable(),
  defaultCountry: z.string().nullable(),
  timezone: z.string(),
  language: z.enum(['ar', 'en', 'fr']),
  settings: StoreSettingsViewSchema,
  templates: StoreTemplatesSchema,
  webhookUrl: z.string().describe('Paste this into the platform as the webhook address'),
  webhookSecret: z.string().nullable().describe('The current signing secret (null for Shopify until the merchant pastes the app secret)'),
  webhookSecrets: z.array(z.string()).describe('Every secret accepted now (rotation)'),
  writeBack: z.object({ supported: z.boolean(), configured: z.boolean(), shopDomain: z.string().optional(), storeUrl: z.string().optional() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const StoreParamsSchema = z.object({ id: z.string().max(100) });

export const registerStoreRoutes = (app: AppInstance, options: { authenticator: Authenticator }): void => {
  const { authenticator } = options;
  const dependencies = (): StoreDependencies => ({
    database: app.services.database,
    keyring: app.services.keyring,
    publicUrl: app.services.config.publicUrl,
    maxStores: app.services.config.AKKED_MAX_STORES,
  });

  app.post(
    '/api/v1/stores',
    {
      schema: {
        tags: ['stores'],
        summary: 'Connect a store; answers its webhook URL and secret',
        body: CreateStoreSchema,
        response: { 201: StoreViewSchema },
      },
    },
    async (request, reply) => {
      const principal = await authenticator.authenticate(request);

      return reply.status(201).send(await createStore(dependencies(), principal.accountId, request.body));
    },
  );

  app.get(
    '/api/v1/stores',
    { schema: { tags: ['stores'], summary: "The account's stores", response: { 200: z.object({ data: z.array(StoreViewSchema) }) } } },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return { data: await listStores(dependencies(), principal.accountId) };
    },
  );

  app.get(
    '/api/v1/stores/:id',
    { schema: { tags: ['stores'], summary: 'One store', params: StoreParamsSchema, response: { 200: StoreViewSchema } } },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return getStore(dependencies(), principal.accountId, request.params.id);
    },
  );

  app.patch(
    '/api/v1/stores/:id',
    {
      schema: {
        tags: ['stores'],
        summary: 'Change settings, templates, webhook secrets (rotation) or write-back credentials',
        params: StoreParamsSchema,
        body: UpdateStoreSchema,
        response: { 200: StoreViewSchema },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return updateStore(dependencies(), principal.accountId, request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/stores/:id',
    {
      schema: {
        tags: ['stores'],
        summary: "Delete a store and erase its orders, messages, events, jobs, secrets and write-back credentials",
        params: StoreParamsSchema,
        response: {
          200: z.object({ deleted: z.object({ orders: z.number(), messages: z.number(), events: z.number(), jobs: z.number(), credentials: z.number() }) }),
        },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return { deleted: await deleteStore({ ...dependencies(), queue: app.services.queue }, principal.accountId, request.params.id) };
    },
  );
};

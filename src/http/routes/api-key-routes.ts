import { z } from 'zod';
import { API_KEY_SCOPES, ApiKeyScopeSchema, DEFAULT_API_KEY_SCOPES } from '../../accounts/api-key-scopes.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../accounts/api-keys.ts';
import type { AppInstance } from '../app.ts';
import type { Authenticator } from '../authenticate.ts';

const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to tell keys apart'),
  scopes: z.array(ApiKeyScopeSchema),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

export const registerApiKeyRoutes = (app: AppInstance, options: { authenticator: Authenticator }): void => {
  const { authenticator } = options;

  app.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key; the key is shown in this response only',
        body: z.object({
          name: z.string().trim().min(1).max(100),
          scopes: z
            .array(ApiKeyScopeSchema)
            .min(1)
            .max(API_KEY_SCOPES.length)
            .optional()
            .describe(`What the key may do; default ${DEFAULT_API_KEY_SCOPES.join(', ')} (everything but admin). Only admin may manage API keys.`),
        }),
        response: { 201: ApiKeySchema.extend({ key: z.string() }) },
      },
    },
    async (request, reply) => {
      const principal = await authenticator.authenticate(request);
      const created = await createApiKey(app.services.database, {
        accountId: principal.accountId,
        name: request.body.name,
        ...(request.body.scopes ? { scopes: request.body.scopes } : {}),
        createdByUserId: principal.userId,
        maxKeys: app.services.config.AKKED_MAX_API_KEYS,
      });

      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/v1/api-keys',
    { schema: { tags: ['api-keys'], summary: "The account's live API keys (never the keys themselves)", response: { 200: z.object({ data: z.array(ApiKeySchema) }) } } },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return { data: await listApiKeys(app.services.database, principal.accountId) };
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key; it stops working at once',
        params: z.object({ id: z.string().max(100) }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const principal = await authenticator.authenticate(request);
      await revokeApiKey(app.services.database, principal.accountId, request.params.id);

      return reply.status(204).send(null);
    },
  );
};

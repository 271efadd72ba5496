import { z } from 'zod';
import { NUMBER_STATUSES } from '../../whatsapp/number-status.ts';
import {
  CreateNumberSchema,
  createNumber,
  deleteNumber,
  getNumber,
  listNumbers,
  relinkNumber,
  requestPairingCode,
  type NumberDependencies,
} from '../../whatsapp/numbers.ts';
import { ProviderKindSchema } from '../../whatsapp/provider.ts';
import type { AppInstance } from '../app.ts';
import type { Authenticator } from '../authenticate.ts';

const NumberViewSchema = z.object({
  id: z.string(),
  provider: ProviderKindSchema,
  phone: z.string().nullable(),
  status: z.enum(NUMBER_STATUSES),
  statusReason: z.string().nullable(),
  qr: z.string().nullable().describe('The QR code to scan with WhatsApp > Linked devices, while linking'),
  qrDataUrl: z.string().nullable().describe('The same QR code as a PNG data URL'),
  pairingCode: z.string().nullable(),
  webhookUrl: z.string().nullable().describe('Cloud API numbers: the callback URL to register with Meta'),
  linkedAt: z.string().nullable(),
  lastConnectedAt: z.string().nullable(),
  createdAt: z.string(),
  connectPausedUntil: z.string().nullable().describe('WhatsApp keeps the number from connecting until then (a temporary ban, another client on the device); it reconnects by itself'),
  firstContactPausedUntil: z.string().nullable().describe('WhatsApp keeps the number from writing first to customers until then (463, reach-out timelock): confirmations wait for the customer or go to the Cloud fallback'),
  firstContactPauseReason: z.string().nullable(),
  history: z.array(z.object({ status: z.string(), reason: z.string().nullable(), at: z.string() })),
});

const ParamsSchema = z.object({ id: z.string().max(100) });

export const registerNumberRoutes = (app: AppInstance, options: { authenticator: Authenticator }): void => {
  const { authenticator } = options;
  const dependencies = (): NumberDependencies => ({
    database: app.services.database,
    keyring: app.services.keyring,
    publicUrl: app.services.config.publicUrl,
    isSimulatorEnabled: Boolean(app.services.config.AKKED_WHATSAPP_SIMULATOR_URL),
    sessions: app.services.sessions,
    maxNumbers: app.services.config.AKKED_MAX_NUMBERS,
  });

  app.post(
    '/api/v1/whatsapp-numbers',
    {
      schema: {
        tags: ['whatsapp-numbers'],
        summary: 'Add a WhatsApp number: linked (QR or pairing code), cloud (Meta Cloud API) or simulator',
        body: CreateNumberSchema,
        response: { 201: NumberViewSchema },
      },
    },
    async (request, reply) => {
      const principal = await authenticator.authenticate(request);

      return reply.status(201).send(await createNumber(dependencies(), principal.accountId, request.body));
    },
  );

  app.get(
    '/api/v1/whatsapp-numbers',
    { schema: { tags: ['whatsapp-numbers'], summary: "The account's numbers and their health", response: { 200: z.object({ data: z.array(NumberViewSchema) }) } } },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return { data: await listNumbers(dependencies(), principal.accountId) };
    },
  );

  app.get(
    '/api/v1/whatsapp-numbers/:id',
    {
      schema: {
        tags: ['whatsapp-numbers'],
        summary: 'A number with its status, current QR code or pairing code while linking, and status history',
        params: ParamsSchema,
        response: { 200: NumberViewSchema },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return getNumber(dependencies(), principal.accountId, request.params.id);
    },
  );

  app.post(
    '/api/v1/whatsapp-numbers/:id/pairing-code',
    {
      schema: {
        tags: ['whatsapp-numbers'],
        summary: 'Link by phone number: an 8-character code to enter in WhatsApp > Linked devices > Link with phone number',
        params: ParamsSchema,
        body: z.object({ phone: z.string().trim().min(6).max(40) }),
        response: { 200: z.object({ pairingCode: z.string() }) },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);
      // Each code can be shown to a victim as "enter this code": few per address and per number.
      await app.rateLimits.enforce('pairing-code-address', request, app.rateLimits.clientKey(request));
      await app.rateLimits.enforce('pairing-code', request, `number ${principal.accountId} ${request.params.id}`);

      return { pairingCode: await requestPairingCode(dependencies(), principal.accountId, request.params.id, request.body.phone.replace(/\D/g, '')) };
    },
  );

  app.post(
    '/api/v1/whatsapp-numbers/:id/relink',
    {
      schema: {
        tags: ['whatsapp-numbers'],
        summary:
          'Link a logged-out, banned or disconnected linked-device number again: its old keys are deleted and it waits for a new QR code or pairing code; stores keep it',
        params: ParamsSchema,
        response: { 200: NumberViewSchema },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return relinkNumber(dependencies(), principal.accountId, request.params.id);
    },
  );

  app.delete(
    '/api/v1/whatsapp-numbers/:id',
    {
      schema: {
        tags: ['whatsapp-numbers'],
        summary: 'Remove a number: its credentials are deleted at once and its session closed',
        params: ParamsSchema,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const principal = await authenticator.authenticate(request);
      await deleteNumber(dependencies(), principal.accountId, request.params.id);

      return reply.status(204).send(null);
    },
  );
};

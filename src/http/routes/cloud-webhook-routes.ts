import { z } from 'zod';
import { handleInboundMessage } from '../../confirmation/handle-inbound.ts';
import { readCredential } from '../../credentials/credential-store.ts';
import { AppError } from '../../errors.ts';
import { answerVerificationChallenge, parseCloudWebhook, verifyCloudSignature } from '../../whatsapp/cloud/cloud-webhook.ts';
import { applyReceipt } from '../../whatsapp/delivery.ts';
import type { AppInstance } from '../app.ts';

const CloudSecretsSchema = z.object({ appSecret: z.string(), verifyToken: z.string() });

const ParamsSchema = z.object({ numberId: z.string().max(100) });

// Each parameter once: a repeated `hub.verify_token` is a 400, never a list compared as a string.
const VerificationQuerySchema = z.object({
  'hub.mode': z.string().max(100).optional(),
  'hub.verify_token': z.string().max(1000).optional(),
  'hub.challenge': z.string().max(1000).optional(),
});

/** Meta's Cloud API webhooks for one number: the subscription handshake, then statuses and replies. */
export const registerCloudWebhookRoutes = (app: AppInstance): void => {
  const rateLimit = app.rateLimits.route('webhook', (request) => `whatsapp-cloud:${(request.params as { numberId?: string }).numberId ?? ''}`);
  const loadNumber = async (numberId: string) => {
    const [number] = await app.services.database.query<{ id: string; account_id: string; settings: { phoneNumberId?: string } }>(
      "select id, account_id, settings from whatsapp_numbers where id = $1 and provider = 'cloud'",
      [numberId],
    );
    if (!number) throw new AppError('not_found', { message: 'WhatsApp number not found' });
    const secrets = CloudSecretsSchema.safeParse(await readCredential(app.services.database, app.services.keyring, numberId, 'cloud-api'));
    if (!secrets.success) throw new AppError('not_found', { message: 'WhatsApp number not found' });

    return { ...number, ...secrets.data };
  };

  app.get(
    '/hooks/whatsapp-cloud/:numberId',
    { config: { rateLimit }, schema: { tags: ['webhooks'], summary: "Meta's webhook verification (hub.challenge)", params: ParamsSchema, querystring: VerificationQuerySchema } },
    async (request, reply) => {
      const number = await loadNumber(request.params.numberId);
      const challenge = answerVerificationChallenge(request.query, number.verifyToken);

      return reply.type('text/plain').send(challenge);
    },
  );

  app.post(
    '/hooks/whatsapp-cloud/:numberId',
    { config: { rateLimit }, schema: { tags: ['webhooks'], summary: 'Cloud API message statuses and customer replies, signed with X-Hub-Signature-256', params: ParamsSchema } },
    async (request, reply) => {
      const number = await loadNumber(request.params.numberId);
      const rawBody = request.rawBody ?? Buffer.alloc(0);
      const signature = request.headers['x-hub-signature-256'];
      verifyCloudSignature(rawBody, typeof signature === 'string' ? signature : undefined, number.appSecret);
      const { receipts, inbound } = parseCloudWebhook(rawBody, { ...(number.settings.phoneNumberId ? { phoneNumberId: number.settings.phoneNumberId } : {}) });
      for (const receipt of receipts) {
        await app.services.database.transaction((transaction) => applyReceipt(transaction, number.id, receipt));
      }
      for (const message of inbound) {
        await handleInboundMessage({ database: app.services.database, queue: app.services.queue }, { numberId: number.id }, message);
      }

      return reply.status(200).send({ received: true });
    },
  );
};

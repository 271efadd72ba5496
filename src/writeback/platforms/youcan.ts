import { z } from 'zod';
import {
  JSON_HEADERS,
  appendPath,
  assertOrderId,
  credentialTokenSchema,
  defineWriteBackAdapter,
  errorForStatus,
  readJsonBody,
  type WriteBackAdapter,
  type WriteBackRequest,
} from '../write-back-adapter.ts';

/**
 * YouCan write-back through the Store Admin API. YouCan has no "confirmed" status, tag or note
 * endpoint; its order actions are close (optionally cancelling and restocking), fulfil (shipped)
 * and pay. So:
 * - cancelled → `PUT /orders/{id}/close {"cancel_order": true}` (cancels and returns the stock);
 * - confirmed → nothing is sent (`not_supported`): fulfilling would tell the merchant the order
 *   has shipped, which a confirmation does not mean.
 */

export const YOUCAN_API_BASE_URL = 'https://api.youcan.shop';

/** An order that is already closed is the state we wanted: a retried write-back succeeds. */
const ALREADY_CLOSED_CODE = 'ORDER-ALREADY-CLOSED';

export const YouCanCredentialsSchema = z.object({ accessToken: credentialTokenSchema });

export type YouCanCredentials = z.infer<typeof YouCanCredentialsSchema>;

const YouCanErrorBodySchema = z.object({ code: z.string() });

/** `apiBaseUrl` is YouCan's own API unless a test points it at a local fake. */
export const createYouCanWriteBackAdapter = (options: { apiBaseUrl?: string } = {}): WriteBackAdapter =>
  defineWriteBackAdapter<YouCanCredentials>({
    platform: 'youcan',
    credentialsSchema: YouCanCredentialsSchema,
    supportedResults: ['cancelled'],
    write: async (request: WriteBackRequest<YouCanCredentials>) => {
      if (request.result !== 'cancelled') return 'not_supported';
      const orderId = assertOrderId('youcan', request.externalOrderId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      const response = await request.fetch(appendPath(new URL(options.apiBaseUrl ?? YOUCAN_API_BASE_URL), 'orders', orderId, 'close'), {
        method: 'PUT',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${request.credentials.accessToken}` },
        body: JSON.stringify({ cancel_order: true }),
      });
      if (response.ok) return 'written';
      if (response.status === 422) {
        const body = YouCanErrorBodySchema.safeParse(await readJsonBody('youcan', response).catch(() => undefined));
        if (body.success && body.data.code === ALREADY_CLOSED_CODE) return 'written';
      }
      throw errorForStatus('youcan', response);
    },
  });

export const youCanWriteBackAdapter = createYouCanWriteBackAdapter();

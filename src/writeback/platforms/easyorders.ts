import { z } from 'zod';
import {
  JSON_HEADERS,
  appendPath,
  assertOrderId,
  assertSuccessfulResponse,
  credentialTokenSchema,
  defineWriteBackAdapter,
  type WriteBackAdapter,
  type WriteBackRequest,
  type WriteBackResult,
} from '../write-back-adapter.ts';

/**
 * EasyOrders write-back through its public API (eazyorders/public-api-docs):
 * `PATCH /api/v1/external-apps/orders/{id}/status {status}` with header `Api-Key` (permission
 * `orders:update`). Its order-notes endpoint needs the store id, which the webhook does not give
 * us, so no note is written.
 */

export const EASYORDERS_API_BASE_URL = 'https://api.easy-orders.net/api/v1/external-apps';

export const EASYORDERS_RESULT_STATUSES: Record<WriteBackResult, string> = {
  confirmed: 'confirmed',
  cancelled: 'canceled',
};

export const EasyOrdersCredentialsSchema = z.object({ apiKey: credentialTokenSchema });

export type EasyOrdersCredentials = z.infer<typeof EasyOrdersCredentialsSchema>;

/** `apiBaseUrl` is EasyOrders' own API unless a test points it at a local fake. */
export const createEasyOrdersWriteBackAdapter = (options: { apiBaseUrl?: string } = {}): WriteBackAdapter =>
  defineWriteBackAdapter<EasyOrdersCredentials>({
    platform: 'easyorders',
    credentialsSchema: EasyOrdersCredentialsSchema,
    supportedResults: ['confirmed', 'cancelled'],
    write: async (request: WriteBackRequest<EasyOrdersCredentials>) => {
      const orderId = assertOrderId('easyorders', request.externalOrderId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      const response = await request.fetch(appendPath(new URL(options.apiBaseUrl ?? EASYORDERS_API_BASE_URL), 'orders', orderId, 'status'), {
        method: 'PATCH',
        headers: { ...JSON_HEADERS, 'api-key': request.credentials.apiKey },
        body: JSON.stringify({ status: EASYORDERS_RESULT_STATUSES[request.result] }),
      });
      assertSuccessfulResponse('easyorders', response);

      return 'written';
    },
  });

export const easyOrdersWriteBackAdapter = createEasyOrdersWriteBackAdapter();

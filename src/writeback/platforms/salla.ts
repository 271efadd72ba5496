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
 * Salla write-back through the Merchant API: `POST /admin/v2/orders/{id}/status` with a predefined
 * status slug and a note (scope `orders.read_write`; answers 201). Merchants who made a custom
 * sub-status such as "تم التأكيد عبر واتساب" would want `status_id` instead; that mapping is not
 * offered yet.
 */

export const SALLA_API_BASE_URL = 'https://api.salla.dev/admin/v2';

/** `in_progress` (قيد التنفيذ) is the step after review; `canceled` is Salla's spelling. */
export const SALLA_RESULT_SLUGS: Record<WriteBackResult, string> = {
  confirmed: 'in_progress',
  cancelled: 'canceled',
};

export const SallaCredentialsSchema = z.object({ accessToken: credentialTokenSchema });

export type SallaCredentials = z.infer<typeof SallaCredentialsSchema>;

/** `apiBaseUrl` is Salla's own API unless a test points it at a local fake. */
export const createSallaWriteBackAdapter = (options: { apiBaseUrl?: string } = {}): WriteBackAdapter =>
  defineWriteBackAdapter<SallaCredentials>({
    platform: 'salla',
    credentialsSchema: SallaCredentialsSchema,
    supportedResults: ['confirmed', 'cancelled'],
    write: async (request: WriteBackRequest<SallaCredentials>) => {
      const orderId = assertOrderId('salla', request.externalOrderId, /^\d{1,20}$/);
      const response = await request.fetch(appendPath(new URL(options.apiBaseUrl ?? SALLA_API_BASE_URL), 'orders', orderId, 'status'), {
        method: 'POST',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${request.credentials.accessToken}` },
        body: JSON.stringify({ slug: SALLA_RESULT_SLUGS[request.result], ...(request.note === '' ? {} : { note: request.note }) }),
      });
      assertSuccessfulResponse('salla', response);

      return 'written';
    },
  });

export const sallaWriteBackAdapter = createSallaWriteBackAdapter();

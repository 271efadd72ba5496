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
 * Zid write-back through the Manager API (as the official zidsa/sdk-python does it):
 * `POST /v1/managers/store/orders/{id}/change-order-status {order_status}` then
 * `POST .../add-order-comment {comment}`, each with `Authorization: Bearer <partner token>` and
 * `X-Manager-Token: <store token>`. Zid allows 20 comments of at most 100 characters per order,
 * so the note is cut to 100 characters.
 */

export const ZID_API_BASE_URL = 'https://api.zid.sa/v1';

/** Zid's statuses are `new, preparing, ready, indelivery, delivered, cancelled`. */
export const ZID_RESULT_STATUSES: Record<WriteBackResult, string> = {
  confirmed: 'preparing',
  cancelled: 'cancelled',
};

export const ZID_COMMENT_MAX_LENGTH = 100;

export const ZidCredentialsSchema = z.object({
  /** The partner (app) token, sent as `Authorization: Bearer`. */
  accessToken: credentialTokenSchema,
  /** The store's OAuth token, sent as `X-Manager-Token`. */
  managerToken: credentialTokenSchema,
});

export type ZidCredentials = z.infer<typeof ZidCredentialsSchema>;

/** `apiBaseUrl` is Zid's own API unless a test points it at a local fake. */
export const createZidWriteBackAdapter = (options: { apiBaseUrl?: string } = {}): WriteBackAdapter =>
  defineWriteBackAdapter<ZidCredentials>({
    platform: 'zid',
    credentialsSchema: ZidCredentialsSchema,
    supportedResults: ['confirmed', 'cancelled'],
    write: async (request: WriteBackRequest<ZidCredentials>) => {
      const orderId = assertOrderId('zid', request.externalOrderId, /^\d{1,20}$/);
      const base = new URL(options.apiBaseUrl ?? ZID_API_BASE_URL);
      const headers = {
        ...JSON_HEADERS,
        'accept-language': 'en',
        authorization: `Bearer ${request.credentials.accessToken}`,
        'x-manager-token': request.credentials.managerToken,
      };

      const statusResponse = await request.fetch(appendPath(base, 'managers', 'store', 'orders', orderId, 'change-order-status'), {
        method: 'POST',
        headers,
        body: JSON.stringify({ order_status: ZID_RESULT_STATUSES[request.result] }),
      });
      assertSuccessfulResponse('zid', statusResponse);

      if (request.note !== '') {
        const commentResponse = await request.fetch(appendPath(base, 'managers', 'store', 'orders', orderId, 'add-order-comment'), {
          method: 'POST',
          headers,
          body: JSON.stringify({ comment: [...request.note].slice(0, ZID_COMMENT_MAX_LENGTH).join('') }),
        });
        assertSuccessfulResponse('zid', commentResponse);
      }

      return 'written';
    },
  });

export const zidWriteBackAdapter = createZidWriteBackAdapter();

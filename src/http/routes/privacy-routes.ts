import { z } from 'zod';
import { eraseCustomer, resolveCustomerPhones } from '../../privacy/erase-customer.ts';
import { ExportQuerySchema, writeExport } from '../../privacy/export-orders.ts';
import type { AppInstance } from '../app.ts';
import type { Authenticator } from '../authenticate.ts';

const CONTENT_TYPES = { json: 'application/json; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

export const registerPrivacyRoutes = (app: AppInstance, options: { authenticator: Authenticator }): void => {
  const { authenticator } = options;

  app.get(
    '/api/v1/export',
    {
      schema: {
        tags: ['privacy'],
        summary: "The account's orders with messages and events, streamed as JSON, NDJSON or CSV",
        querystring: ExportQuerySchema,
      },
    },
    async (request, reply) => {
      const principal = await authenticator.authenticate(request);
      const query = request.query;
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': CONTENT_TYPES[query.format],
        'content-disposition': `attachment; filename="akked-orders.${query.format}"`,
        'cache-control': 'no-store',
        'x-request-id': request.id,
      });
      try {
        await writeExport(app.services.database, principal.accountId, query, reply.raw);
      } catch (error) {
        request.log.error({ err: error }, 'export failed midway');
      }
      reply.raw.end();
    },
  );

  app.delete(
    '/api/v1/customers/:phone',
    {
      schema: {
        tags: ['privacy'],
        summary: "Erase one customer of the account: orders, messages, events, queued jobs, WhatsApp session keys",
        params: z.object({ phone: z.string().max(40) }),
        querystring: z.object({ storeId: z.string().max(100).optional() }),
        response: { 200: z.object({ deleted: z.object({ orders: z.number(), messages: z.number() }) }) },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);
      const { database } = app.services;
      const phones = await resolveCustomerPhones(database, principal.accountId, request.params.phone, request.query.storeId);
      const counts = await eraseCustomer(
        { database, queue: app.services.queue, keyring: app.services.keyring },
        { accountId: principal.accountId, phones, ...(request.query.storeId ? { storeId: request.query.storeId } : {}) },
      );

      return { deleted: { orders: counts.orders, messages: counts.messages } };
    },
  );
};

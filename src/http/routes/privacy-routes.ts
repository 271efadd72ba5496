import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { normalizePhoneInput } from '../../ingest/normalize/phone.ts';
import { eraseCustomer } from '../../privacy/erase-customer.ts';
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
      const stores = await database.query<{ id: string; default_country: string | null }>(
        `select id, default_country from stores where account_id = $1 ${request.query.storeId ? 'and id = $2' : ''}`,
        request.query.storeId ? [principal.accountId, request.query.storeId] : [principal.accountId],
      );
      if (request.query.storeId && stores.length === 0) throw new AppError('not_found', { message: 'store not found' });
      // E.164, or a local form read in each store's default country.
      const phones = new Set<string>();
      const international = normalizePhoneInput(request.params.phone, null);
      if (international) phones.add(international);
      for (const store of stores) {
        const local = normalizePhoneInput(request.params.phone, store.default_country);
        if (local) phones.add(local);
      }
      if (phones.size === 0) throw new AppError('invalid_phone', { message: 'not a phone number in any of your stores\' countries' });
      const counts = await eraseCustomer(
        { database, queue: app.services.queue, keyring: app.services.keyring },
        { accountId: principal.accountId, phones: [...phones], ...(request.query.storeId ? { storeId: request.query.storeId } : {}) },
      );

      return { deleted: { orders: counts.orders, messages: counts.messages } };
    },
  );
};

import { z } from 'zod';
import { readCustomerInitiatedLink } from '../../confirmation/customer-initiated-link.ts';
import { NormalizedOrderSchema } from '../../ingest/order.ts';
import { decideOrder, resendConfirmation } from '../../orders/order-actions.ts';
import { OrderEventHub } from '../../orders/order-event-hub.ts';
import { LiveStreams } from '../live-streams.ts';
import { AnalyticsQuerySchema, AnalyticsSchema, readAnalytics } from '../../orders/analytics.ts';
import { getOrderDetail, listOrders, ListOrdersQuerySchema } from '../../orders/order-queries.ts';
import { ORDER_STATUSES } from '../../orders/order-status.ts';
import { ingestOrder } from '../../orders/ingest-order.ts';
import { findStore } from '../../stores/stores.ts';
import type { AppInstance } from '../app.ts';
import type { Authenticator } from '../authenticate.ts';

const OrderSummarySchema = z.object({
  id: z.string(),
  storeId: z.string(),
  platform: z.string(),
  externalId: z.string(),
  number: z.string(),
  code: z.string().describe('Short code a customer can quote to confirm this order'),
  status: z.enum(ORDER_STATUSES),
  failureReason: z.string().nullable(),
  customerName: z.string().nullable(),
  customerPhone: z.string().nullable(),
  phoneProblem: z.string().nullable(),
  total: z.string(),
  currency: z.string(),
  isCod: z.boolean(),
  createdAt: z.string(),
  platformCreatedAt: z.string(),
  updatedAt: z.string(),
});

const OrderDetailSchema = OrderSummarySchema.extend({
  customerPhoneRaw: z.string().nullable(),
  locale: z.string().nullable(),
  paymentMethod: z.string().nullable(),
  shippingAddress: z.record(z.string(), z.unknown()).nullable(),
  items: z.array(z.unknown()),
  sendAt: z.string().nullable(),
  repliedAt: z.string().nullable(),
  messages: z.array(
    z.object({
      id: z.string(),
      direction: z.enum(['outbound', 'inbound']),
      kind: z.string(),
      text: z.string().nullable(),
      status: z.string(),
      error: z.string().nullable(),
      createdAt: z.string(),
      sentAt: z.string().nullable(),
      deliveredAt: z.string().nullable(),
      readAt: z.string().nullable(),
    }),
  ),
  events: z.array(z.object({ status: z.string(), cause: z.string(), at: z.string() })),
  customerInitiatedLink: z.string().nullable().describe('When WhatsApp refused to message a cold contact: a wa.me link for the store’s thank-you page'),
});

const ParamsSchema = z.object({ id: z.string().max(100) });

export const registerOrderRoutes = (app: AppInstance, options: { authenticator: Authenticator }): void => {
  const { authenticator } = options;
  let hub: OrderEventHub | null = null;
  const liveStreams = new LiveStreams(app.services.database, app.services.config.AKKED_MAX_STREAMS);
  app.addHook('onClose', async () => {
    await liveStreams.close();
    await hub?.close();
  });

  app.get(
    '/api/v1/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Orders, newest first, filtered and searched, with a cursor for the next page',
        querystring: ListOrdersQuerySchema,
        response: { 200: z.object({ data: z.array(OrderSummarySchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return listOrders(app.services.database, principal.accountId, request.query);
    },
  );

  app.get(
    '/api/v1/analytics',
    {
      schema: {
        tags: ['orders'],
        summary: 'Totals per status, confirmation/cancellation/no-response rates, median time to reply, credits used, and a per-day series (default: last 30 days)',
        querystring: AnalyticsQuerySchema,
        response: { 200: AnalyticsSchema },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);

      return readAnalytics(app.services.database, principal.accountId, request.query);
    },
  );

  app.get(
    '/api/v1/orders/stream',
    { schema: { tags: ['orders'], summary: 'Server-Sent Events: one `{orderId, status, at}` per order or message status change of the account' } },
    async (request, reply) => {
      const principal = await authenticator.authenticate(request);
      hub ??= new OrderEventHub(app.services.database);
      let keepAlive: NodeJS.Timeout | undefined;
      let unsubscribe = () => {};
      const cleanUp = () => {
        clearInterval(keepAlive);
        unsubscribe();
      };
      // Ends the stream at once when its API key is revoked or its session ends.
      const forget = await liveStreams.admit(principal, () => {
        cleanUp();
        reply.raw.end();
      });
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      reply.raw.write('retry: 3000\n\n');
      unsubscribe = await hub.subscribe(principal.accountId, (change) => {
        reply.raw.write(`event: order\ndata: ${JSON.stringify(change)}\n\n`);
      });
      // Comments keep proxies from closing an idle stream.
      keepAlive = setInterval(() => reply.raw.write(': keep-alive\n\n'), 15_000);
      request.raw.on('close', () => {
        cleanUp();
        forget();
      });
    },
  );

  app.get(
    '/api/v1/orders/:id',
    { schema: { tags: ['orders'], summary: 'One order with its message thread and status timeline', params: ParamsSchema, response: { 200: OrderDetailSchema } } },
    async (request) => {
      const principal = await authenticator.authenticate(request);
      const order = await getOrderDetail(app.services.database, principal.accountId, request.params.id);

      return { ...order, customerInitiatedLink: await readCustomerInitiatedLink(app.services.database, order) };
    },
  );

  app.post(
    '/api/v1/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Submit an order from a custom integration (normalized order JSON plus storeId); a repeat is answered 200 and changes nothing',
        body: NormalizedOrderSchema.extend({ storeId: z.string().max(100) }),
        response: { 200: z.object({ id: z.string(), status: z.enum(ORDER_STATUSES), isNew: z.boolean() }), 201: z.object({ id: z.string(), status: z.enum(ORDER_STATUSES), isNew: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const principal = await authenticator.authenticate(request);
      const { storeId, ...order } = request.body;
      const store = await findStore(app.services.database, principal.accountId, storeId);
      const result = await ingestOrder({ database: app.services.database, queue: app.services.queue, store, order, source: 'api' });

      return reply.status(result.isNew ? 201 : 200).send({ id: result.orderId, status: result.status, isNew: result.isNew });
    },
  );

  app.post(
    '/api/v1/orders/:id/resend',
    { schema: { tags: ['orders'], summary: 'Ask the customer again (takes one credit)', params: ParamsSchema, response: { 202: z.object({ status: z.literal('queued') }) } } },
    async (request, reply) => {
      const principal = await authenticator.authenticate(request);
      await resendConfirmation(app.services, principal.accountId, request.params.id);

      return reply.status(202).send({ status: 'queued' as const });
    },
  );

  app.post(
    '/api/v1/orders/:id/decision',
    {
      schema: {
        tags: ['orders'],
        summary: 'Confirm or cancel an order by hand; written back to the store like a customer reply',
        params: ParamsSchema,
        body: z.object({ status: z.enum(['confirmed', 'cancelled']) }),
        response: { 200: z.object({ id: z.string(), status: z.enum(['confirmed', 'cancelled']) }) },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);
      await decideOrder({ database: app.services.database, queue: app.services.queue }, principal.accountId, request.params.id, request.body.status);

      return { id: request.params.id, status: request.body.status };
    },
  );
};

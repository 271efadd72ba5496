import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { GroupCommit } from '../db/group-commit.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { notifyMerchantJob } from '../notifications/notify-merchant-job.ts';
import { transitionOrder } from '../orders/order-status.ts';
import { defineJob } from '../services.ts';
import { findStoresForWebhook, type Store } from '../stores/stores.ts';
import { tracing } from '../telemetry/tracing.ts';
import { sendThroughCloudFallback } from './cloud-fallback.ts';
import { scheduleManyFollowUps } from './follow-up-job.ts';
import { OUTBOUND_ORDER_COLUMNS, queueOutboundMessages, type OutboundOrder } from './outbound-messages.ts';

/** `traceParent`: the job's span, which the message's send continues (the batch runs in one job's context). */
export type SendRequest = { orderId: string; traceParent?: string | null };

export type SendDependencies = { database: Database; queue: JobQueue; logger: Logger; metrics?: Pick<Metrics, 'creditsConsumed'> };

/** Most orders prepared by one transaction. */
const MAX_BATCH_SIZE = 50;

/**
 * Prepares the confirmation question of one order: checks the order still wants it, takes one
 * credit and queues the message for the number's worker, all in one transaction. Runs once per
 * order whatever the retries: a second run finds the message already queued and does nothing.
 *
 * Jobs are fetched by the batch, and the jobs of a process that wait at the same moment are
 * prepared together (ConfirmationBatcher): one transaction, one read of the orders, one insert of
 * the messages, one insert of the follow-up jobs. A batch that fails is prepared again one order
 * at a time, so a bad order fails (and is retried) alone.
 */
export const sendConfirmationJob = defineJob({
  name: 'confirmation.send',
  schema: z.object({ orderId: z.string(), accountId: z.string(), storeId: z.string() }),
  retry: { limit: 5, delaySeconds: 5, backoff: true, maximumDelaySeconds: 300 },
  policy: 'stately',
  // Prepares messages in the database only (the session manager sends them): seconds of work.
  expireInSeconds: 60,
  heartbeatSeconds: 10,
  batchSize: MAX_BATCH_SIZE,
  // Every queued job wakes every worker of the queue to fetch: two workers fetching whole batches
  // keep up with any rate, where ten fetched mostly nothing.
  concurrency: 2,
  handle: async ({ orderId }, { services }) => {
    await batcherFor(services).prepare({ orderId, traceParent: tracing.traceParent() });
  },
});

type Candidate = OutboundOrder & { has_confirmation: boolean; number_status: string | null; is_first_contact_paused: boolean };

/** Why the store's number (its id, and its status when it exists) cannot send now, or null when it can. */
const readNumberProblem = (numberId: string | null, numberStatus: string | null): string | null => {
  if (!numberId || !numberStatus) return 'no_whatsapp_number';
  if (numberStatus === 'logged_out' || numberStatus === 'banned') return 'number_disconnected';

  return null;
};

/** Prepares the confirmations of these orders in one transaction (an order listed twice counts once). */
export const prepareConfirmations = async (dependencies: SendDependencies, requests: readonly SendRequest[]): Promise<void> => {
  const { database, queue } = dependencies;
  const orderIds = [...new Set(requests.map((request) => request.orderId))];
  const traceParents = new Map(requests.map((request) => [request.orderId, request.traceParent ?? null]));
  const { exhaustedAccounts, consumed } = await database.transaction(async (transaction): Promise<{ exhaustedAccounts: Set<string>; consumed: number }> => {
    // The orders (locked, in id order so concurrent batches never deadlock), whether their question
    // exists already, and the status of their store's number, at once.
    const candidates = await transaction.query<Candidate>(
      `select ${OUTBOUND_ORDER_COLUMNS},
         exists (select 1 from messages m where m.order_id = o.id and m.kind = 'confirmation') as has_confirmation,
         n.status as number_status, coalesce(n.first_contact_paused_until > now(), false) as is_first_contact_paused
       from orders o left join stores s on s.id = o.store_id left join whatsapp_numbers n on n.id = s.whatsapp_number_id
       where o.id = any($1::text[])
       order by o.id
       for update of o`,
      [orderIds],
      { isPrepared: true },
    );
    const eligible = candidates.filter((order) => order.status === 'queued' && !order.has_confirmation);
    const stores = await findStoresForWebhook(transaction, [...new Set(eligible.map((order) => order.store_id))]);
    // Credits are taken account by account in one order, so two batches lock accounts alike.
    const toQueue: { order: Candidate; store: Store }[] = [];
    for (const order of eligible.sort((left, right) => left.account_id.localeCompare(right.account_id) || left.id.localeCompare(right.id))) {
      const store = stores.get(order.store_id);
      if (!store) continue;
      const numberProblem = readNumberProblem(store.whatsappNumberId, order.number_status);
      if (numberProblem) {
        await transitionOrder(transaction, { orderId: order.id, status: 'failed', cause: numberProblem, failureReason: numberProblem });
        continue;
      }
      // WhatsApp keeps the number from writing first (463, reach-out timelock; number-pause.ts):
      // no question from it and no credit for one; the Cloud fallback asks instead, or the order
      // waits for the customer's link.
      if (order.is_first_contact_paused && store.whatsappNumberId) {
        if (await sendThroughCloudFallback(transaction, order.id, store.whatsappNumberId)) continue;
        await transitionOrder(transaction, { orderId: order.id, status: 'failed', cause: 'reach_out_restricted', failureReason: 'reach_out_restricted' });
        continue;
      }
      toQueue.push({ order, store });
    }
    const messageIds = await queueOutboundMessages(
      transaction,
      toQueue.map(({ order, store }) => ({ order, store, kind: 'confirmation', traceParent: traceParents.get(order.id) ?? null })),
    );
    const exhausted = new Set<string>();
    const queued: typeof toQueue = [];
    for (const [index, entry] of toQueue.entries()) {
      if (messageIds[index]) {
        queued.push(entry);
        continue;
      }
      await transitionOrder(transaction, { orderId: entry.order.id, status: 'failed', cause: 'no_credits', failureReason: 'no_credits' });
      exhausted.add(entry.order.account_id);
    }
    await scheduleManyFollowUps(
      transaction,
      queue,
      queued.map(({ order, store }) => ({
        orderId: order.id,
        accountId: store.accountId,
        storeId: store.id,
        settings: store.settings,
        timezone: store.timezone,
        traceParent: traceParents.get(order.id) ?? null,
      })),
    );

    return { exhaustedAccounts: exhausted, consumed: queued.length };
  });
  // Counted once committed: a rolled-back batch took nothing.
  if (consumed > 0) dependencies.metrics?.creditsConsumed.inc(consumed);
  for (const accountId of exhaustedAccounts) {
    await queue.enqueue(notifyMerchantJob, { accountId, kind: 'credits_exhausted' }, { dedupeKey: `credits_exhausted:${accountId}` });
  }
};

/**
 * Group commit for confirmation jobs (GroupCommit): the jobs that wait in the same turn of the
 * event loop (a fetched batch, and any other) are prepared by one `prepareConfirmations` call. Each
 * job settles on its own: when a batch fails, its orders are prepared again one at a time, and only
 * the one that fails again fails its job (and is retried by the queue).
 */
export class ConfirmationBatcher {
  private readonly batches: GroupCommit<SendRequest, undefined>;

  constructor(dependencies: SendDependencies) {
    this.batches = new GroupCommit({
      commit: async (requests) => {
        await prepareConfirmations(dependencies, requests);

        return requests.map(() => undefined);
      },
      maxBatchSize: MAX_BATCH_SIZE,
      maxWait: 'turn',
      // Every batch of a turn is prepared at once: their jobs are already running.
      maxConcurrentBatches: Number.POSITIVE_INFINITY,
      retryAlone: {
        onRetry: (error, size) => dependencies.logger.warn({ err: error, orders: size }, 'a batch of confirmations failed; preparing them one by one'),
      },
    });
  }

  prepare(request: SendRequest): Promise<void> {
    return this.batches.submit(request);
  }
}

// One batcher per database handle (one per process; tests open many).
const batchers = new WeakMap<Database, ConfirmationBatcher>();

const batcherFor = (services: SendDependencies): ConfirmationBatcher => {
  let batcher = batchers.get(services.database);
  if (!batcher) {
    batcher = new ConfirmationBatcher({ database: services.database, queue: services.queue, logger: services.logger.child({ component: 'confirmations' }), metrics: services.metrics });
    batchers.set(services.database, batcher);
  }

  return batcher;
};

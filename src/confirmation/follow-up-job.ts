import { z } from 'zod';
import type { Transaction } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { AWAITING_REPLY_STATUSES, transitionOrder } from '../orders/order-status.ts';
import { defineJob } from '../services.ts';
import type { StoreSettings } from '../stores/store-settings.ts';
import { findStoreForWebhook } from '../stores/stores.ts';
import { OUTBOUND_ORDER_SELECT, queueOutboundMessage, type OutboundOrder } from './outbound-messages.ts';
import { nextAllowedSendTime } from './schedule.ts';
import { writeBackJob } from './write-back-job.ts';

/**
 * What happens while a customer does not answer: up to `reminders.count` reminders, each
 * `afterMinutes` after the previous message (moved out of quiet hours), then the order ends as
 * `no_response` — or, when the store enables auto-cancel, as `cancelled` after that many minutes.
 */
export const followUpJob = defineJob({
  name: 'confirmation.follow-up',
  schema: z.object({
    orderId: z.string(),
    accountId: z.string(),
    storeId: z.string(),
    /** 1..count sends reminder N; count + 1 closes the order; `auto_cancel` cancels it. */
    step: z.union([z.number().int().min(1), z.literal('auto_cancel')]),
  }),
  retry: { limit: 5, delaySeconds: 5, backoff: true, maximumDelaySeconds: 600 },
  policy: 'stately',
  // Database work only: a reminder is prepared, or the order closed.
  expireInSeconds: 60,
  heartbeatSeconds: 10,
  handle: async ({ orderId, storeId, accountId, step }, { services }) => {
    const { database, queue } = services;
    await database.transaction(async (transaction) => {
      const [order] = await transaction.query<OutboundOrder>(`${OUTBOUND_ORDER_SELECT} where o.id = $1 for update of o`, [orderId]);
      const store = await findStoreForWebhook(transaction, storeId);
      if (!order || !store) return;
      // Still being sent (pacing, quiet hours) counts as awaiting: the clock started at queueing.
      const isAwaiting = order.status === 'queued' || AWAITING_REPLY_STATUSES.includes(order.status);
      if (!isAwaiting) return;
      if (step === 'auto_cancel') {
        if (await transitionOrder(transaction, { orderId, status: 'cancelled', cause: 'auto_cancel' })) {
          await queue.enqueue(writeBackJob, { orderId, accountId, storeId }, { transaction, dedupeKey: `write-back:${orderId}` });
        }

        return;
      }
      const { reminders } = store.settings;
      if (step <= reminders.count) {
        await queueOutboundMessage(transaction, { order, store, kind: 'reminder' });
        const next = nextAllowedSendTime({ now: new Date(), orderReceivedAt: new Date(), sendDelayMinutes: reminders.afterMinutes, quietHours: store.settings.quietHours, timezone: store.timezone });
        await queue.enqueue(followUpJob, { orderId, accountId, storeId, step: step + 1 }, { transaction, dedupeKey: `follow-up:${orderId}:${step + 1}`, startAfter: next });

        return;
      }
      if (store.settings.autoCancelAfterMinutes === null) await transitionOrder(transaction, { orderId, status: 'no_response', cause: 'no_reply' });
    });
  },
});

type FollowUpOptions = {
  orderId: string;
  accountId: string;
  storeId: string;
  settings: StoreSettings;
  timezone: string;
  /** The trace the follow-ups continue (the send job's); default: the active span. */
  traceParent?: string | null;
};

type PlannedFollowUp = { payload: z.infer<typeof followUpJob.schema>; dedupeKey: string; startAfter: Date; traceParent: string | null };

/** The first follow-up of a queued confirmation (and the auto-cancel deadline), as jobs to enqueue. */
const planFollowUps = (options: FollowUpOptions, now: Date): PlannedFollowUp[] => {
  const { orderId, accountId, storeId, settings } = options;
  const afterMinutes = settings.reminders.afterMinutes;
  // Step 1 sends the first reminder, or, with no reminders, closes the order as no_response.
  const firstAt =
    settings.reminders.count > 0
      ? nextAllowedSendTime({ now, orderReceivedAt: now, sendDelayMinutes: afterMinutes, quietHours: settings.quietHours, timezone: options.timezone })
      : new Date(now.getTime() + afterMinutes * 60_000);
  const traceParent = options.traceParent ?? null;
  const jobs: PlannedFollowUp[] = [{ payload: { orderId, accountId, storeId, step: 1 }, dedupeKey: `follow-up:${orderId}:1`, startAfter: firstAt, traceParent }];
  if (settings.autoCancelAfterMinutes !== null) {
    jobs.push({
      payload: { orderId, accountId, storeId, step: 'auto_cancel' },
      dedupeKey: `follow-up:${orderId}:auto_cancel`,
      startAfter: new Date(now.getTime() + settings.autoCancelAfterMinutes * 60_000),
      traceParent,
    });
  }

  return jobs;
};

/** Plans the first follow-up (and the auto-cancel deadline) when the confirmation is queued. */
export const scheduleFollowUps = async (transaction: Transaction, queue: JobQueue, options: FollowUpOptions): Promise<void> => {
  for (const job of planFollowUps(options, new Date())) {
    await queue.enqueue(followUpJob, job.payload, { transaction, dedupeKey: job.dedupeKey, startAfter: job.startAfter });
  }
};

/** `scheduleFollowUps` for many orders, in one statement. */
export const scheduleManyFollowUps = async (transaction: Transaction, queue: JobQueue, orders: readonly FollowUpOptions[]): Promise<void> => {
  const now = new Date();
  await queue.enqueueMany(
    followUpJob,
    orders.flatMap((options) => planFollowUps(options, now)),
    { transaction },
  );
};

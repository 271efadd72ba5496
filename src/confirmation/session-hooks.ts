import { refundCredit } from '../billing/credits.ts';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { notifyMerchantJob } from '../notifications/notify-merchant-job.ts';
import { transitionOrder } from '../orders/order-status.ts';
import type { SessionManagerHooks } from '../whatsapp/session-manager.ts';
import { sendThroughCloudFallback } from './cloud-fallback.ts';
import { handleInboundMessage } from './handle-inbound.ts';

/** How the WhatsApp layer hands events to the confirmation flow. */
export const createConfirmationHooks = (dependencies: { database: Database; queue: JobQueue; logger: Logger }): SessionManagerHooks => ({
  onInbound: async (context, message) => {
    const outcome = await handleInboundMessage(dependencies, context, message);
    dependencies.logger.info({ numberId: context.numberId, outcome }, 'inbound message handled');
  },
  onSendFailed: async (message, reason) => {
    await dependencies.database.transaction(async (transaction) => {
      // The message never reached the customer: its credit goes back.
      await refundCredit(transaction, { accountId: message.accountId, messageId: message.id, reason: `not delivered: ${reason}` });
      if (!message.orderId || message.kind !== 'confirmation') return;
      if (reason === 'reach_out_restricted' && (await sendThroughCloudFallback(transaction, message.orderId, message.numberId))) return;
      await transitionOrder(transaction, { orderId: message.orderId, status: 'failed', cause: reason, failureReason: reason });
    });
  },
  onNumberAlert: async (context, kind) => {
    await dependencies.queue.enqueue(
      notifyMerchantJob,
      { accountId: context.accountId, kind: `number_${kind}`, numberId: context.numberId },
      { dedupeKey: `number-alert:${context.numberId}:${kind}` },
    );
  },
});

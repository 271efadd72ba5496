import type { Keyring } from '../crypto/envelope.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';

export type PurgeOptions = {
  database: Database;
  keyring: Keyring;
  /** pg-boss's schema (its job table is purged too). */
  jobSchema: string;
  logger: Logger;
  /** Stands for "now": rows received more than 12 months before it are deleted. */
  asOf: Date;
  dryRun: boolean;
  /** Message text older than this many days (before asOf) is blanked. */
  messageTextDays: number;
  /** Orders deleted per transaction: small batches never hold up ingest for long. */
  batchSize?: number;
  /** After each batch the purge pauses this many times as long as the batch took (0: no pause). */
  pauseFactor?: number;
};

/**
 * The purge works a fifth of the time and leaves the rest to ingest; a backlog still goes fast
 * (bench/purge.ts: 25,000 orders with their messages and events in 7 s at this pace).
 */
export const DEFAULT_PAUSE_FACTOR = 4;

const KEY_ERASURE_CHUNK = 500;

/**
 * Stripe event ids are kept to apply each event once. Stripe retries a delivery for up to 3 days
 * and can resend events of the last 30 days; 90 days leaves a wide margin, and the table no longer
 * grows for ever.
 */
export const STRIPE_EVENT_RETENTION_DAYS = 90;

export type PurgeResult = {
  asOf: string;
  dryRun: boolean;
  deleted: { orders: number; messages: number; events: number; jobs: number; stripeEvents: number };
  blanked: { messages: number };
};

/** 12 calendar months before `asOf` (DESIGN.md §1: purged 12 months after creation). */
export const retentionCutoff = (asOf: Date): Date => {
  const cutoff = new Date(asOf);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - 1);

  return cutoff;
};

/**
 * The retention job (DESIGN.md §5.1 `akked purge`): deletes orders with their messages and events,
 * and job rows, received more than 12 months before `asOf`; then the linked devices' session keys
 * of customers left with no younger order; then blanks message text older than the troubleshooting
 * window. Ingestion time counts, not the platform's order date.
 */
export const purge = async (options: PurgeOptions): Promise<PurgeResult> => {
  const { database, asOf, dryRun } = options;
  // Loaded here, not at start: every role registers this job, and only a worker runs it.
  const { deleteAuthKeysForContacts } = await import('../whatsapp/linked/auth-state-store.ts');
  const cutoff = retentionCutoff(asOf);
  const textCutoff = new Date(asOf.getTime() - options.messageTextDays * 86_400_000);
  const batchSize = options.batchSize ?? 500;
  const stripeEventCutoff = new Date(asOf.getTime() - STRIPE_EVENT_RETENTION_DAYS * 86_400_000);
  const deleted = { orders: 0, messages: 0, events: 0, jobs: 0, stripeEvents: 0 };
  const [queueTable] = await database.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [`${options.jobSchema}.job`]);
  const jobTable = queueTable?.exists ? `${options.jobSchema}.job` : null;

  if (dryRun) {
    // Whole-table counts: only a dry run pays for them; a real run counts what it deletes.
    const [counts] = await database.query<{ orders: string; messages: string; events: string; jobs: string; stripe_events: string; blank: string }>(
      `select (select count(*) from orders where created_at < $1) as orders,
              (select count(*) from messages where created_at < $1 or order_id in (select id from orders where created_at < $1)) as messages,
              (select count(*) from order_events where at < $1 or order_id in (select id from orders where created_at < $1)) as events,
              ${jobTable ? `(select count(*) from ${jobTable} where created_on < $1)` : '0'} as jobs,
              (select count(*) from stripe_events where received_at < $3) as stripe_events,
              (select count(*) from messages where created_at < $2 and created_at >= $1 and text is not null and text <> '') as blank`,
      [cutoff, textCutoff, stripeEventCutoff],
    );

    return {
      asOf: asOf.toISOString(),
      dryRun,
      deleted: {
        orders: Number(counts?.orders),
        messages: Number(counts?.messages),
        events: Number(counts?.events),
        jobs: Number(counts?.jobs),
        stripeEvents: Number(counts?.stripe_events),
      },
      blanked: { messages: Number(counts?.blank) },
    };
  }

  const affectedCustomers = new Map<string, Set<string>>();
  for (;;) {
    const batchStartedAt = performance.now();
    const batch = await database.transaction(async (transaction) => {
      const orders = await transaction.query<{ id: string; account_id: string; customer_phone: string | null }>(
        'select id, account_id, customer_phone from orders where created_at < $1 order by created_at limit $2 for update skip locked',
        [cutoff, batchSize],
      );
      if (orders.length === 0) return 0;
      const ids = orders.map((order) => order.id);
      const [removed] = await transaction.query<{ messages: string; events: string }>(
        `with m as (delete from messages where order_id = any($1::text[]) returning 1),
              e as (delete from order_events where order_id = any($1::text[]) returning 1)
         select (select count(*) from m) as messages, (select count(*) from e) as events`,
        [ids],
      );
      await transaction.query('delete from orders where id = any($1::text[])', [ids]);
      deleted.orders += orders.length;
      deleted.messages += Number(removed?.messages ?? 0);
      deleted.events += Number(removed?.events ?? 0);
      for (const order of orders) {
        if (!order.customer_phone) continue;
        const phones = affectedCustomers.get(order.account_id) ?? new Set<string>();
        phones.add(order.customer_phone);
        affectedCustomers.set(order.account_id, phones);
      }

      return orders.length;
    });
    if (batch < batchSize) break;
    const pauseMs = (performance.now() - batchStartedAt) * (options.pauseFactor ?? DEFAULT_PAUSE_FACTOR);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  // Stray rows not tied to a purged order (none are written today; kept for safety).
  const strayMessages = await database.query('delete from messages where created_at < $1 returning 1', [cutoff]);
  const strayEvents = await database.query('delete from order_events where at < $1 returning 1', [cutoff]);
  deleted.messages += strayMessages.length;
  deleted.events += strayEvents.length;
  if (jobTable) deleted.jobs = (await database.query(`delete from ${jobTable} where created_on < $1 returning 1`, [cutoff])).length;
  deleted.stripeEvents = (await database.query('delete from stripe_events where received_at < $1 returning 1', [stripeEventCutoff])).length;

  // A customer with no younger order left: their WhatsApp session keys and LID mappings go too.
  for (const [accountId, phones] of affectedCustomers) {
    const stillCustomers = await database.query<{ customer_phone: string }>(
      'select distinct customer_phone from orders where account_id = $1 and customer_phone = any($2::text[])',
      [accountId, [...phones]],
    );
    const remaining = new Set(stillCustomers.map((row) => row.customer_phone));
    // Only numbers holding keys (linked devices): each erasure call reads all of a number's mappings.
    const numbers = await database.query<{ id: string }>(
      'select id from whatsapp_numbers n where account_id = $1 and exists (select 1 from whatsapp_auth_keys k where k.number_id = n.id)',
      [accountId],
    );
    const gone = [...phones].filter((phone) => !remaining.has(phone));
    // A number's mappings are decrypted once per chunk of customers; chunks keep each transaction short.
    for (let start = 0; start < gone.length; start += KEY_ERASURE_CHUNK) {
      const chunk = gone.slice(start, start + KEY_ERASURE_CHUNK);
      for (const number of numbers) await deleteAuthKeysForContacts(database, number.id, chunk, options.keyring);
    }
  }

  // One scan of the messages table; without parallel workers, so it takes one core, not all of them.
  const blanked = await database.transaction(async (transaction) => {
    await transaction.query('set local max_parallel_workers_per_gather = 0');

    return transaction.query("update messages set text = '' where created_at < $1 and text is not null and text <> '' returning 1", [textCutoff]);
  });
  const result = { asOf: asOf.toISOString(), dryRun, deleted, blanked: { messages: blanked.length } };
  options.logger.info(result, 'retention purge finished');

  return result;
};

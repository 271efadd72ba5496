import { randomBytes } from 'node:crypto';
import { grantCredits } from '../src/billing/credits.ts';
import { loadKeyring } from '../src/crypto/master-key.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { newId } from '../src/ids.ts';
import { createStore } from '../src/stores/stores.ts';
import { setNumberStatus } from '../src/whatsapp/number-status.ts';
import { createNumber } from '../src/whatsapp/numbers.ts';
import { startSimulator } from '../src/whatsapp/simulator/simulator-server.ts';
import { createBenchDatabase } from './support/bench-database.ts';
import { createBenchConfig, describeLoggedProblems, startBenchRuntime } from './support/bench-runtime.ts';
import { Cleanup, createSeededRandom, round, sleep, summarizeLatencies, type Benchmark, type Cell, type LatencySummary } from './support/benchmark.ts';
import { runLoad, summarizeLoad, type LoadTarget } from './support/load-generator.ts';
import { countQueries, markUsage, measureUsageSince } from './support/process-usage.ts';
import { buildShopifyOrderTemplate } from './support/shopify-order-template.ts';

/**
 * Issue: "webhook → sent latency p50/p99 at 100 orders/s spread over 1,000 stores through the
 * simulator (pacing off for the benchmark), with the rate and the figures printed. Targets:
 * p50 ≤ 100 ms, p99 ≤ 500 ms."
 *
 * 1,000 accounts, each with one Shopify store and its own simulator WhatsApp number (1 number per
 * store), are created with the same functions the API uses (createNumber, createStore, the credit
 * ledger), straight on the database because 1,000 sign-ups through HTTP would take minutes. The
 * numbers start hibernated, as idle numbers are in production: a store's first order wakes its
 * number. Then `serve` (api + worker, AKKED_SEND_GAP_SECONDS=0) runs in this process with the
 * simulated network, and a load generator thread sends signed orders/create webhooks at 100/s for
 * 20 s to stores drawn at random. Latency runs from when a webhook was due to the `sent_at` the
 * worker records when the network acknowledged the confirmation message.
 */
const STORES = 1_000;
const RATE_PER_SECOND = 100;
const DURATION_MS = 20_000;
const SEED_CONCURRENCY = 10;
const CREDITS_PER_ACCOUNT = 100;
const SETTLE_TIMEOUT_MS = 30_000;
const ORDER_ID_BASE = 8_000_000_000_000_000_000n;

type SeededStore = { storeId: string; secret: string; numberId: string };

const seedStores = async (database: Database, keyring: Awaited<ReturnType<typeof loadKeyring>>, publicUrl: string): Promise<SeededStore[]> => {
  const stores: SeededStore[] = new Array<SeededStore>(STORES);
  let next = 0;
  const seedOne = async (index: number): Promise<void> => {
    const accountId = newId('account');
    await database.transaction(async (transaction) => {
      await transaction.query('insert into accounts (id, name) values ($1, $2)', [accountId, `Bench merchant ${index}`]);
      await grantCredits(transaction, { accountId, kind: 'adjustment', credits: CREDITS_PER_ACCOUNT, reason: 'benchmark seed', reference: 'bench-seed' });
    });
    const number = await createNumber({ database, keyring, publicUrl, isSimulatorEnabled: true, sessions: null }, accountId, {
      provider: 'simulator',
      phone: `+1555030${String(index).padStart(4, '0')}`,
    });
    // As after a day without orders: linked long ago (no warm-up caps), hibernated until its daily wake.
    await database.transaction(async (transaction) => {
      await transaction.query("update whatsapp_numbers set linked_at = now() - interval '30 days', wake_at = now() + interval '20 hours' where id = $1", [number.id]);
      await setNumberStatus(transaction, number.id, 'hibernated', null);
    });
    const secret = `shopify-bench-secret-${randomBytes(8).toString('hex')}`;
    const store = await createStore({ database, keyring, publicUrl }, accountId, {
      name: `متجر ${index}`,
      platform: 'shopify',
      whatsappNumberId: number.id,
      defaultCountry: 'SA',
      timezone: 'Asia/Riyadh',
      language: 'ar',
      webhookSecret: secret,
    });
    stores[index] = { storeId: store.id, secret, numberId: number.id };
  };
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (next < STORES) await seedOne(next++);
    }),
  );

  return stores;
};

type OrderRow = { external_id: string; number_id: string; status: string; failure_reason: string | null; sent_at: Date | null; message_status: string | null };

const formatSummary = (summary: LatencySummary): Cell[] => [summary.count, summary.p50, summary.p95, summary.p99, summary.max];

export const benchmark: Benchmark = {
  name: 'flow',
  title: 'webhook → sent latency through the simulator, 1,000 stores',
  run: async () => {
    const cleanup = new Cleanup();
    try {
      const benchDatabase = await createBenchDatabase();
      cleanup.add('drop the bench database', () => benchDatabase.drop());
      const simulator = await startSimulator({ port: 0, host: '127.0.0.1', deliveredAfterMs: 20, readAfterMs: 50, maxMessagesPerPhone: 20 });
      cleanup.add('close the simulator', () => simulator.close());
      const benchConfig = await createBenchConfig(benchDatabase.url, { AKKED_WHATSAPP_SIMULATOR_URL: simulator.url });
      const { config } = benchConfig;

      const seedStartedAt = performance.now();
      const seedDatabase = await openDatabase({ databaseUrl: benchDatabase.url, dataDirectory: '/nonexistent', poolSize: SEED_CONCURRENCY });
      let stores: SeededStore[];
      try {
        await migrate(seedDatabase);
        stores = await seedStores(seedDatabase, await loadKeyring(config), config.publicUrl);
      } finally {
        await seedDatabase.close();
      }
      const seedMs = performance.now() - seedStartedAt;

      countQueries();
      const bench = await startBenchRuntime(benchConfig);
      cleanup.add('stop the runtime', () => bench.stop());
      const { database } = bench.runtime.services;
      const template = buildShopifyOrderTemplate();
      const targets: LoadTarget[] = stores.map((store) => ({ storeId: store.storeId, secret: store.secret }));
      const random = createSeededRandom(42);
      const requestCount = Math.round((RATE_PER_SECOND * DURATION_MS) / 1000);
      const targetOrder = Array.from({ length: requestCount }, () => Math.floor(random() * STORES));

      const mark = markUsage();
      const result = await runLoad({
        baseUrl: bench.url,
        template,
        targets,
        targetOrder,
        orderIdBase: ORDER_ID_BASE,
        firstOrderIndex: 0,
        pace: { kind: 'open', ratePerSecond: RATE_PER_SECOND },
        durationMs: DURATION_MS,
        maxRequests: requestCount,
        deadlineMs: DURATION_MS + 20_000,
        maxSockets: 64,
      });
      const duringLoad = measureUsageSince(mark);
      const liveAtEndOfLoad = bench.runtime.services.sessions?.liveNumberIds.length ?? 0;
      const http = summarizeLoad(result);

      // Let the last orders through the worker and the network.
      const settleStartedAt = Date.now();
      let unsettled = 0;
      for (;;) {
        const [row] = await database.query<{ waiting: string }>(
          `select count(*) as waiting from orders o left join messages m on m.order_id = o.id and m.kind = 'confirmation'
           where o.status in ('received', 'queued') or m.status in ('queued', 'sending')`,
        );
        unsettled = Number(row?.waiting ?? 0);
        if (unsettled === 0 || Date.now() - settleStartedAt > SETTLE_TIMEOUT_MS) break;
        await sleep(250);
      }

      const rows = await database.query<OrderRow>(
        `select o.external_id, s.whatsapp_number_id as number_id, o.status, o.failure_reason, m.sent_at, m.status as message_status
         from orders o join stores s on s.id = o.store_id
         left join messages m on m.order_id = o.id and m.kind = 'confirmation'`,
      );
      const firstConnections = await database.query<{ number_id: string; connected_at: Date }>(
        "select number_id, min(at) as connected_at from whatsapp_number_events where status = 'connected' group by number_id",
      );
      const connectedAt = new Map(firstConnections.map((row) => [row.number_id, row.connected_at.getTime()]));
      const byOrderId = new Map(rows.map((row) => [row.external_id, row]));
      const all: number[] = [];
      const onConnected: number[] = [];
      const onHibernated: number[] = [];
      const notSent = new Map<string, number>();
      for (const sample of result.samples) {
        const row = byOrderId.get(sample.orderId);
        if (!row?.sent_at) {
          const why = row ? `${row.status}${row.failure_reason ? `/${row.failure_reason}` : ''}${row.message_status ? ` (message ${row.message_status})` : ''}` : `not stored (HTTP ${sample.status})`;
          notSent.set(why, (notSent.get(why) ?? 0) + 1);
          continue;
        }
        const latency = row.sent_at.getTime() - sample.dueAt;
        all.push(latency);
        const numberConnectedAt = connectedAt.get(row.number_id);
        if (numberConnectedAt !== undefined && numberConnectedAt <= sample.dueAt) onConnected.push(latency);
        else onHibernated.push(latency);
      }
      const overall = summarizeLatencies(all);
      const connected = summarizeLatencies(onConnected);
      const woken = summarizeLatencies(onHibernated);
      const httpLatency = summarizeLatencies(http.latencies);
      const storesHit = new Set(targetOrder).size;
      const problems = await bench.readLoggedProblems();
      const memory = process.memoryUsage();
      const offeredRate = requestCount / (DURATION_MS / 1000);

      return {
        figures: {
          stores: STORES,
          numbers: STORES,
          offered_per_second: offeredRate,
          webhooks_sent: http.sent,
          webhooks_accepted: http.accepted,
          confirmations_sent: all.length,
          not_sent: result.samples.length - all.length,
          sent_p50_ms: round(overall.p50),
          sent_p95_ms: round(overall.p95),
          sent_p99_ms: round(overall.p99),
          sent_max_ms: round(overall.max),
          sent_p50_ms_number_connected: round(connected.p50),
          sent_p99_ms_number_connected: round(connected.p99),
          sent_p50_ms_number_hibernated: round(woken.p50),
          sent_p99_ms_number_hibernated: round(woken.p99),
          webhook_answer_p50_ms: round(httpLatency.p50),
          webhook_answer_p99_ms: round(httpLatency.p99),
          live_sessions_at_end: liveAtEndOfLoad,
          event_loop_busy: round(duringLoad.eventLoopUtilization * 100) / 100,
          sql_per_order: round(duringLoad.queries / Math.max(1, http.accepted)),
        },
        tables: [
          {
            title: `${http.sent.toLocaleString('en-US')} signed webhooks at ${offeredRate}/s for ${DURATION_MS / 1000} s over ${storesHit} of ${STORES} stores (1 simulator number each, all hibernated at the start)`,
            columns: ['latency (ms)', 'orders', 'p50', 'p95', 'p99', 'max'],
            rows: [
              ['webhook due → confirmation sent (all)', ...formatSummary(overall)],
              ['  … its number was already connected', ...formatSummary(connected)],
              ['  … its number was hibernated (woken by it)', ...formatSummary(woken)],
              ['webhook due → HTTP 200', ...formatSummary(httpLatency)],
            ],
          },
          {
            title: 'Run',
            columns: ['figure', 'value'],
            rows: [
              ['webhooks accepted / sent', `${http.accepted} / ${http.sent}`],
              ['confirmations sent', all.length],
              ['orders without a sent confirmation', result.samples.length - all.length],
              ['live WhatsApp sessions at the end of the load', liveAtEndOfLoad],
              ['Akked event loop busy during the load', `${Math.round(duringLoad.eventLoopUtilization * 100)}%`],
              ['SQL statements per order (all clients, during the load)', duringLoad.queries / Math.max(1, http.accepted)],
              ['process CPU during the load (s)', duringLoad.cpuMs / 1000],
              ['process RSS at the end (MB)', memory.rss / 1_048_576],
              ['seeding 1,000 accounts + numbers + stores (s)', seedMs / 1000],
            ],
          },
        ],
        targets: [
          { name: 'webhook → sent p50', target: '≤ 100 ms', measured: `${round(overall.p50)} ms`, met: overall.count > 0 ? overall.p50 <= 100 : null },
          { name: 'webhook → sent p99', target: '≤ 500 ms', measured: `${round(overall.p99)} ms`, met: overall.count > 0 ? overall.p99 <= 500 : null },
        ],
        notes: [
          `PostgreSQL ${benchDatabase.serverVersion} at ${benchDatabase.serverUrl} (fresh database ${benchDatabase.name}, dropped afterwards); simulator in this process (delivered after 20 ms, read after 50 ms); AKKED_SEND_GAP_SECONDS=0 (pacing, warm-up and daily caps off)`,
          `Akked: api + worker in one process with the default session manager (ticks every 2 s, ≤ 25 new sessions per tick), pool of ${config.AKKED_DATABASE_POOL_SIZE}, AKKED_WORKER_CONCURRENCY=${config.AKKED_WORKER_CONCURRENCY}, LOG_LEVEL=warn`,
          'the 1,000 accounts, numbers and stores are real rows made by createNumber/createStore and the credit ledger (no users: nobody signs in to them)',
          'sent = messages.sent_at, recorded by the worker when the simulated network acknowledged the message; "already connected" means the number\'s first connection happened before the webhook was due',
          ...(notSent.size > 0 ? [`not sent: ${[...notSent.entries()].map(([why, count]) => `${count}× ${why}`).join(', ')}${unsettled > 0 ? ` (${unsettled} still unsettled ${SETTLE_TIMEOUT_MS / 1000} s after the load)` : ''}`] : []),
          describeLoggedProblems(problems),
        ],
      };
    } finally {
      await cleanup.run();
    }
  },
};

import { cpus } from 'node:os';
import { createBenchDatabase } from './support/bench-database.ts';
import { createBenchConfig, describeLoggedProblems, startBenchRuntime, type BenchRuntime } from './support/bench-runtime.ts';
import { Cleanup, round, sleep, summarizeLatencies, type Benchmark, type Cell, type TargetCheck } from './support/benchmark.ts';
import { runLoad, summarizeLoad, type LoadPace, type LoadTarget } from './support/load-generator.ts';
import { createCloudNumber, createShopifyStore, signUpMerchant } from './support/merchant.ts';
import { findPgbench, runPgbenchSingleRowInsert, type PgbenchResult } from './support/pgbench.ts';
import { markPostgresUsage, measurePostgresUsageSince } from './support/postgres-usage.ts';
import { countQueries, describeCores, markUsage, measureUsageSince, type UsageSince } from './support/process-usage.ts';
import { buildShopifyOrderTemplate } from './support/shopify-order-template.ts';

/**
 * Issue: "signed Shopify webhooks at increasing rates against real PostgreSQL, printing accepted
 * webhooks/s and p50/p99 latency next to pgbench's single-row insert transactions/s on the same
 * database in the same run. Target: ≥ 0.5 × the pgbench figure, p99 ≤ 25 ms at half of it."
 *
 * First pgbench measures the database's single-row-insert ceiling with as many connections as
 * Akked's pool. Then the api role (`akked api`: HTTP, webhooks, no job workers) runs in this
 * process on the same database, listening on 127.0.0.1, and a load generator in a worker thread
 * sends unique signed orders/create webhooks for one Shopify store (made through the real sign-up
 * and API, with a Cloud API number so every order is queued for confirmation) over keep-alive
 * connections, as HTTP/1.1 written on raw sockets (a client that costs little CPU): open-loop
 * steps at fixed rates (including half the pgbench figure), then a closed loop at full speed.
 * "Accepted" is a 200 `accepted` answer, sent only after the order, its two
 * timeline events and its `confirmation.send` job were committed. Workers run in processes of
 * their own in production (scale-out); here none runs, so the jobs wait in the queue and the
 * figures are the api's alone (the job's own cost is in the flow benchmark). At the end every
 * stored order must have exactly one queued job (a correctness figure).
 */
const OPEN_LOOP_RATES = [100, 200, 400, 800, 1_600, 3_200];
const STEP_DURATION_MS = 5_000;
const STEP_MAX_REQUESTS = 10_000;
const STEP_DEADLINE_MS = 20_000;
const CLOSED_LOOP_CONNECTIONS = 64;
const OPEN_LOOP_MAX_SOCKETS = 256;
const PGBENCH_SECONDS = 10;
const ORDER_ID_BASE = 7_000_000_000_000_000_000n;

type Step = {
  label: string;
  offeredPerSecond: number | null;
  acceptedPerSecond: number;
  sent: number;
  accepted: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  unfinished: number;
  errorKinds: string;
  /** While the load ran. */
  duringLoad: UsageSince;
  /** CPU ms of the database's PostgreSQL backends while the load ran, or null. */
  postgresCpuMs: number | null;
  /** CPU ms of the load generator's thread while it sent, or null. */
  clientCpuMs: number | null;
};

/** Cores busy outside this benchmark (other processes on the shared machine) while a step ran. */
const coresOfOthers = (step: Step): number | null => {
  const { machineCores, cpuMs, elapsedMs } = step.duringLoad;
  if (machineCores === null || step.postgresCpuMs === null) return null;

  return Math.max(0, Math.round((machineCores - (cpuMs + step.postgresCpuMs) / elapsedMs) * 10) / 10);
};

const roundOrNull = (value: number | null): number | null => (value === null ? null : round(value));

/** µs per accepted webhook, or null. */
const perWebhook = (milliseconds: number | null, accepted: number): number | null => (milliseconds === null || accepted === 0 ? null : (milliseconds * 1000) / accepted);

/**
 * Nothing lost, nothing doubled: every stored order has exactly one queued confirmation job, and
 * there are at least as many orders as accepted webhooks (a request the load generator gave up on
 * at its deadline may still have been stored) and no more than were sent.
 */
const checkStoredOrders = async (bench: BenchRuntime, storeId: string, counts: { accepted: number; sent: number }): Promise<{ orders: number; jobs: number; isCorrect: boolean }> => {
  const database = bench.runtime.services.database;
  const [orders] = await database.query<{ count: string }>("select count(*) as count from orders where store_id = $1 and status = 'queued'", [storeId]);
  const [jobs] = await database.query<{ count: string; orders: string }>(
    `select count(*) as count, count(distinct data->>'orderId') as orders from ${bench.runtime.services.queue.schema}.job
     where name = 'confirmation.send' and state = 'created' and data->>'storeId' = $1`,
    [storeId],
  );
  const orderCount = Number(orders?.count ?? 0);
  const jobCount = Number(jobs?.count ?? 0);
  const isCorrect = jobCount === orderCount && Number(jobs?.orders ?? 0) === orderCount && orderCount >= counts.accepted && orderCount <= counts.sent;

  return { orders: orderCount, jobs: jobCount, isCorrect };
};

export const benchmark: Benchmark = {
  name: 'ingest',
  title: 'signed Shopify webhooks against real PostgreSQL, next to pgbench',
  run: async () => {
    const cleanup = new Cleanup();
    try {
      const benchDatabase = await createBenchDatabase();
      cleanup.add('drop the bench database', () => benchDatabase.drop());
      const benchConfig = await createBenchConfig(benchDatabase.url);
      const poolSize = benchConfig.config.AKKED_DATABASE_POOL_SIZE;
      const notes: string[] = [];

      let pgbench: PgbenchResult | null = null;
      if (findPgbench()) pgbench = await runPgbenchSingleRowInsert(benchDatabase.url, { clients: poolSize, threads: 2, seconds: PGBENCH_SECONDS });
      else notes.push('pgbench is not installed: no ceiling to compare with');

      countQueries();
      const bench = await startBenchRuntime(benchConfig, { api: true, worker: false });
      cleanup.add('stop the runtime', () => bench.stop());
      const database = bench.runtime.services.database;
      const merchant = await signUpMerchant(bench);
      const numberId = await createCloudNumber(bench, merchant);
      const store = await createShopifyStore(bench, merchant, { name: 'دار العود', whatsappNumberId: numberId });
      const targets: LoadTarget[] = [{ storeId: store.id, secret: store.webhookSecret }];
      const template = buildShopifyOrderTemplate();
      let nextOrderIndex = 0;
      let acceptedInAll = 0;
      let sentInAll = 0;
      const load = async (pace: LoadPace, maxRequests: number, durationMs: number, maxSockets: number) => {
        const postgresMark = await markPostgresUsage(database);
        const mark = markUsage();
        const result = await runLoad({
          baseUrl: bench.url,
          template,
          targets,
          orderIdBase: ORDER_ID_BASE,
          firstOrderIndex: nextOrderIndex,
          pace,
          durationMs,
          maxRequests,
          deadlineMs: STEP_DEADLINE_MS,
          maxSockets,
          // Node's HTTP client would take a third of the machine's CPU from the server it measures.
          client: 'socket',
        });
        nextOrderIndex += result.samples.length;
        const duringLoad = measureUsageSince(mark);
        const postgresCpuMs = await measurePostgresUsageSince(database, postgresMark);
        const summary = summarizeLoad(result);
        acceptedInAll += summary.accepted;
        sentInAll += summary.sent;
        // Lets autovacuum and the pools settle, so one step's backlog does not slow the next.
        await sleep(1_000);

        return { summary, duringLoad, postgresCpuMs, clientCpuMs: result.clientCpuMs ?? null };
      };

      // JIT, pools and prepared paths warm up; not reported.
      await load({ kind: 'closed', connections: 8 }, 1_000, 8_000, 8);

      const steps: Step[] = [];
      const record = (label: string, offeredPerSecond: number | null, measured: Awaited<ReturnType<typeof load>>) => {
        const { summary } = measured;
        const latency = summarizeLatencies(summary.latencies);
        steps.push({
          label,
          offeredPerSecond,
          acceptedPerSecond: summary.acceptedPerSecond,
          sent: summary.sent,
          accepted: summary.accepted,
          duringLoad: measured.duringLoad,
          postgresCpuMs: measured.postgresCpuMs,
          clientCpuMs: measured.clientCpuMs,
          p50: latency.p50,
          p95: latency.p95,
          p99: latency.p99,
          max: latency.max,
          errors: summary.errors,
          unfinished: summary.unfinished,
          errorKinds: [...summary.errorKinds.entries()].map(([kind, count]) => `${count}× ${kind}`).join(', '),
        });
      };

      const halfPgbench = pgbench ? Math.round(pgbench.transactionsPerSecond / 2) : null;
      const rates = [...new Set([...OPEN_LOOP_RATES, ...(halfPgbench ? [halfPgbench] : [])])].sort((left, right) => left - right);
      for (const rate of rates) {
        const measured = await load({ kind: 'open', ratePerSecond: rate }, STEP_MAX_REQUESTS, STEP_DURATION_MS, OPEN_LOOP_MAX_SOCKETS);
        const seconds = Math.min(STEP_DURATION_MS, (STEP_MAX_REQUESTS / rate) * 1000) / 1000;
        record(`${rate}/s for ${round(seconds)} s${rate === halfPgbench ? ' (½ pgbench)' : ''}`, rate, measured);
      }
      const closed = await load({ kind: 'closed', connections: CLOSED_LOOP_CONNECTIONS }, STEP_MAX_REQUESTS * 2, STEP_DURATION_MS, CLOSED_LOOP_CONNECTIONS);
      record(`max, ${CLOSED_LOOP_CONNECTIONS} connections (closed loop)`, null, closed);

      const stored = await checkStoredOrders(bench, store.id, { accepted: acceptedInAll, sent: sentInAll });
      const best = steps.reduce((top, step) => (step.acceptedPerSecond > top.acceptedPerSecond ? step : top), steps[0] as Step);
      const atHalf = halfPgbench ? steps.find((step) => step.offeredPerSecond === halfPgbench) : undefined;
      const ratio = pgbench ? best.acceptedPerSecond / pgbench.transactionsPerSecond : null;
      const problems = await bench.readLoggedProblems();

      const targetChecks: TargetCheck[] = [
        {
          name: 'accepted/s ≥ 0.5 × pgbench',
          target: pgbench ? `≥ ${round(pgbench.transactionsPerSecond / 2)}/s` : 'n/a',
          measured: `${round(best.acceptedPerSecond)}/s (${ratio === null ? 'n/a' : `${round(ratio * 100)}%`} of pgbench)`,
          met: ratio === null ? null : ratio >= 0.5,
        },
        {
          name: 'p99 at ½ pgbench rate',
          target: '≤ 25 ms',
          measured: atHalf ? `${round(atHalf.p99)} ms at ${atHalf.offeredPerSecond}/s offered, ${round(atHalf.acceptedPerSecond)}/s accepted` : 'n/a',
          met: atHalf ? atHalf.p99 <= 25 && atHalf.errors === 0 : null,
        },
      ];
      notes.push(
        `PostgreSQL ${benchDatabase.serverVersion} at ${benchDatabase.serverUrl} (fresh database ${benchDatabase.name}, dropped afterwards); ${cpus().length} CPUs shared by PostgreSQL, Akked and the load generator`,
        `Akked: the api role alone in this process (no job workers: jobs wait in the queue), pool of ${poolSize} connections, LOG_LEVEL=warn; pgbench used the same number of connections`,
        'accepted = a 200 `accepted` answer, sent after the order, its two events and its confirmation job were committed (new orders arriving within 2 ms, or while the previous batch commits, are written together, up to 64 per transaction)',
        'latency counts from when a request was due (open loop) or sent (closed loop) to the full answer; each open-loop step sends at most ' +
          `${STEP_MAX_REQUESTS.toLocaleString('en-US')} requests over at most ${STEP_DURATION_MS / 1000} s, requests unanswered ${STEP_DEADLINE_MS / 1000} s after the step start count as unfinished`,
        '"loop busy": event-loop utilisation of the Akked process while the load ran; "machine CPU": every process on the machine, PostgreSQL included (/proc/stat), "others": the part of it used by processes outside this benchmark; CPU µs per accepted webhook: "Akked" = the process\'s main thread (HTTP, verification, parsing, SQL client), "load gen" = the load generator\'s thread while it sent (rendering, signing, sockets), "PostgreSQL" = the backends connected to the bench database (not the WAL writer or checkpointer); "SQL/webhook": statements sent by every pg client of the process per accepted webhook',
        `${stored.orders.toLocaleString('en-US')} queued orders and ${stored.jobs.toLocaleString('en-US')} queued confirmation jobs stored for ${acceptedInAll.toLocaleString('en-US')} accepted of ${sentInAll.toLocaleString('en-US')} sent webhooks (warm-up included; an unfinished request may still have been stored): ${stored.isCorrect ? 'one job per order' : 'WRONG: orders and jobs do not match'}; ${describeLoggedProblems(problems)}`,
      );
      const rows: Cell[][] = steps.map((step) => [
        step.label,
        step.sent,
        step.acceptedPerSecond,
        step.p50,
        step.p95,
        step.p99,
        step.max,
        step.errors,
        `${Math.round(step.duringLoad.eventLoopUtilization * 100)}%`,
        describeCores(step.duringLoad.machineCores, step.duringLoad.machineCoreCount),
        coresOfOthers(step),
        perWebhook(step.duringLoad.mainThreadCpuMs, step.accepted),
        perWebhook(step.clientCpuMs, step.accepted),
        perWebhook(step.postgresCpuMs, step.accepted),
        step.accepted > 0 ? step.duringLoad.queries / step.accepted : null,
      ]);
      const errorNotes = steps.filter((step) => step.errorKinds).map((step) => `${step.label}: ${step.errorKinds}`);
      notes.push(...errorNotes);

      return {
        figures: {
          pgbench_single_row_insert_tps: pgbench ? round(pgbench.transactionsPerSecond) : null,
          pgbench_clients: pgbench?.clients ?? null,
          max_accepted_per_second: round(best.acceptedPerSecond),
          ratio_to_pgbench: ratio === null ? null : Math.round(ratio * 1000) / 1000,
          half_pgbench_rate_per_second: halfPgbench,
          p99_ms_at_half_pgbench: atHalf ? round(atHalf.p99) : null,
          ...Object.fromEntries(
            steps.flatMap((step) => {
              const key = step.offeredPerSecond === null ? 'closed_loop' : `open_${step.offeredPerSecond}`;

              return [
                [`${key}_accepted_per_second`, round(step.acceptedPerSecond)],
                [`${key}_p50_ms`, round(step.p50)],
                [`${key}_p99_ms`, round(step.p99)],
                [`${key}_errors`, step.errors],
                [`${key}_akked_cpu_us_per_webhook`, roundOrNull(perWebhook(step.duringLoad.mainThreadCpuMs, step.accepted))],
                [`${key}_postgres_cpu_us_per_webhook`, roundOrNull(perWebhook(step.postgresCpuMs, step.accepted))],
              ];
            }),
          ),
          accepted_webhooks: acceptedInAll,
          orders_stored: stored.orders,
          jobs_queued: stored.jobs,
        },
        tables: [
          ...(pgbench
            ? [
                {
                  title: `pgbench on the same database (${pgbench.command})`,
                  columns: ['figure', 'value'],
                  rows: [
                    ['single-row insert transactions/s', pgbench.transactionsPerSecond],
                    ['latency average (ms)', pgbench.latencyAverageMs],
                  ] as Cell[][],
                },
              ]
            : []),
          {
            title: 'Akked api: signed Shopify orders/create webhooks → 200 accepted (order, events and job committed)',
            columns: ['step', 'sent', 'accepted/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'loop busy', 'machine CPU cores', 'others', 'CPU µs: Akked', 'load gen', 'PostgreSQL', 'SQL/webhook'],
            rows,
          },
          {
            title: 'Against pgbench',
            columns: ['figure', 'value'],
            rows: [
              ['best accepted/s', best.acceptedPerSecond],
              ['pgbench single-row inserts/s', pgbench ? pgbench.transactionsPerSecond : null],
              ['ratio', ratio === null ? null : `${round(ratio * 100)}%`],
              ['p99 at ½ pgbench rate (ms)', atHalf ? atHalf.p99 : null],
            ],
          },
        ],
        targets: targetChecks,
        notes,
        isCorrect: stored.isCorrect,
      };
    } finally {
      await cleanup.run();
    }
  },
};

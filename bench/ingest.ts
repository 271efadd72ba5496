import { cpus } from 'node:os';
import { createBenchDatabase } from './support/bench-database.ts';
import { createBenchConfig, describeLoggedProblems, startBenchRuntime, type BenchRuntime } from './support/bench-runtime.ts';
import { Cleanup, round, sleep, summarizeLatencies, type Benchmark, type Cell, type TargetCheck } from './support/benchmark.ts';
import { runLoad, summarizeLoad, type LoadPace, type LoadTarget } from './support/load-generator.ts';
import { createShopifyStore, signUpMerchant } from './support/merchant.ts';
import { findPgbench, runPgbenchSingleRowInsert, type PgbenchResult } from './support/pgbench.ts';
import { countQueries, describeCores, markUsage, measureUsageSince, type UsageSince } from './support/process-usage.ts';
import { buildShopifyOrderTemplate } from './support/shopify-order-template.ts';

/**
 * Issue: "signed Shopify webhooks at increasing rates against real PostgreSQL, printing accepted
 * webhooks/s and p50/p99 latency next to pgbench's single-row insert transactions/s on the same
 * database in the same run. Target: ≥ 0.5 × the pgbench figure, p99 ≤ 25 ms at half of it."
 *
 * First pgbench measures the database's single-row-insert ceiling with as many connections as
 * Akked's pool. Then `serve` (api + worker) runs in this process on the same database, listening
 * on 127.0.0.1, and a load generator in a worker thread sends unique signed orders/create webhooks
 * for one Shopify store (made through the real sign-up and API) over keep-alive connections:
 * open-loop steps at fixed rates (including half the pgbench figure), then a closed loop at full speed.
 * The store has no WhatsApp number, so each order is stored, its job runs and it ends `failed`
 * (`no_whatsapp_number`): the full ingest path without sending.
 */
const OPEN_LOOP_RATES = [100, 200, 400, 800];
const STEP_DURATION_MS = 5_000;
const STEP_MAX_REQUESTS = 4_000;
const STEP_DEADLINE_MS = 20_000;
const CLOSED_LOOP_CONNECTIONS = 32;
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
  /** Until the step's jobs were done too. */
  withJobs: UsageSince;
};

/** Waits (bounded) until every order of earlier steps has been handled by the worker, so steps do not overlap. */
const waitForJobsToDrain = async (bench: BenchRuntime, timeoutMs: number): Promise<number> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await bench.runtime.services.database.query<{ waiting: string }>("select count(*) as waiting from orders where status in ('received', 'queued')");
    const waiting = Number(row?.waiting ?? 0);
    if (waiting === 0 || Date.now() > deadline) return waiting;
    await sleep(200);
  }
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
      const bench = await startBenchRuntime(benchConfig);
      cleanup.add('stop the runtime', () => bench.stop());
      const merchant = await signUpMerchant(bench);
      const store = await createShopifyStore(bench, merchant, { name: 'دار العود', whatsappNumberId: null });
      const targets: LoadTarget[] = [{ storeId: store.id, secret: store.webhookSecret }];
      const template = buildShopifyOrderTemplate();
      let nextOrderIndex = 0;
      const load = async (pace: LoadPace, maxRequests: number, durationMs: number, maxSockets: number) => {
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
        });
        nextOrderIndex += result.samples.length;
        const duringLoad = measureUsageSince(mark);
        const waiting = await waitForJobsToDrain(bench, 15_000);

        return { summary: summarizeLoad(result), duringLoad, withJobs: measureUsageSince(mark), waiting };
      };

      // JIT, pools and prepared paths warm up; not reported.
      await load({ kind: 'closed', connections: 8 }, 1_000, 8_000, 8);

      const steps: Step[] = [];
      let leftBehind = 0;
      const record = (label: string, offeredPerSecond: number | null, measured: Awaited<ReturnType<typeof load>>) => {
        const { summary } = measured;
        const latency = summarizeLatencies(summary.latencies);
        leftBehind = Math.max(leftBehind, measured.waiting);
        steps.push({
          label,
          offeredPerSecond,
          acceptedPerSecond: summary.acceptedPerSecond,
          sent: summary.sent,
          accepted: summary.accepted,
          duringLoad: measured.duringLoad,
          withJobs: measured.withJobs,
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

      const [stored] = await bench.runtime.services.database.query<{ orders: string }>('select count(*) as orders from orders');
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
        `Akked: api + worker in one process, pool of ${poolSize} connections (pg-boss: 5 more), LOG_LEVEL=warn; pgbench used the same number of connections`,
        'latency counts from when a request was due (open loop) or sent (closed loop) to the full answer; each open-loop step sends at most ' +
          `${STEP_MAX_REQUESTS.toLocaleString('en-US')} requests over at most ${STEP_DURATION_MS / 1000} s, requests unanswered ${STEP_DEADLINE_MS / 1000} s after the step start count as unfinished`,
        '"loop busy": event-loop utilisation of the Akked process while the load ran; "machine CPU": every process on the machine, PostgreSQL included (/proc/stat); "CPU ms/webhook": process CPU (Akked and the load-generator thread) per accepted webhook including its job; "SQL/webhook": statements sent by every pg client of the process (pool, pg-boss, listeners) per accepted webhook including its job',
        'between steps the worker finishes the previous step\'s orders (each ends failed/no_whatsapp_number), so steps measure ingest plus their own jobs' +
          (leftBehind > 0 ? `; ${leftBehind} orders were still waiting for their job after 15 s` : ''),
        `${Number(stored?.orders ?? 0).toLocaleString('en-US')} orders stored in all (warm-up included); ${describeLoggedProblems(problems)}`,
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
        step.accepted > 0 ? step.withJobs.cpuMs / step.accepted : null,
        step.accepted > 0 ? step.withJobs.queries / step.accepted : null,
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
              ];
            }),
          ),
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
            title: 'Akked: signed Shopify orders/create webhooks → 200 accepted (order + event + job stored in one transaction)',
            columns: ['step', 'sent', 'accepted/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'loop busy', 'machine CPU cores', 'CPU ms/webhook', 'SQL/webhook'],
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
      };
    } finally {
      await cleanup.run();
    }
  },
};

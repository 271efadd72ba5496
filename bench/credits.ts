import { billingEmailJob } from '../src/billing/billing-email-job.ts';
import { announceLowCredits } from '../src/billing/credit-alerts-job.ts';
import { consumeCredit, grantCredits } from '../src/billing/credits.ts';
import { builtInPlans } from '../src/config-plans.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { AppError } from '../src/errors.ts';
import { newId } from '../src/ids.ts';
import { JobQueue } from '../src/jobs/job-queue.ts';
import { createLogger } from '../src/logger.ts';
import { createBenchDatabase } from './support/bench-database.ts';
import { Cleanup, createSeededRandom, round, summarizeLatencies, type Benchmark } from './support/benchmark.ts';

/**
 * Issue: "10,000 concurrent consumption attempts over 100 accounts on real PostgreSQL; consumptions
 * per second, p99 latency, and credits overspent, which must print 0."
 *
 * 100 accounts get 20 to 100 credits (6,000 in all) through the ledger; 10,000 attempts (100 per
 * account, shuffled) are started at once, each `consumeCredit` in its own transaction through one
 * pool, so 4,000 must be refused. Afterwards the ledger and the cached balances are compared with
 * what was granted and what the callers were told. Meanwhile the billing sweep that announces
 * "credits low" runs back to back, as the workers' minute job would under load: it locks the
 * accounts it marks (SKIP LOCKED), so it must neither stall consumption nor announce an account twice.
 */
const ACCOUNTS = 100;
const ATTEMPTS_PER_ACCOUNT = 100;
const POOL_SIZE = 20;

const creditsFor = (accountIndex: number): number => 20 + (accountIndex % 5) * 20;

/** Deterministic shuffle, so every run races the same interleaving of accounts. */
const shuffle = <T>(items: T[], seed: number): T[] => {
  const random = createSeededRandom(seed);
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }

  return items;
};

type Attempt = { accountId: string; outcome: 'consumed' | 'refused' | 'error'; totalMs: number; transactionMs: number; error?: string };

export const benchmark: Benchmark = {
  name: 'credits',
  title: 'credit consumption under concurrency on real PostgreSQL',
  run: async () => {
    const cleanup = new Cleanup();
    try {
      const benchDatabase = await createBenchDatabase();
      cleanup.add('drop the bench database', () => benchDatabase.drop());
      const database = await openDatabase({ databaseUrl: benchDatabase.url, dataDirectory: '/nonexistent', poolSize: POOL_SIZE });
      cleanup.add('close the pool', () => database.close());
      await migrate(database);
      // The sweep runs in a worker, with a pool of its own: here a second small pool.
      const workerDatabase = await openDatabase({ databaseUrl: benchDatabase.url, dataDirectory: '/nonexistent', poolSize: 2 });
      cleanup.add('close the worker pool', () => workerDatabase.close());
      const queue = await JobQueue.start({ database: workerDatabase, logger: createLogger({ level: 'warn' }), isSupervisor: false });
      cleanup.add('stop the job queue', () => queue.stop());
      await queue.register([billingEmailJob]);
      const plans = builtInPlans({});

      const accountIds: string[] = [];
      let granted = 0;
      for (let index = 0; index < ACCOUNTS; index++) {
        const accountId = newId('account');
        accountIds.push(accountId);
        await database.transaction(async (transaction) => {
          await transaction.query('insert into accounts (id, name) values ($1, $2)', [accountId, `Bench account ${index}`]);
          await grantCredits(transaction, { accountId, kind: 'adjustment', credits: creditsFor(index), reason: 'benchmark seed', reference: 'bench-seed' });
        });
        granted += creditsFor(index);
      }
      const order = shuffle(accountIds.flatMap((accountId) => Array.from({ length: ATTEMPTS_PER_ACCOUNT }, () => accountId)), 20_260_101);

      let isStorming = true;
      const announced: string[] = [];
      let sweeps = 0;
      const sweeping = (async () => {
        while (isStorming) {
          announced.push(...(await announceLowCredits({ database: workerDatabase, queue }, plans)));
          sweeps++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const startedAt = performance.now();
      const attempts = await Promise.all(
        order.map(async (accountId, index): Promise<Attempt> => {
          const queuedAt = performance.now();
          let transactionStartedAt = queuedAt;
          try {
            await database.transaction(async (transaction) => {
              transactionStartedAt = performance.now();
              await consumeCredit(transaction, { accountId, reference: `bench-attempt-${index}`, reason: 'benchmark consumption' });
            });
            const finishedAt = performance.now();

            return { accountId, outcome: 'consumed', totalMs: finishedAt - queuedAt, transactionMs: finishedAt - transactionStartedAt };
          } catch (error) {
            const finishedAt = performance.now();
            const isRefusal = error instanceof AppError && error.code === 'no_credits';

            return {
              accountId,
              outcome: isRefusal ? 'refused' : 'error',
              totalMs: finishedAt - queuedAt,
              transactionMs: finishedAt - transactionStartedAt,
              ...(isRefusal ? {} : { error: (error as Error).message }),
            };
          }
        }),
      );
      const elapsedMs = performance.now() - startedAt;
      isStorming = false;
      await sweeping;
      const announcedTwice = announced.length - new Set(announced).size;

      const consumedByCaller = new Map<string, number>();
      for (const attempt of attempts) if (attempt.outcome === 'consumed') consumedByCaller.set(attempt.accountId, (consumedByCaller.get(attempt.accountId) ?? 0) + 1);
      const ledger = await database.query<{ account_id: string; granted: string; consumed: string; consumption_rows: string; balance: number }>(
        `select a.id as account_id, a.credit_balance as balance,
                coalesce(sum(l.credits) filter (where l.credits > 0), 0) as granted,
                coalesce(-sum(l.credits) filter (where l.credits < 0), 0) as consumed,
                count(*) filter (where l.kind = 'consumption') as consumption_rows
         from accounts a left join credit_ledger l on l.account_id = a.id
         group by a.id, a.credit_balance`,
      );
      let overspent = 0;
      let balanceMismatches = 0;
      let callerMismatches = 0;
      let consumedInLedger = 0;
      for (const row of ledger) {
        const rowGranted = Number(row.granted);
        const rowConsumed = Number(row.consumed);
        consumedInLedger += rowConsumed;
        overspent += Math.max(0, rowConsumed - rowGranted);
        if (Number(row.balance) !== rowGranted - rowConsumed || Number(row.balance) < 0) balanceMismatches++;
        if ((consumedByCaller.get(row.account_id) ?? 0) !== Number(row.consumption_rows)) callerMismatches++;
      }
      const consumed = attempts.filter((attempt) => attempt.outcome === 'consumed');
      const refused = attempts.filter((attempt) => attempt.outcome === 'refused').length;
      const errors = attempts.filter((attempt) => attempt.outcome === 'error');
      const total = summarizeLatencies(attempts.map((attempt) => attempt.totalMs));
      const inTransaction = summarizeLatencies(attempts.map((attempt) => attempt.transactionMs));
      const consumptionsPerSecond = consumed.length / (elapsedMs / 1000);
      const attemptsPerSecond = attempts.length / (elapsedMs / 1000);
      const expectedConsumed = Math.min(granted, attempts.length);
      const isCorrect =
        overspent === 0 && balanceMismatches === 0 && callerMismatches === 0 && consumedInLedger === consumed.length && errors.length === 0 && announcedTwice === 0;

      return {
        figures: {
          attempts: attempts.length,
          accounts: ACCOUNTS,
          credits_granted: granted,
          consumed: consumed.length,
          refused,
          errors: errors.length,
          consumptions_per_second: round(consumptionsPerSecond),
          attempts_per_second: round(attemptsPerSecond),
          latency_p50_ms: round(total.p50),
          latency_p99_ms: round(total.p99),
          transaction_p50_ms: round(inTransaction.p50),
          transaction_p99_ms: round(inTransaction.p99),
          credits_overspent: overspent,
          balance_mismatches: balanceMismatches,
          caller_ledger_mismatches: callerMismatches,
          pool_size: POOL_SIZE,
          low_credit_sweeps: sweeps,
          low_credit_announcements: announced.length,
          accounts_announced_twice: announcedTwice,
        },
        tables: [
          {
            title: `${attempts.length.toLocaleString('en-US')} attempts started at once over ${ACCOUNTS} accounts (${granted.toLocaleString('en-US')} credits granted), pool of ${POOL_SIZE} connections`,
            columns: ['figure', 'value'],
            rows: [
              ['consumed / refused / errors', `${consumed.length} / ${refused} / ${errors.length}`],
              ['expected consumed', expectedConsumed],
              ['wall time (ms)', round(elapsedMs)],
              ['consumptions per second', consumptionsPerSecond],
              ['attempts per second (consumed + refused)', attemptsPerSecond],
              ['latency incl. pool wait p50 / p95 / p99 (ms)', `${round(total.p50)} / ${round(total.p95)} / ${round(total.p99)}`],
              ['transaction only p50 / p95 / p99 (ms)', `${round(inTransaction.p50)} / ${round(inTransaction.p95)} / ${round(inTransaction.p99)}`],
              ['credits overspent', overspent],
              ['balances ≠ ledger', balanceMismatches],
              ['accounts where callers ≠ ledger', callerMismatches],
              ['"credits low" sweeps alongside / accounts announced / announced twice', `${sweeps} / ${announced.length} / ${announcedTwice}`],
            ],
          },
        ],
        targets: [
          { name: 'credits overspent', target: '0', measured: String(overspent), met: overspent === 0 },
          { name: 'consumed = granted (all credits used, none twice)', target: String(expectedConsumed), measured: String(consumed.length), met: consumed.length === expectedConsumed },
          { name: 'accounts announced "credits low" twice', target: '0', measured: String(announcedTwice), met: announcedTwice === 0 },
        ],
        notes: [
          `PostgreSQL ${benchDatabase.serverVersion} at ${benchDatabase.serverUrl}, database ${benchDatabase.name} (dropped afterwards)`,
          'latency incl. pool wait counts from the moment all 10,000 were started, so its p99 is close to the wall time; "transaction only" runs from the work starting inside the transaction (after BEGIN) to COMMIT done',
          ...(errors.length > 0 ? [`unexpected errors: ${[...new Set(errors.map((error) => error.error))].slice(0, 3).join('; ')}`] : []),
        ],
        isCorrect,
      };
    } finally {
      await cleanup.run();
    }
  },
};

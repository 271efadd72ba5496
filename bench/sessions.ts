import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { buildPacingPolicy } from '../src/confirmation/pacing.ts';
import { createKeyring, toMasterKey } from '../src/crypto/envelope.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { newId } from '../src/ids.ts';
import { createLogger } from '../src/logger.ts';
import { createNumber } from '../src/whatsapp/numbers.ts';
import type { ProviderKind, WhatsAppProvider } from '../src/whatsapp/provider.ts';
import { createSimulatorProvider } from '../src/whatsapp/providers/simulator.ts';
import { OUTBOX_CHANNEL, SessionManager, type SessionManagerHooks, type SessionManagerOptions } from '../src/whatsapp/session-manager.ts';
import { createBenchDatabase } from './support/bench-database.ts';
import { Cleanup, createSeededRandom, round, sleep, summarizeLatencies, waitFor, type Benchmark, type LatencySummary } from './support/benchmark.ts';
import { formatBytes, KIB, measureMemory, MIB, type MemorySnapshot } from './support/memory.ts';
import { startSimulatorProcess } from './support/simulator-process.ts';

/**
 * Issue: "1,000 simulated numbers on one worker: RSS per connected session, RSS per hibernated
 * number, wake-from-hibernation p50/p99. Targets: ≤ 2 MB per connected session, ≤ 1 KB per
 * hibernated number, wake p99 ≤ 100 ms."
 *
 * The session manager runs in this process on the bench database with the simulator provider; the
 * simulated network runs in a child process so its sockets do not count. Memory is read after full
 * garbage collections:
 *   1. baseline: the manager running, nothing live;
 *   2. 1,000 hibernated numbers in the database (never woken in this process);
 *   3. all 1,000 woken and connected;
 *   4. all 1,000 hibernated again by the manager's idle rule.
 * Before step 1, 50 numbers link, connect and hibernate, so one-time costs (compiled code, pools)
 * are in the baseline. Steps 1–4 use a manager that opens 100 sessions per 1 s tick and hibernates
 * after 15 s idle, so the run takes about a minute and a half instead of minutes with the default
 * 25 per 2 s and 120 s. Wake latency is then
 * measured with a second manager on the production defaults: a message is queued for a hibernated
 * number (row + NOTIFY, as the confirmation job does) and timed until the worker records it sent
 * (the network acknowledged it); 100 numbers one after another, then 100 at once.
 */
const NUMBERS = 1_000;
const WARM_UP_NUMBERS = 50;
const WAKE_SAMPLE = 100;
const BURST_SIZE = 100;
/** Idle time before the bulk manager hibernates a session: longer than connecting 1,000 takes. */
const IDLE_MS = 15_000;

const silentHooks: SessionManagerHooks = {
  onInbound: async () => undefined,
  onSendFailed: async () => undefined,
  onNumberAlert: async () => undefined,
};

/** Warnings and errors the session manager logs, counted, the first few kept. */
const createLogCollector = () => {
  const messages: string[] = [];
  let count = 0;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        count++;
        if (messages.length < 5) messages.push((JSON.parse(line) as { msg?: string }).msg ?? line);
      }
      callback();
    },
  });

  return { logger: createLogger({ level: 'warn', destination }), describe: () => (count === 0 ? 'no warning or error logged' : `${count} warnings/errors logged, first: ${messages.join('; ')}`) };
};

const countNumbers = async (database: Database, numberIds: string[], status: string): Promise<number> =>
  Number((await database.query<{ count: string }>('select count(*) as count from whatsapp_numbers where id = any($1::text[]) and status = $2', [numberIds, status]))[0]?.count ?? 0);

const queueMessage = async (database: Database, accountId: string, numberId: string, index: number): Promise<string> => {
  const id = newId('message');
  await database.transaction(async (transaction) => {
    await transaction.query(
      `insert into messages (id, account_id, number_id, direction, kind, text, status, customer_phone, send_after)
       values ($1, $2, $3, 'outbound', 'confirmation', $4, 'queued', $5, now())`,
      [id, accountId, numberId, `هل تؤكد طلبك رقم ${index}؟`, `+96656${String(index).padStart(7, '0')}`],
    );
    await transaction.query(`select pg_notify('${OUTBOX_CHANNEL}', $1)`, [numberId]);
  });

  return id;
};

/** Waits until every one of the numbers has the status, and the manager holds all of them (connected) or none (hibernated). */
const waitForAll = async (database: Database, manager: SessionManager, numberIds: string[], status: 'connected' | 'hibernated'): Promise<void> => {
  const wanted = new Set(numberIds);
  await waitFor(
    async () => {
      const live = manager.liveNumberIds.filter((numberId) => wanted.has(numberId)).length;
      if (status === 'connected' ? live !== numberIds.length : live !== 0) return false;

      return (await countNumbers(database, numberIds, status)) === numberIds.length;
    },
    Boolean,
    { timeoutMs: 120_000, intervalMs: 200, what: `${numberIds.length} numbers to be ${status}` },
  );
};

type Wake = { sentMs: number; connectedMs: number | null };

/** Queues a message for each number at the same moment and times each one until it is sent. */
const wakeNumbers = async (database: Database, accountId: string, numberIds: string[], firstIndex: number): Promise<Wake[]> => {
  const queuedAt = Date.now();
  const messageIds = await Promise.all(numberIds.map((numberId, index) => queueMessage(database, accountId, numberId, firstIndex + index)));
  const rows = await waitFor(
    () =>
      database.query<{ id: string; sent_at: Date | null; last_connected_at: Date | null }>(
        'select m.id, m.sent_at, n.last_connected_at from messages m join whatsapp_numbers n on n.id = m.number_id where m.id = any($1::text[])',
        [messageIds],
      ),
    (found) => found.length === messageIds.length && found.every((row) => row.sent_at !== null),
    { timeoutMs: 60_000, intervalMs: 5, what: `${messageIds.length} woken numbers to send` },
  );

  return rows.map((row) => ({
    sentMs: (row.sent_at?.getTime() ?? Number.NaN) - queuedAt,
    connectedMs: row.last_connected_at ? row.last_connected_at.getTime() - queuedAt : null,
  }));
};

const perNumber = (after: MemorySnapshot, before: MemorySnapshot, field: 'rss' | 'heapUsed' | 'external'): number => (after[field] - before[field]) / NUMBERS;

export const benchmark: Benchmark = {
  name: 'sessions',
  title: '1,000 simulated numbers on one worker: memory and wake time',
  run: async () => {
    const cleanup = new Cleanup();
    try {
      const benchDatabase = await createBenchDatabase();
      cleanup.add('drop the bench database', () => benchDatabase.drop());
      const database = await openDatabase({ databaseUrl: benchDatabase.url, dataDirectory: '/nonexistent', poolSize: 10 });
      cleanup.add('close the pool', () => database.close());
      await migrate(database);
      const simulator = await startSimulatorProcess({ deliveredAfterMs: 20, readAfterMs: 50 });
      cleanup.add('stop the simulator', () => simulator.stop());
      const keyring = createKeyring(toMasterKey(randomBytes(32).toString('base64')));
      const providers = new Map<ProviderKind, WhatsAppProvider>([['simulator', createSimulatorProvider({ simulatorUrl: simulator.url })]]);
      const log = createLogCollector();
      const startManager = async (overrides: Partial<SessionManagerOptions>): Promise<SessionManager> => {
        const manager = new SessionManager({ database, keyring, logger: log.logger, providers, hooks: silentHooks, pacing: buildPacingPolicy({ minimumSeconds: 0, maximumSeconds: 0 }), ...overrides });
        await manager.start();
        let isStopped = false;
        const stop = async () => {
          if (isStopped) return;
          isStopped = true;
          await manager.stop();
        };
        cleanup.add('stop a session manager', stop);

        return Object.assign(manager, { stop });
      };

      // 0. Warm-up: 50 numbers link, connect and hibernate, so every code path has run (JIT, pools)
      //    before memory is compared.
      const bulkManager = await startManager({ tickMilliseconds: 1_000, connectsPerTick: 100, idleMilliseconds: IDLE_MS });
      const accountId = newId('account');
      await database.query('insert into accounts (id, name) values ($1, $2)', [accountId, 'Bench sessions']);
      const warmUpIds: string[] = [];
      for (let index = 0; index < WARM_UP_NUMBERS; index++) {
        const number = await createNumber({ database, keyring, publicUrl: 'http://127.0.0.1', isSimulatorEnabled: true, sessions: null }, accountId, {
          provider: 'simulator',
          phone: `+1555041${String(index).padStart(4, '0')}`,
        });
        warmUpIds.push(number.id);
      }
      await waitForAll(database, bulkManager, warmUpIds, 'connected');
      await waitForAll(database, bulkManager, warmUpIds, 'hibernated');
      await sleep(1_500);

      // 1. Baseline: the warmed-up manager, nothing live.
      const baseline = await measureMemory();

      // 2. 1,000 numbers, hibernated as after a quiet day, never woken in this process (one INSERT, so
      //    seeding leaves no garbage of its own in this process).
      const numberIds = Array.from({ length: NUMBERS }, () => newId('whatsappNumber'));
      await database.query(
        `insert into whatsapp_numbers (id, account_id, provider, phone, status, settings, wake_at, linked_at)
         select id, $1, 'simulator', '+1555040' || lpad((position - 1)::text, 4, '0'), 'hibernated', '{}'::jsonb,
                now() + interval '20 hours', now() - interval '30 days'
         from unnest($2::text[]) with ordinality as numbers(id, position)`,
        [accountId, numberIds],
      );
      await sleep(2_500);
      const hibernatedNeverWoken = await measureMemory();

      // 3. Their daily wake comes due: the manager connects all of them.
      const connectStartedAt = performance.now();
      await database.query('update whatsapp_numbers set wake_at = now() where id = any($1::text[])', [numberIds]);
      await waitForAll(database, bulkManager, numberIds, 'connected');
      const connectMs = performance.now() - connectStartedAt;
      const connected = await measureMemory();

      // 4. Nothing to do: the manager hibernates every one of them.
      const hibernateStartedAt = performance.now();
      await waitForAll(database, bulkManager, numberIds, 'hibernated');
      const hibernateMs = performance.now() - hibernateStartedAt;
      await sleep(1_500);
      const hibernatedAgain = await measureMemory();
      await bulkManager.stop();

      // 5. Wake time on the production defaults (tick 2 s, 25 new sessions per tick, idle 120 s).
      await startManager({});
      await sleep(2_500);
      const random = createSeededRandom(7);
      const shuffled = [...numberIds];
      for (let index = shuffled.length - 1; index > 0; index--) {
        const other = Math.floor(random() * (index + 1));
        [shuffled[index], shuffled[other]] = [shuffled[other] as string, shuffled[index] as string];
      }
      const singles: Wake[] = [];
      for (const [index, numberId] of shuffled.slice(0, WAKE_SAMPLE).entries()) {
        singles.push(...(await wakeNumbers(database, accountId, [numberId], index)));
        await sleep(20);
      }
      const burst = await wakeNumbers(database, accountId, shuffled.slice(WAKE_SAMPLE, WAKE_SAMPLE + BURST_SIZE), WAKE_SAMPLE);

      const single = summarizeLatencies(singles.map((wake) => wake.sentMs));
      const singleConnect = summarizeLatencies(singles.flatMap((wake) => (wake.connectedMs === null ? [] : [wake.connectedMs])));
      const burstSent = summarizeLatencies(burst.map((wake) => wake.sentMs));
      const rssPerConnected = perNumber(connected, hibernatedNeverWoken, 'rss');
      const rssPerHibernated = perNumber(hibernatedNeverWoken, baseline, 'rss');
      const rssPerHibernatedAfterCycle = perNumber(hibernatedAgain, hibernatedNeverWoken, 'rss');
      const heapPerHibernatedAfterCycle = perNumber(hibernatedAgain, hibernatedNeverWoken, 'heapUsed');
      const memoryRow = (label: string, snapshot: MemorySnapshot): (string | number)[] => [label, snapshot.rss / MIB, snapshot.heapUsed / MIB, snapshot.external / MIB];
      const wakeRow = (label: string, summary: LatencySummary): (string | number)[] => [label, summary.count, summary.p50, summary.p95, summary.p99, summary.max];

      return {
        figures: {
          numbers: NUMBERS,
          rss_baseline_bytes: baseline.rss,
          rss_per_connected_session_bytes: Math.round(rssPerConnected),
          heap_per_connected_session_bytes: Math.round(perNumber(connected, hibernatedNeverWoken, 'heapUsed')),
          rss_per_hibernated_number_bytes: Math.round(rssPerHibernated),
          heap_per_hibernated_number_bytes: Math.round(perNumber(hibernatedNeverWoken, baseline, 'heapUsed')),
          rss_per_hibernated_number_after_cycle_bytes: Math.round(rssPerHibernatedAfterCycle),
          heap_per_hibernated_number_after_cycle_bytes: Math.round(heapPerHibernatedAfterCycle),
          connect_all_ms: Math.round(connectMs),
          hibernate_all_ms: Math.round(hibernateMs),
          wake_sent_p50_ms: round(single.p50),
          wake_sent_p99_ms: round(single.p99),
          wake_connected_p50_ms: round(singleConnect.p50),
          wake_connected_p99_ms: round(singleConnect.p99),
          burst_wake_sent_p50_ms: round(burstSent.p50),
          burst_wake_sent_p99_ms: round(burstSent.p99),
          measured_after_gc: baseline.isAfterGc,
        },
        tables: [
          {
            title: `Memory of the worker process (MB${baseline.isAfterGc ? ', after full GC' : ', WITHOUT forced GC: run through bin/run-bench'})`,
            columns: ['state', 'RSS', 'heap used', 'external'],
            rows: [
              memoryRow(`1. manager warmed up (${WARM_UP_NUMBERS} numbers connected and hibernated), nothing live`, baseline),
              memoryRow(`2. + ${NUMBERS.toLocaleString('en-US')} hibernated numbers (never woken)`, hibernatedNeverWoken),
              memoryRow(`3. all ${NUMBERS.toLocaleString('en-US')} connected`, connected),
              memoryRow(`4. all ${NUMBERS.toLocaleString('en-US')} hibernated again`, hibernatedAgain),
            ],
          },
          {
            title: 'Per number',
            columns: ['figure', 'RSS', 'heap used'],
            rows: [
              ['per connected session (3 − 2)', formatBytes(rssPerConnected), formatBytes(perNumber(connected, hibernatedNeverWoken, 'heapUsed'))],
              ['per hibernated number, never woken (2 − 1)', formatBytes(rssPerHibernated), formatBytes(perNumber(hibernatedNeverWoken, baseline, 'heapUsed'))],
              ['per hibernated number after a connect/hibernate cycle (4 − 2)', formatBytes(rssPerHibernatedAfterCycle), formatBytes(heapPerHibernatedAfterCycle)],
            ],
          },
          {
            title: 'Wake from hibernation (message queued → sent; default manager settings)',
            columns: ['case', 'numbers', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
            rows: [
              wakeRow('one number at a time: queued → sent', single),
              wakeRow('one number at a time: queued → connected', singleConnect),
              wakeRow(`${BURST_SIZE} numbers at once: queued → sent`, burstSent),
            ],
          },
        ],
        targets: [
          { name: 'RSS per connected session', target: '≤ 2 MB', measured: formatBytes(rssPerConnected), met: rssPerConnected <= 2 * MIB },
          {
            name: 'RSS per hibernated number',
            target: '≤ 1 KB',
            measured: `${formatBytes(rssPerHibernated)} (after a connect/hibernate cycle: ${formatBytes(rssPerHibernatedAfterCycle)} RSS, ${formatBytes(heapPerHibernatedAfterCycle)} heap)`,
            met: rssPerHibernated <= KIB,
          },
          { name: 'wake p99 (one at a time)', target: '≤ 100 ms', measured: `${round(single.p99)} ms`, met: single.p99 <= 100 },
        ],
        notes: [
          `PostgreSQL ${benchDatabase.serverVersion} at ${benchDatabase.serverUrl} (fresh database ${benchDatabase.name}, dropped afterwards); simulator in a child process (pid ${simulator.pid}); pacing off`,
          `memory phases: a manager opening ≤ 100 sessions per 1 s tick and hibernating after ${IDLE_MS / 1000} s idle (defaults: 25 per 2 s, 120 s); connecting all ${NUMBERS.toLocaleString('en-US')} took ${round(connectMs / 1000)} s (sessions open one after another within a tick); from all connected to all hibernated took ${round(hibernateMs / 1000)} s`,
          'the 1,000 numbers are inserted hibernated with one INSERT (the 50 warm-up numbers go through createNumber and link through the simulator)',
          'RSS rarely shrinks after memory is freed (the allocator keeps pages), so "after a cycle" shows what a worker keeps once numbers went back to sleep; heap used is the exact JavaScript share',
          '"connected" uses whatsapp_numbers.last_connected_at (PostgreSQL clock, same machine); "sent" the sent_at the worker records when the network acknowledged the message',
          `session manager: ${log.describe()}`,
        ],
      };
    } finally {
      await cleanup.run();
    }
  },
};

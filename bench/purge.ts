import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DEFAULT_PAUSE_FACTOR, purge, retentionCutoff, type PurgeOptions, type PurgeResult } from '../src/privacy/purge.ts';
import { createDatabaseAuthState, deleteAuthKeysForContacts, deleteAuthKeysForJid } from '../src/whatsapp/linked/auth-state-store.ts';
import { createBenchDatabase } from './support/bench-database.ts';
import { DEFAULT_SCHEMA } from '../src/db/database.ts';
import { createBenchConfig, describeLoggedProblems, startBenchRuntime, type BenchRuntime } from './support/bench-runtime.ts';
import { Cleanup, round, sleep, summarizeLatencies, type Benchmark, type Cell, type LatencySummary, type TargetCheck } from './support/benchmark.ts';
import { runLoad, summarizeLoad, type LoadTarget, type RequestSample } from './support/load-generator.ts';
import { formatBytes, measureMemory, MIB } from './support/memory.ts';
import { createShopifyStore, signUpMerchant } from './support/merchant.ts';
import { buildShopifyOrderTemplate } from './support/shopify-order-template.ts';

/**
 * Issue #9: "seed 1,000,000 orders with their messages and events spread over ~13 months; measure
 * ingest p99 (signed Shopify webhooks at a steady modest rate through the real HTTP server)
 * without a purge, then while purging the oldest month; print rows purged/s, baseline p99, p99
 * during purge, ratio (target ≤ 2×). Then export of 100,000 orders: rows/s and peak RSS above idle
 * (target flat, ≤ 100 MB above idle)."
 *
 * `serve` (api + worker) runs in this process on a fresh PostgreSQL database, as in ingest.ts. One
 * merchant and one Shopify store are made through the real sign-up and API; then 1,000,000 orders
 * of that account (2 messages and 2 events each: the question and the reply, received and
 * confirmed) are seeded with `INSERT ... SELECT generate_series` in chunks, their ingestion times
 * spread evenly over 395 days ending now, message text already blanked where older than 30 days
 * (as the daily purge leaves it). The secondary indexes of the three tables are dropped for the
 * seeding and rebuilt after it (the usual bulk-load order; the schema is the same afterwards).
 *
 * Ingest: a load generator in a worker thread sends unique signed orders/create webhooks at a
 * fixed open-loop rate (ingest.ts's generator; latency from when each request was due), in 5 s
 * slices. The month past the 12-month line (~76,000 orders) is purged in three runs of ~10 days
 * (asOf now − 20 days, now − 10 days, now), each with another pause after every batch of 500
 * (PurgeOptions.pauseFactor 0, 1, 4 = the default), each under the same load, which continues
 * until it returns; p99 during a purge counts requests due while it ran. Baseline: 20 s before the
 * first purge and 10 s after each. `purge()` runs in this process, where the workers' daily job
 * runs it. Meanwhile pg_stat_activity is sampled to show what the connections wait on.
 *
 * Export: the newest 100,000 seeded orders (a from/to window), streamed over HTTP as NDJSON and
 * as CSV with an API key; the client counts and discards the bytes. Peak RSS is the process's
 * high-water mark (`VmHWM`, reset through /proc/self/clear_refs before each export) above its RSS
 * after full garbage collections just before; the client runs in the same process, so its
 * buffers count too (the figure is an upper bound for the server).
 *
 * Last, one figure the purge depends on outside its batches: erasing purged customers from a
 * linked device's keys, timed on a number holding the keys of 1,000 contacts: one customer a call
 * (`deleteAuthKeysForJid`, as customer erasure of one phone does) and 500 in one call
 * (`deleteAuthKeysForContacts`, as the purge does).
 */
const SEEDED_ORDERS = 1_000_000;
const SEED_CHUNK = 100_000;
const SPAN_DAYS = 395;
const MESSAGE_TEXT_DAYS = 30;
const INGEST_RATE_PER_SECOND = 50;
const WARM_UP_MS = 5_000;
const BASELINE_MS = 20_000;
const LOAD_SLICE_MS = 5_000;
const PURGE_START_DELAY_MS = 2_000;
/** Pause after each batch, in multiples of the batch's own time (PurgeOptions.pauseFactor). */
const PAUSE_FACTORS = [0, 1, 4];
/** Days of the oldest month each of the three purges takes. */
const PURGE_STEP_DAYS = 10;
/** Ingest without a purge after each purge, counted in the baseline. */
const SETTLE_MS = 10_000;
const WAIT_SAMPLE_MS = 100;
const LOAD_DEADLINE_MS = 20_000;
const EXPORT_ORDERS = 100_000;
const KEY_CONTACTS = 1_000;
const KEY_ERASURE_SAMPLE = 200;
const KEY_ERASURE_BATCH = 500;
const ORDER_ID_BASE = 8_000_000_000_000_000_000n;
const DAY_MS = 86_400_000;

type SeedTiming = { step: string; rows: number; ms: number };

/** The seeded order of index i (1 = newest) was received `(i - 1) × step` before `seedEnd`. */
const seedOrderSql = `
  insert into orders (id, account_id, store_id, platform, external_id, number, code, status, platform_created_at, currency, total, is_cod,
                      locale, payment_method, customer_name, customer_phone, customer_phone_raw, shipping_address, items, sent_at, replied_at,
                      created_at, updated_at)
  select 'ord_seed' || lpad(i::text, 8, '0'), $1, $2, 'shopify', 'seed-' || i, '#S' || i, 'AK' || lpad(i::text, 8, '0'), 'confirmed', t, 'SAR',
         '199.00', true, 'ar', 'Cash on Delivery (COD)', 'Seeded Customer ' || i, '+96655' || lpad((i % 10000000)::text, 7, '0'),
         '055' || lpad((i % 10000000)::text, 7, '0'),
         jsonb_build_object('line1', i || ' King Fahd Road', 'line2', null, 'city', 'Riyadh', 'region', null, 'postalCode', null, 'countryCode', 'SA'),
         jsonb_build_array(jsonb_build_object('name', 'Oud perfume', 'variant', null, 'sku', null, 'quantity', 1, 'unitPrice', '199.00')),
         t + interval '1 minute', t + interval '10 minutes', t, t + interval '10 minutes'
  from (select i, $3::timestamptz - (i - 1) * ($4::double precision * interval '1 millisecond') as t from generate_series($5::int, $6::int) i) seeded`;

const seedMessageSql = `
  insert into messages (id, account_id, order_id, direction, kind, text, status, customer_phone, sent_at, delivered_at, read_at, created_at, updated_at)
  select 'msg_seed' || lpad(i::text, 8, '0') || m.suffix, $1, 'ord_seed' || lpad(i::text, 8, '0'), m.direction, m.kind,
         case when t + m.offset_time < $6::timestamptz then '' else m.body end, m.status, '+96655' || lpad((i % 10000000)::text, 7, '0'),
         t + m.offset_time, case when m.direction = 'outbound' then t + interval '2 minutes' end,
         case when m.direction = 'outbound' then t + interval '3 minutes' end, t + m.offset_time, t + m.offset_time
  from (select i, $2::timestamptz - (i - 1) * ($3::double precision * interval '1 millisecond') as t from generate_series($4::int, $5::int) i) seeded
  cross join (values ('a', 'outbound', 'confirmation', 'Please confirm your order #S: reply 1 to confirm, 2 to cancel', 'read', interval '1 minute'),
                     ('b', 'inbound', 'reply', '1', 'received', interval '10 minutes')) m(suffix, direction, kind, body, status, offset_time)`;

const seedEventSql = `
  insert into order_events (id, account_id, order_id, status, cause, at)
  select 'evt_seed' || lpad(i::text, 8, '0') || e.suffix, $1, 'ord_seed' || lpad(i::text, 8, '0'), e.status, e.cause, t + e.offset_time
  from (select i, $2::timestamptz - (i - 1) * ($3::double precision * interval '1 millisecond') as t from generate_series($4::int, $5::int) i) seeded
  cross join (values ('a', 'received', 'webhook', interval '0'), ('b', 'confirmed', 'customer_reply', interval '10 minutes')) e(suffix, status, cause, offset_time)`;

/**
 * Seeds the orders, messages and events; secondary indexes are rebuilt once at the end, foreign
 * keys are not checked row by row (the rows are consistent by construction) where the role may.
 */
const seed = async (databaseUrl: string, options: { accountId: string; storeId: string; seedEnd: Date; stepMs: number }): Promise<SeedTiming[]> => {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'akked-bench-seed', options: `-c search_path=${DEFAULT_SCHEMA}` });
  await client.connect();
  const timings: SeedTiming[] = [];
  const timed = async (step: string, rows: number, work: () => Promise<unknown>) => {
    const startedAt = performance.now();
    await work();
    timings.push({ step, rows, ms: performance.now() - startedAt });
    process.stderr.write(`purge bench: ${step} (${rows.toLocaleString('en-US')} rows) in ${Math.round((performance.now() - startedAt) / 100) / 10} s\n`);
  };
  try {
    await client.query("set maintenance_work_mem = '256MB'");
    await client.query('set session_replication_role = replica').catch(() => undefined);
    const indexes = (
      await client.query<{ name: string; definition: string }>(
        `select indexname as name, indexdef as definition from pg_indexes
         where schemaname = current_schema() and tablename in ('orders', 'messages', 'order_events')
           and indexname not in (select conname from pg_constraint where contype in ('p', 'u'))`,
      )
    ).rows;
    if (indexes.length > 0) await client.query(`drop index ${indexes.map((index) => `"${index.name}"`).join(', ')}`);
    const textCutoff = new Date(options.seedEnd.getTime() - MESSAGE_TEXT_DAYS * DAY_MS);
    for (let first = 1; first <= SEEDED_ORDERS; first += SEED_CHUNK) {
      const last = Math.min(SEEDED_ORDERS, first + SEED_CHUNK - 1);
      const series = [options.seedEnd, options.stepMs, first, last];
      const rows = last - first + 1;
      await timed(`orders ${first.toLocaleString('en-US')}–${last.toLocaleString('en-US')}`, rows, () => client.query(seedOrderSql, [options.accountId, options.storeId, ...series]));
      await timed('  their messages', rows * 2, () => client.query(seedMessageSql, [options.accountId, ...series, textCutoff]));
      await timed('  their events', rows * 2, () => client.query(seedEventSql, [options.accountId, ...series]));
    }
    await timed(`rebuild ${indexes.length} indexes`, 0, async () => {
      for (const index of indexes) await client.query(index.definition);
    });
    await timed('vacuum analyze', 0, () => client.query('vacuum analyze orders, messages, order_events'));
  } finally {
    await client.end();
  }

  return timings;
};

type LoadWindow = { samples: RequestSample[]; startedAt: number };

/** Open-loop webhooks at the bench rate for `durationMs`, as one load-generator run. */
const ingestFor = async (bench: BenchRuntime, targets: LoadTarget[], template: string, firstOrderIndex: number, durationMs: number): Promise<LoadWindow> => {
  const result = await runLoad({
    baseUrl: bench.url,
    template,
    targets,
    orderIdBase: ORDER_ID_BASE,
    firstOrderIndex,
    pace: { kind: 'open', ratePerSecond: INGEST_RATE_PER_SECOND },
    durationMs,
    maxRequests: Math.ceil((INGEST_RATE_PER_SECOND * durationMs) / 1000),
    deadlineMs: durationMs + LOAD_DEADLINE_MS,
    maxSockets: 64,
  });

  return { samples: result.samples, startedAt: result.startedAt };
};

const latencyOf = (samples: readonly RequestSample[]): { latency: LatencySummary; errors: number; sent: number } => {
  const summary = summarizeLoad({ startedAt: samples[0]?.dueAt ?? 0, samples: [...samples] });

  return { latency: summarizeLatencies(summary.latencies), errors: summary.errors, sent: summary.sent };
};

/** Peak resident memory of this process since the last reset (Linux), or null elsewhere. */
const readPeakRss = (): number | null => {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));

    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
};

const resetPeakRss = (): boolean => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');

    return true;
  } catch {
    return false;
  }
};

type ExportRun = { format: string; rows: number; bytes: number; ms: number; idleRss: number; peakRss: number; peakSource: string };

/** Streams one export over HTTP, counting and discarding it, and measures this process's memory meanwhile. */
const runExport = async (bench: BenchRuntime, apiKey: string, format: 'ndjson' | 'csv', window: { from: string; to: string }): Promise<ExportRun> => {
  const idle = await measureMemory();
  const isPeakReset = resetPeakRss();
  // Sampling as well, where the kernel's high-water mark is not available.
  let sampledPeak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
  }, 20);
  const startedAt = performance.now();
  let bytes = 0;
  let newlines = 0;
  try {
    const response = await fetch(`${bench.url}/api/v1/export?format=${format}&from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    if (response.status !== 200 || !response.body) throw new Error(`export ${format}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
    for await (const chunk of response.body) {
      const buffer = Buffer.from((chunk as Uint8Array).buffer, (chunk as Uint8Array).byteOffset, (chunk as Uint8Array).byteLength);
      bytes += buffer.byteLength;
      for (let position = buffer.indexOf(10); position !== -1; position = buffer.indexOf(10, position + 1)) newlines++;
    }
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - startedAt;
  const kernelPeak = isPeakReset ? readPeakRss() : null;

  return {
    format,
    // CSV: a header line; rows end in \r\n. NDJSON: one line per order.
    rows: format === 'csv' ? newlines - 1 : newlines,
    bytes,
    ms,
    idleRss: idle.rss,
    peakRss: kernelPeak ?? sampledPeak,
    peakSource: kernelPeak === null ? 'sampled every 20 ms' : 'VmHWM',
  };
};

/** Milliseconds per customer to erase customers from a number holding the keys of `KEY_CONTACTS` contacts: one a call, then a batch. */
const measureKeyErasure = async (bench: BenchRuntime, accountId: string): Promise<{ msPerCustomer: number; msPerCustomerBatched: number; rowsBefore: number; customers: number }> => {
  const { database, keyring } = bench.runtime.services;
  // A Cloud API number that is logged out: nothing ever connects or sends from it.
  const numberId = `num_bench${randomBytes(6).toString('hex')}`;
  await database.query("insert into whatsapp_numbers (id, account_id, provider, phone, status) values ($1, $2, 'cloud', '+966500000001', 'logged_out')", [numberId, accountId]);
  const authState = await createDatabaseAuthState({ database, keyring, numberId });
  const phones: string[] = [];
  for (let index = 0; index < KEY_CONTACTS; index += 100) {
    const keys: Record<string, Record<string, unknown>> = { session: {}, 'device-list': {}, 'lid-mapping': {} };
    for (let contact = index; contact < index + 100; contact++) {
      const digits = `96656${String(contact).padStart(7, '0')}`;
      const lid = `1${String(contact).padStart(13, '0')}`;
      phones.push(`+${digits}`);
      (keys.session as Record<string, unknown>)[`${digits}.0`] = randomBytes(40);
      (keys['device-list'] as Record<string, unknown>)[digits] = ['0'];
      (keys['lid-mapping'] as Record<string, unknown>)[digits] = lid;
      (keys['lid-mapping'] as Record<string, unknown>)[`${lid}_reverse`] = digits;
    }
    await authState.state.keys.set(keys);
  }
  const [before] = await database.query<{ rows: string }>('select count(*) as rows from whatsapp_auth_keys where number_id = $1', [numberId]);
  const startedAt = performance.now();
  for (const phone of phones.slice(0, KEY_ERASURE_SAMPLE)) await deleteAuthKeysForJid(database, numberId, phone, keyring);
  const msPerCustomer = (performance.now() - startedAt) / KEY_ERASURE_SAMPLE;
  const batch = phones.slice(KEY_ERASURE_SAMPLE, KEY_ERASURE_SAMPLE + KEY_ERASURE_BATCH);
  const batchStartedAt = performance.now();
  await deleteAuthKeysForContacts(database, numberId, batch, keyring);
  const msPerCustomerBatched = (performance.now() - batchStartedAt) / batch.length;
  await database.query('delete from whatsapp_numbers where id = $1', [numberId]);

  return { msPerCustomer, msPerCustomerBatched, rowsBefore: Number(before?.rows ?? 0), customers: KEY_ERASURE_SAMPLE };
};

type PacedPurge = {
  pauseFactor: number;
  result: PurgeResult;
  ms: number;
  rows: number;
  whilePurging: ReturnType<typeof latencyOf>;
};

/** Runs one purge while ingest load runs in slices; the purge starts once the first slice is flowing. */
const purgeUnderLoad = async (sendSlice: () => Promise<LoadWindow>, options: PurgeOptions): Promise<PacedPurge> => {
  const now = (): number => performance.timeOrigin + performance.now();
  let startedAt = Number.POSITIVE_INFINITY;
  let endedAt: number | null = null;
  let failure: unknown = null;
  const purging = sleep(PURGE_START_DELAY_MS)
    .then(() => {
      startedAt = now();

      return purge(options);
    })
    .catch((error: unknown) => {
      failure = error;

      return null;
    })
    .finally(() => {
      endedAt = now();
    });
  const samples: RequestSample[] = [];
  do samples.push(...(await sendSlice()).samples);
  while (endedAt === null);
  const result = await purging;
  if (!result) throw failure instanceof Error ? failure : new Error(String(failure));
  const finishedAt = endedAt as number;

  return {
    pauseFactor: options.pauseFactor ?? DEFAULT_PAUSE_FACTOR,
    result,
    ms: finishedAt - startedAt,
    rows: result.deleted.orders + result.deleted.messages + result.deleted.events + result.deleted.jobs,
    whilePurging: latencyOf(samples.filter((sample) => sample.dueAt >= startedAt && sample.dueAt <= finishedAt)),
  };
};

/**
 * What the bench database's active connections wait on, sampled from pg_stat_activity: `CPU` when
 * running, else PostgreSQL's wait event (IO:WALSync, LWLock:..., Lock:...), per phase of the run,
 * split between the purge's statements and everything else.
 */
const startWaitSampler = async (databaseUrl: string) => {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'akked-bench-waits' });
  await client.connect();
  const counts = new Map<string, Map<string, number>>();
  let phase = 'setup';
  let isClosed = false;
  const sample = async () => {
    const { rows } = await client.query<{ wait: string; query: string }>(
      `select coalesce(wait_event_type || ':' || wait_event, 'CPU') as wait, query from pg_stat_activity
       where datname = current_database() and state = 'active' and pid <> pg_backend_pid() and backend_type = 'client backend'`,
    );
    for (const row of rows) {
      const isPurge = /for update skip locked|^with m as \(delete from messages|^delete from orders where id = any|update messages set text = ''/.test(row.query.trim());
      const key = `${phase} / ${isPurge ? 'purge' : 'ingest and jobs'}`;
      const byWait = counts.get(key) ?? new Map<string, number>();
      byWait.set(row.wait, (byWait.get(row.wait) ?? 0) + 1);
      counts.set(key, byWait);
    }
  };
  const loop = (async () => {
    while (!isClosed) {
      await sample().catch(() => undefined);
      await sleep(WAIT_SAMPLE_MS);
    }
  })();

  return {
    phase: (name: string) => {
      phase = name;
    },
    close: async () => {
      if (!isClosed) {
        isClosed = true;
        await loop;
        await client.end().catch(() => undefined);
      }

      return counts;
    },
  };
};

/** "CPU 60%, IO:WALSync 25%, ..." for the four most frequent waits. */
const describeWaits = (byWait: Map<string, number> | undefined): string => {
  if (!byWait) return '—';
  const total = [...byWait.values()].reduce((sum, count) => sum + count, 0);

  return [...byWait.entries()]
    .sort((first, second) => second[1] - first[1])
    .slice(0, 4)
    .map(([wait, count]) => `${wait} ${Math.round((count / total) * 100)}%`)
    .join(', ');
};

export const benchmark: Benchmark = {
  name: 'purge',
  title: 'retention purge of the oldest month of 1,000,000 orders under ingest, and export of 100,000 orders',
  run: async () => {
    const cleanup = new Cleanup();
    try {
      const benchDatabase = await createBenchDatabase();
      cleanup.add('drop the bench database', () => benchDatabase.drop());
      const benchConfig = await createBenchConfig(benchDatabase.url, { AKKED_MESSAGE_TEXT_DAYS: String(MESSAGE_TEXT_DAYS) });
      const bench = await startBenchRuntime(benchConfig);
      cleanup.add('stop the runtime', () => bench.stop());
      const merchant = await signUpMerchant(bench);
      const store = await createShopifyStore(bench, merchant, { name: 'دار العود', whatsappNumberId: null });
      const targets: LoadTarget[] = [{ storeId: store.id, secret: store.webhookSecret }];
      const template = buildShopifyOrderTemplate();
      const notes: string[] = [];

      const loadAtStart = loadavg()[0] ?? 0;

      // Seeding.
      const seedEnd = new Date(Date.now() - 60_000);
      const stepMs = (SPAN_DAYS * DAY_MS) / SEEDED_ORDERS;
      const seedStartedAt = performance.now();
      const seedTimings = await seed(benchDatabase.url, { accountId: merchant.accountId, storeId: store.id, seedEnd, stepMs });
      const seedMs = performance.now() - seedStartedAt;
      const { database } = bench.runtime.services;
      const [sizes] = await database.query<{ orders: string; messages: string; events: string; size: string }>(
        `select (select count(*) from orders) as orders, (select count(*) from messages) as messages, (select count(*) from order_events) as events,
                pg_database_size(current_database()) as size`,
      );

      // Ingest without a purge (after a warm-up).
      let nextOrderIndex = 0;
      const ingest = async (durationMs: number): Promise<LoadWindow> => {
        const window = await ingestFor(bench, targets, template, nextOrderIndex, durationMs);
        nextOrderIndex += window.samples.length;

        return window;
      };
      // Every phase sends in slices of the same length, so each pays the same generator-thread start-ups.
      const ingestInSlices = async (durationMs: number): Promise<RequestSample[]> => {
        const samples: RequestSample[] = [];
        for (let elapsed = 0; elapsed < durationMs; elapsed += LOAD_SLICE_MS) samples.push(...(await ingest(LOAD_SLICE_MS)).samples);

        return samples;
      };
      await ingest(WARM_UP_MS);
      const waitSampler = await startWaitSampler(benchDatabase.url);
      cleanup.add('stop the wait sampler', () => waitSampler.close());
      waitSampler.phase('without purge');
      const withoutPurge: RequestSample[] = await ingestInSlices(BASELINE_MS);

      // The oldest month goes in three purges of about ten days each, one per pause factor, each
      // under the same ingest and followed by a stretch without a purge (part of the baseline).
      // Fixed up front: the count of what is due and the three purges agree on "now".
      const lastAsOf = new Date();
      const [due] = await database.query<{ orders: string }>('select count(*) as orders from orders where created_at < $1', [retentionCutoff(lastAsOf)]);
      const paced: PacedPurge[] = [];
      for (const [index, pauseFactor] of PAUSE_FACTORS.entries()) {
        const asOf = new Date(lastAsOf.getTime() - (PAUSE_FACTORS.length - 1 - index) * PURGE_STEP_DAYS * DAY_MS);
        waitSampler.phase(`purge, pause ${pauseFactor}×`);
        paced.push(
          await purgeUnderLoad(() => ingest(LOAD_SLICE_MS), {
            database,
            keyring: bench.runtime.services.keyring,
            jobSchema: bench.runtime.services.queue.schema,
            logger: bench.runtime.services.logger,
            asOf,
            dryRun: false,
            messageTextDays: MESSAGE_TEXT_DAYS,
            pauseFactor,
          }),
        );
        waitSampler.phase('without purge');
        withoutPurge.push(...(await ingestInSlices(SETTLE_MS)));
      }
      const waits = await waitSampler.close();
      const baseline = latencyOf(withoutPurge);
      const purgedOrders = paced.reduce((sum, run) => sum + run.result.deleted.orders, 0);
      const defaultPace = paced.find((run) => run.pauseFactor === DEFAULT_PAUSE_FACTOR) as PacedPurge;
      const ratioOf = (run: PacedPurge) => run.whilePurging.latency.p99 / baseline.latency.p99;

      // Export of the newest 100,000 seeded orders.
      const window = {
        from: new Date(seedEnd.getTime() - (EXPORT_ORDERS - 1) * stepMs).toISOString(),
        to: new Date(seedEnd.getTime() + 1).toISOString(),
      };
      const exports = [await runExport(bench, merchant.apiKey, 'ndjson', window), await runExport(bench, merchant.apiKey, 'csv', window)];
      const worstExport = exports.reduce((worst, run) => (run.peakRss - run.idleRss > worst.peakRss - worst.idleRss ? run : worst), exports[0] as ExportRun);

      const keyErasure = await measureKeyErasure(bench, merchant.accountId);
      const customersPerMonth = Number(due?.orders ?? 0);

      const isCorrect = purgedOrders === Number(due?.orders ?? -1) && exports.every((run) => run.rows === EXPORT_ORDERS);
      const problems = await bench.readLoggedProblems();
      notes.push(
        `PostgreSQL ${benchDatabase.serverVersion} at ${benchDatabase.serverUrl} (fresh database ${benchDatabase.name}, dropped afterwards); ${cpus().length} CPUs shared by PostgreSQL, Akked and the load generator`,
        `seeded ${Number(sizes?.orders).toLocaleString('en-US')} orders, ${Number(sizes?.messages).toLocaleString('en-US')} messages, ${Number(sizes?.events).toLocaleString('en-US')} events over ${SPAN_DAYS} days in ${round(seedMs / 1000)} s (database ${formatBytes(Number(sizes?.size))}); secondary indexes rebuilt after the load`,
        `ingest: ${INGEST_RATE_PER_SECOND} signed Shopify webhooks/s, open loop, one store with no WhatsApp number (each order's job ends failed/no_whatsapp_number); every phase sends in ${LOAD_SLICE_MS / 1000} s slices (a new generator thread each); "during" counts requests due while the purge ran`,
        `purge: the month past the 12-month line (${customersPerMonth.toLocaleString('en-US')} orders) in three purges of ~${PURGE_STEP_DAYS} days, batches of 500, pause after each batch ${PAUSE_FACTORS.join('×, ')}× its own time; baseline: ${BASELINE_MS / 1000} s before and ${SETTLE_MS / 1000} s after each purge`,
        `export window ${window.from} – ${window.to}; RSS peak: ${worstExport.peakSource}; the HTTP client runs in the same process as the server`,
        `key erasure on a number holding ${keyErasure.rowsBefore.toLocaleString('en-US')} key rows of ${KEY_CONTACTS.toLocaleString('en-US')} contacts: one customer a call ${round(keyErasure.msPerCustomer)} ms each (${keyErasure.customers} timed); ${KEY_ERASURE_BATCH} in one call, as the purge does, ${round(keyErasure.msPerCustomerBatched)} ms per customer, so a month of ${customersPerMonth.toLocaleString('en-US')} customers with one linked number adds ≈ ${round((keyErasure.msPerCustomerBatched * customersPerMonth) / 1000)} s (this account has no number, so the runs above do not include it)`,
        `machine load average (1 min) ${round(loadAtStart)} at the start, ${round(loadavg()[0] ?? 0)} at the end: other work on the machine shares its ${cpus().length} cores`,
        describeLoggedProblems(problems),
      );
      if (!isCorrect) notes.push(`CORRECTNESS: purged ${purgedOrders} orders of ${due?.orders} due; exported ${exports.map((run) => run.rows).join(' / ')} of ${EXPORT_ORDERS}`);

      const targetChecks: TargetCheck[] = [
        ...paced.map((run): TargetCheck => ({
          name: `ingest p99 during purge / baseline, pause ${run.pauseFactor}×${run.pauseFactor === DEFAULT_PAUSE_FACTOR ? ' (default)' : ''}`,
          target: '≤ 2×',
          measured: `${Math.round(ratioOf(run) * 100) / 100}× (${round(run.whilePurging.latency.p99)} ms vs ${round(baseline.latency.p99)} ms)`,
          met: Number.isFinite(ratioOf(run)) ? ratioOf(run) <= 2 && run.whilePurging.errors === 0 : null,
        })),
        {
          name: 'export peak RSS above idle',
          target: '≤ 100 MB',
          measured: `${formatBytes(worstExport.peakRss - worstExport.idleRss)} (${worstExport.format})`,
          met: worstExport.peakRss - worstExport.idleRss <= 100 * MIB,
        },
      ];
      const seedRows: Cell[][] = [
        ['orders', SEEDED_ORDERS, seedTimings.filter((timing) => timing.step.startsWith('orders')).reduce((sum, timing) => sum + timing.ms, 0) / 1000],
        ['messages', SEEDED_ORDERS * 2, seedTimings.filter((timing) => timing.step.includes('messages')).reduce((sum, timing) => sum + timing.ms, 0) / 1000],
        ['events', SEEDED_ORDERS * 2, seedTimings.filter((timing) => timing.step.includes('events')).reduce((sum, timing) => sum + timing.ms, 0) / 1000],
        ...seedTimings.filter((timing) => timing.rows === 0).map((timing): Cell[] => [timing.step, null, timing.ms / 1000]),
      ];
      const latencyRow = (label: string, measured: ReturnType<typeof latencyOf>): Cell[] => [
        label, measured.sent, measured.errors, measured.latency.p50, measured.latency.p95, measured.latency.p99, measured.latency.max,
      ];

      return {
        figures: {
          seeded_orders: Number(sizes?.orders),
          seed_seconds: round(seedMs / 1000),
          purged_orders: purgedOrders,
          ingest_rate_per_second: INGEST_RATE_PER_SECOND,
          baseline_p99_ms: round(baseline.latency.p99),
          ...Object.fromEntries(
            paced.flatMap((run) => [
              [`pause_${run.pauseFactor}_purge_seconds`, round(run.ms / 1000)],
              [`pause_${run.pauseFactor}_rows_purged_per_second`, round(run.rows / (run.ms / 1000))],
              [`pause_${run.pauseFactor}_orders_purged_per_second`, round(run.result.deleted.orders / (run.ms / 1000))],
              [`pause_${run.pauseFactor}_during_purge_p99_ms`, round(run.whilePurging.latency.p99)],
              [`pause_${run.pauseFactor}_p99_ratio`, Math.round(ratioOf(run) * 100) / 100],
            ]),
          ),
          rows_purged_per_second: round(defaultPace.rows / (defaultPace.ms / 1000)),
          p99_ratio: Math.round(ratioOf(defaultPace) * 100) / 100,
          ...Object.fromEntries(
            exports.flatMap((run) => [
              [`export_${run.format}_rows_per_second`, round(run.rows / (run.ms / 1000))],
              [`export_${run.format}_peak_rss_above_idle_bytes`, Math.round(run.peakRss - run.idleRss)],
            ]),
          ),
          key_erasure_ms_per_customer: round(keyErasure.msPerCustomer),
          key_erasure_batched_ms_per_customer: round(keyErasure.msPerCustomerBatched),
        },
        tables: [
          { title: 'Seeding (INSERT ... SELECT generate_series, 100,000 orders a chunk)', columns: ['step', 'rows', 'seconds'], rows: seedRows },
          {
            title: `Ingest at ${INGEST_RATE_PER_SECOND} webhooks/s (ms from due to answer)`,
            columns: ['phase', 'requests', 'errors', 'p50', 'p95', 'p99', 'max'],
            rows: [latencyRow('without purge', baseline), ...paced.map((run) => latencyRow(`during purge, pause ${run.pauseFactor}×`, run.whilePurging))],
          },
          {
            title: 'Purges of the oldest month (rows received before the 12-month line), ~10 days each',
            columns: ['pause after a batch', 'orders', 'messages', 'events', 'seconds', 'rows/s', 'orders/s', 'ingest p99 ratio'],
            rows: paced.map((run) => [
              `${run.pauseFactor}× its time`,
              run.result.deleted.orders,
              run.result.deleted.messages,
              run.result.deleted.events,
              run.ms / 1000,
              run.rows / (run.ms / 1000),
              run.result.deleted.orders / (run.ms / 1000),
              `${Math.round(ratioOf(run) * 100) / 100}×`,
            ]),
          },
          {
            title: `What the database's active connections waited on (pg_stat_activity every ${WAIT_SAMPLE_MS} ms)`,
            columns: ['phase / connections', 'samples', 'top waits'],
            rows: [...waits.entries()].map(([key, byWait]): Cell[] => [key, [...byWait.values()].reduce((sum, count) => sum + count, 0), describeWaits(byWait)]),
          },
          {
            title: `Export of ${EXPORT_ORDERS.toLocaleString('en-US')} orders over HTTP (2 messages and 2 events each)`,
            columns: ['format', 'rows', 'MB', 'seconds', 'rows/s', 'idle RSS', 'peak RSS', 'above idle'],
            rows: exports.map((run) => [
              run.format,
              run.rows,
              run.bytes / MIB,
              run.ms / 1000,
              run.rows / (run.ms / 1000),
              formatBytes(run.idleRss),
              formatBytes(run.peakRss),
              formatBytes(run.peakRss - run.idleRss),
            ]),
          },
        ],
        targets: targetChecks,
        notes,
        isCorrect,
      };
    } finally {
      await cleanup.run();
    }
  },
};

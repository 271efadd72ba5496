import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_SCHEMA } from '../../src/db/database.ts';
import { shopifyCodOrder } from '../harness/flow.ts';
import { findFreePort, signUpMerchant, startAkked, waitForHttp, type AkkedProcess } from '../harness/processes.ts';

/**
 * Real Akked processes on PostgreSQL for fault tests and bench/faults: `akked simulator` (with
 * fault flags), one `akked api` and N `akked worker`, a merchant with simulator numbers and one
 * Shopify store per number, a Shopify-like webhook client that retries every non-2xx answer, and
 * the reads that tell whether each order was stored once and sent exactly once.
 */
export type RigOptions = {
  databaseUrl: string;
  workers: number;
  numbers: number;
  /** `serve` runs api, workers and scheduler in the one HTTP process (then `workers` may be 0). */
  httpRole?: 'api' | 'serve';
  simulatorArgs?: string[];
  /** Extra environment for the api and the workers. */
  environment?: Record<string, string>;
  log?: (line: string) => void;
};

export type RigStore = { storeId: string; numberId: string; phone: string; secret: string };

export type RigOrder = { index: number; externalId: string; customer: string; store: RigStore };

/** One order's delivery as the platform saw it: every answer, and when it was finally accepted. */
export type Delivery = { order: RigOrder; firstAttemptAt: number; acceptedAt: number | null; statuses: number[]; answers: { status: number; at: number; retryAfter: string | null; elapsedMs: number }[] };

export type OrderAudit = {
  order: RigOrder;
  /** Rows in `orders` for this store and platform id. */
  storedRows: number;
  /** Confirmation messages the database holds as sent (or delivered, read). */
  sentRows: number;
  sentAt: Date | null;
  /** Messages the simulated network delivered to the customer. */
  received: number;
};

export type Rig = {
  baseUrl: string;
  simulatorUrl: string;
  databaseUrl: string;
  simulator: AkkedProcess;
  api: AkkedProcess;
  workers: AkkedProcess[];
  stores: RigStore[];
  startWorker(): AkkedProcess;
  /** Stops the HTTP process with `signal` and starts another on the same port; answers the old one's exit code. */
  restartApi(signal?: NodeJS.Signals): Promise<number | null>;
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  order(index: number): RigOrder;
  deliver(order: RigOrder, options?: { deadlineMs?: number }): Promise<Delivery>;
  /** Sends orders at `perSecond`, each retried like Shopify until accepted or the deadline. */
  deliverAtRate(orders: RigOrder[], perSecond: number, options?: { deadlineMs?: number }): Promise<Delivery[]>;
  audit(orders: RigOrder[]): Promise<OrderAudit[]>;
  /** Where these orders stand (order status, their confirmation jobs), for a failure message. */
  diagnose(externalIds: string[]): Promise<string>;
  simulatorControl(route: string, body: unknown): Promise<Record<string, unknown>>;
  /** The worker pid that holds each number's live lease. */
  leaseOwners(): Promise<Map<string, number | null>>;
  stop(): Promise<void>;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Shopify retries a failed delivery with a growing pause; compressed here to seconds. */
const SHOPIFY_RETRY_PAUSES_MS = [1_000, 2_000, 4_000, 8_000];

export const startRig = async (options: RigOptions): Promise<Rig> => {
  const log = options.log ?? (() => undefined);
  const processes: AkkedProcess[] = [];
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-faults-'));
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4, options: `-c search_path=${DEFAULT_SCHEMA}` });
  // The database may go away under the rig (the crash test): an idle client's error is expected.
  pool.on('error', () => undefined);

  const simulatorPort = await findFreePort();
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
  const simulator = startAkked(['simulator', '--port', String(simulatorPort), '--delivered-ms', '50', '--read-ms', '120', ...(options.simulatorArgs ?? [])], { LOG_LEVEL: 'warn' });
  processes.push(simulator);
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const environment = {
    DATABASE_URL: options.databaseUrl,
    AKKED_MASTER_KEY: randomBytes(32).toString('base64'),
    AKKED_DATA_DIR: dataDirectory,
    AKKED_PUBLIC_URL: baseUrl,
    AKKED_WHATSAPP_SIMULATOR_URL: simulatorUrl,
    AKKED_SEND_GAP_SECONDS: '0',
    AKKED_FREE_CREDITS: '100000',
    AKKED_SIGN_IN_RATE_LIMIT: '1000',
    LOG_LEVEL: 'warn',
    ...options.environment,
  };
  const startApi = () => {
    const api = startAkked([options.httpRole ?? 'api'], { ...environment, PORT: String(port), HOST: '127.0.0.1' });
    processes.push(api);

    return api;
  };
  const workers: AkkedProcess[] = [];
  const startWorker = () => {
    const worker = startAkked(['worker'], environment);
    workers.push(worker);
    processes.push(worker);

    return worker;
  };
  const stopAll = async () => {
    await Promise.all([...processes].reverse().map((child) => child.stop()));
    await pool.end().catch(() => undefined);
    await rm(dataDirectory, { recursive: true, force: true });
  };

  try {
    let api = startApi();
    await waitForHttp(`${simulatorUrl}/healthz`);
    await waitForHttp(`${baseUrl}/readyz`, 120_000);
    for (let index = 0; index < options.workers; index++) startWorker();
    const merchant = await signUpMerchant(baseUrl, dataDirectory, { email: `faults.${randomBytes(4).toString('hex')}@example.com` });
    const stores: RigStore[] = [];
    for (let index = 0; index < options.numbers; index++) {
      const number = await merchant.api('POST', '/api/v1/whatsapp-numbers', { provider: 'simulator' });
      if (number.status !== 201) throw new Error(`number: ${number.status} ${number.text}`);
      const secret = `faults-secret-${index}-${randomBytes(6).toString('hex')}`;
      const store = await merchant.api('POST', '/api/v1/stores', { name: `Faults ${index}`, platform: 'shopify', whatsappNumberId: number.json.id, defaultCountry: 'SA', timezone: 'Asia/Riyadh', webhookSecret: secret });
      if (store.status !== 201) throw new Error(`store: ${store.status} ${store.text}`);
      stores.push({ storeId: String(store.json.id), numberId: String(number.json.id), phone: String(number.json.phone), secret });
    }
    log(`rig: ${stores.length} numbers and stores created`);
    const query = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await pool.query<T>(text, values)).rows;
    const numberIds = stores.map((store) => store.numberId);
    const storeIds = stores.map((store) => store.storeId);

    const leaseOwners = async () => {
      const rows = await query<{ number_id: string; pid: number | null }>(
        'select l.number_id, w.pid from whatsapp_leases l left join workers w on w.id = l.owner_id where l.expires_at > now() and l.number_id = any($1::text[])',
        [numberIds],
      );

      return new Map(rows.map((row) => [row.number_id, row.pid]));
    };
    // Every number linked and driven by a live worker before the load starts.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const connected = await query<{ count: string }>("select count(*) from whatsapp_numbers where id = any($1::text[]) and status = 'connected'", [numberIds]);
      const owners = await leaseOwners();
      if (Number(connected[0]?.count) === stores.length && owners.size === stores.length) break;
      if (Date.now() > deadline) {
        // Which numbers are missing and what happened to them, for whoever reads the failure.
        const history = await query(
          `select n.id, n.status, (select json_agg(json_build_object('status', e.status, 'reason', e.reason, 'at', e.at) order by e.at)
             from whatsapp_number_events e where e.number_id = n.id) as history
             from whatsapp_numbers n where n.id = any($1::text[]) and (n.status <> 'connected' or not exists
               (select 1 from whatsapp_leases l where l.number_id = n.id and l.expires_at > now()))`,
          [numberIds],
        );
        throw new Error(`numbers not all connected and leased: ${connected[0]?.count} connected, ${owners.size} leased; missing: ${JSON.stringify(history)}`);
      }
      await sleep(250);
    }
    log('rig: every number connected');

    const order = (index: number): RigOrder => {
      const store = stores[index % stores.length] as RigStore;

      return { index, externalId: `7${String(index).padStart(9, '0')}${randomBytes(2).readUInt16BE(0)}`, customer: `+96655${String(index).padStart(7, '0')}`, store };
    };

    const deliver = async (target: RigOrder, deliverOptions: { deadlineMs?: number } = {}): Promise<Delivery> => {
      const body = shopifyCodOrder({ id: target.externalId, number: `#${target.index}`, phone: target.customer });
      const signature = createHmac('sha256', target.store.secret).update(body).digest('base64');
      const webhookId = randomBytes(8).toString('hex');
      const delivery: Delivery = { order: target, firstAttemptAt: Date.now(), acceptedAt: null, statuses: [], answers: [] };
      const deadline = Date.now() + (deliverOptions.deadlineMs ?? 180_000);
      for (let attempt = 0; ; attempt++) {
        const sentAt = Date.now();
        let status = 0;
        let retryAfter: string | null = null;
        try {
          // Shopify gives up on an answer after 5 s; a hung request counts as a failure.
          const response = await fetch(`${baseUrl}/hooks/shopify/${target.store.storeId}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': signature, 'x-shopify-webhook-id': webhookId },
            body,
            signal: AbortSignal.timeout(5_000),
          });
          status = response.status;
          retryAfter = response.headers.get('retry-after');
          await response.arrayBuffer();
        } catch {
          status = 0;
        }
        delivery.statuses.push(status);
        delivery.answers.push({ status, at: sentAt, retryAfter, elapsedMs: Date.now() - sentAt });
        if (status >= 200 && status < 300) {
          delivery.acceptedAt = Date.now();

          return delivery;
        }
        if (Date.now() > deadline) return delivery;
        await sleep(SHOPIFY_RETRY_PAUSES_MS[Math.min(attempt, SHOPIFY_RETRY_PAUSES_MS.length - 1)] as number);
      }
    };

    const deliverAtRate = async (orders: RigOrder[], perSecond: number, rateOptions: { deadlineMs?: number } = {}) => {
      const started = Date.now();
      const pending: Promise<Delivery>[] = [];
      for (const [position, target] of orders.entries()) {
        const due = started + (position * 1000) / perSecond;
        if (due > Date.now()) await sleep(due - Date.now());
        pending.push(deliver(target, rateOptions));
      }

      return Promise.all(pending);
    };

    const audit = async (orders: RigOrder[]): Promise<OrderAudit[]> => {
      const stored = await query<{ store_id: string; external_id: string; rows: string }>(
        'select store_id, external_id, count(*) as rows from orders where store_id = any($1::text[]) group by store_id, external_id',
        [storeIds],
      );
      const storedBy = new Map(stored.map((row) => [`${row.store_id}/${row.external_id}`, Number(row.rows)]));
      const sent = await query<{ store_id: string; external_id: string; sent: string; sent_at: Date | null }>(
        `select o.store_id, o.external_id, count(m.id) filter (where m.status in ('sent', 'delivered', 'read')) as sent, min(m.sent_at) as sent_at
           from orders o join messages m on m.order_id = o.id and m.kind = 'confirmation'
          where o.store_id = any($1::text[]) group by o.store_id, o.external_id`,
        [storeIds],
      );
      const sentBy = new Map(sent.map((row) => [`${row.store_id}/${row.external_id}`, row]));
      const audits: OrderAudit[] = [];
      // What each customer's phone got, read from the simulated network (a few at a time).
      for (let start = 0; start < orders.length; start += 20) {
        const slice = orders.slice(start, start + 20);
        const counts = await Promise.all(
          slice.map(async (target) => {
            const response = await fetch(`${simulatorUrl}/control/messages?to=${encodeURIComponent(target.customer)}`);
            const { messages } = (await response.json()) as { messages: { from: string }[] };

            return messages.filter((message) => message.from === target.store.phone).length;
          }),
        );
        for (const [offset, target] of slice.entries()) {
          const key = `${target.store.storeId}/${target.externalId}`;
          const row = sentBy.get(key);
          audits.push({ order: target, storedRows: storedBy.get(key) ?? 0, sentRows: Number(row?.sent ?? 0), sentAt: row?.sent_at ?? null, received: counts[offset] ?? 0 });
        }
      }

      return audits;
    };

    const diagnose = async (externalIds: string[]) => {
      if (externalIds.length === 0) return 'nothing to diagnose';
      const rows = await query(
        `select o.external_id, o.status, o.updated_at,
                (select json_agg(json_build_object('state', j.state, 'retries', j.retry_count, 'started', j.started_on, 'startAfter', j.start_after, 'heartbeat', j.heartbeat_on))
                   from pgboss.job j where j.name = 'confirmation.send' and j.data->>'orderId' = o.id) as jobs,
                (select json_agg(json_build_object('status', m.status, 'sentAt', m.sent_at)) from messages m where m.order_id = o.id) as messages
           from orders o where o.store_id = any($1::text[]) and o.external_id = any($2::text[]) order by o.external_id limit 10`,
        [storeIds, externalIds],
      ).catch((error: unknown) => [{ error: String(error) }]);

      return `at ${new Date().toISOString()}: ${JSON.stringify(rows)}`;
    };

    const simulatorControl = async (route: string, body: unknown) => {
      const response = await fetch(`${simulatorUrl}/control/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await response.json()) as Record<string, unknown>;
      if (response.status >= 300) throw new Error(`simulator ${route}: ${response.status} ${JSON.stringify(json)}`);

      return json;
    };

    return {
      baseUrl,
      simulatorUrl,
      databaseUrl: options.databaseUrl,
      simulator,
      get api() {
        return api;
      },
      workers,
      stores,
      startWorker,
      restartApi: async (signal: NodeJS.Signals = 'SIGTERM') => {
        const code = await api.stop(signal);
        api = startApi();
        await waitForHttp(`${baseUrl}/readyz`, 120_000);

        return code;
      },
      query,
      order,
      deliver,
      deliverAtRate,
      audit,
      diagnose,
      simulatorControl,
      leaseOwners,
      stop: stopAll,
    };
  } catch (error) {
    const outputs = processes.map((child) => child.output().slice(-3000)).join('\n---\n');
    await stopAll();
    throw new Error(`${(error as Error).message}\n${outputs}`, { cause: error });
  }
};

/** Whether a process is still running (neither exited nor killed). */
export const isRunning = (child: AkkedProcess): boolean => child.child.exitCode === null && child.child.signalCode === null;

/** Counts of an audit: what was lost, duplicated, and when each order was sent. */
export const summarizeAudit = (audits: OrderAudit[]) => ({
  orders: audits.length,
  notStored: audits.filter((audit) => audit.storedRows === 0).map((audit) => audit.order.externalId),
  storedTwice: audits.filter((audit) => audit.storedRows > 1).map((audit) => audit.order.externalId),
  notSent: audits.filter((audit) => audit.received === 0 || audit.sentRows === 0).map((audit) => audit.order.externalId),
  sentTwice: audits.filter((audit) => audit.received > 1 || audit.sentRows > 1).map((audit) => audit.order.externalId),
});

/** A fresh database on the server of `serverUrl` (TEST_DATABASE_URL or a cluster of the test's own). */
export const createDatabase = async (serverUrl: string, prefix = 'akked_faults'): Promise<{ url: string; drop(): Promise<void> }> => {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;

  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
};

/** Polls `read` until `isDone` or the timeout; answers the last value either way (the test asserts it). */
export const waitFor = async <T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!isDone(value) && Date.now() < deadline) {
    await sleep(250);
    value = await read();
  }

  return value;
};

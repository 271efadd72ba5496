import { Worker } from 'node:worker_threads';

/**
 * Sends signed Shopify webhooks to a real Akked HTTP server from a worker thread (its own event
 * loop, so the server's work does not delay the client's clock and the reverse), over keep-alive
 * connections. Two paces:
 * - open loop: request i is due at start + i / rate whatever happens to the others; its latency
 *   counts from when it was due, so a server that falls behind shows it (no coordinated omission);
 * - closed loop: N connections, each sending its next request when the previous one answered.
 */
export type LoadTarget = { storeId: string; secret: string };

export type LoadPace = { kind: 'open'; ratePerSecond: number } | { kind: 'closed'; connections: number };

export type LoadPlan = {
  baseUrl: string;
  /** Body template from shopify-order-template.ts. */
  template: string;
  targets: LoadTarget[];
  /** Request i goes to `targets[targetOrder[i % targetOrder.length]]`; round robin without it. */
  targetOrder?: number[];
  /** Request i carries order id `orderIdBase + firstOrderIndex + i` and a phone derived from it. */
  orderIdBase: bigint;
  firstOrderIndex: number;
  pace: LoadPace;
  durationMs: number;
  maxRequests: number;
  /** Requests still unanswered this long after the start are abandoned and counted as unfinished. */
  deadlineMs: number;
  maxSockets: number;
  /**
   * `http` (default): Node's HTTP client. `socket`: HTTP/1.1 written straight onto keep-alive TCP
   * connections (socket-load-worker.ts), far cheaper in CPU, for benchmarks where the client shares
   * the machine's cores with the server it measures.
   */
  client?: 'http' | 'socket';
};

export type RequestSample = {
  orderId: string;
  targetIndex: number;
  /** Epoch milliseconds (fractional): when the request was due, sent, answered (null: unfinished). */
  dueAt: number;
  sentAt: number;
  answeredAt: number | null;
  /** HTTP status, 0 for a network error or an abandoned request. */
  status: number;
  /** `outcome` of a 200 answer (`accepted`, `duplicate`...) or `error.code` of another. */
  outcome: string | null;
  error: string | null;
};

export type LoadResult = {
  startedAt: number;
  samples: RequestSample[];
  /** CPU the load generator's own thread spent sending (socket client, Linux only). */
  clientCpuMs?: number | null;
};

/** The order's customer phone: a Saudi mobile number unique per order index. */
export const phoneForOrderIndex = (index: number): string => `+96655${String(index % 10_000_000).padStart(7, '0')}`;

// Worker threads do not inherit tsx's hooks on Node 20: the worker registers them itself, then
// loads the TypeScript module.
const BOOTSTRAP = `const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.module); });`;

export const runLoad = (plan: LoadPlan): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: {
        tsxApi: import.meta.resolve('tsx/esm/api'),
        module: new URL(plan.client === 'socket' ? './socket-load-worker.ts' : './load-worker.ts', import.meta.url).href,
        plan: { ...plan, orderIdBase: plan.orderIdBase.toString() },
      },
    });
    let result: LoadResult | null = null;
    worker.once('message', (message: LoadResult) => {
      result = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`the load generator exited with code ${code} without results`));
    });
  });

export type LoadSummary = {
  sent: number;
  /** Answered 200 with outcome `accepted`. */
  accepted: number;
  /** Any other answer, network errors, and unfinished requests. */
  errors: number;
  unfinished: number;
  /** Accepted per second from the first due time to the last answer. */
  acceptedPerSecond: number;
  /** Latency from due time to answer, in ms, of answered requests. */
  latencies: number[];
  /** `status outcome` → count, for anything but accepted. */
  errorKinds: Map<string, number>;
  elapsedMs: number;
};

export const summarizeLoad = (result: LoadResult): LoadSummary => {
  let accepted = 0;
  let unfinished = 0;
  let lastAnswer = result.startedAt;
  const latencies: number[] = [];
  const errorKinds = new Map<string, number>();
  for (const sample of result.samples) {
    if (sample.answeredAt === null) {
      unfinished++;
      errorKinds.set('unfinished', (errorKinds.get('unfinished') ?? 0) + 1);
      continue;
    }
    lastAnswer = Math.max(lastAnswer, sample.answeredAt);
    latencies.push(sample.answeredAt - sample.dueAt);
    if (sample.status === 200 && sample.outcome === 'accepted') accepted++;
    else {
      const kind = sample.status === 0 ? `network error ${sample.error ?? ''}`.trim() : `${sample.status} ${sample.outcome ?? ''}`.trim();
      errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
    }
  }
  const elapsedMs = Math.max(1, lastAnswer - result.startedAt);

  return {
    sent: result.samples.length,
    accepted,
    errors: result.samples.length - accepted,
    unfinished,
    acceptedPerSecond: accepted / (elapsedMs / 1000),
    latencies,
    errorKinds,
    elapsedMs,
  };
};

import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { phoneForOrderIndex, type LoadPlan, type LoadResult, type RequestSample } from './load-generator.ts';
import { renderShopifyOrder, shopifyWebhookHeaders } from './shopify-webhook.ts';

/**
 * The worker-thread side of load-generator.ts with `client: 'socket'`: the same requests, paces
 * and samples as load-worker.ts, written as HTTP/1.1 straight onto keep-alive TCP connections
 * (one request at a time per connection, answers framed by content-length). Node's HTTP client
 * costs several hundred µs of CPU per request on a small machine, CPU the server under test then
 * lacks; this client costs a few tens.
 */
type WorkerPlan = Omit<LoadPlan, 'orderIdBase'> & { orderIdBase: string };

const plan = (workerData as { plan: WorkerPlan }).plan;
const baseUrl = new URL(plan.baseUrl);
const now = (): number => performance.timeOrigin + performance.now();
const samples: RequestSample[] = [];
const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /^content-length:\s*(\d+)\s*$/im;

const readOutcome = (status: number, text: string): string | null => {
  try {
    const body = JSON.parse(text) as { outcome?: unknown; error?: { code?: unknown } };
    if (status === 200 && typeof body.outcome === 'string') return body.outcome;
    if (typeof body.error?.code === 'string') return body.error.code;
  } catch {
    // Not JSON: the status says enough.
  }

  return null;
};

type Exchange = { sample: RequestSample; done: () => void };

/** One keep-alive connection: sends a request, reads its answer, then takes the next. */
class Connection {
  private socket: Socket | null = null;
  private received: Buffer = Buffer.alloc(0);
  private current: Exchange | null = null;

  constructor(private readonly onIdle: (connection: Connection) => void) {}

  send(request: Buffer, exchange: Exchange): void {
    this.current = exchange;
    exchange.sample.sentAt = now();
    if (!this.socket) this.open();
    this.socket?.write(request);
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
    if (this.current) this.finish(0, null, 'abandoned at the deadline', false);
  }

  private open(): void {
    const socket = connect({ host: baseUrl.hostname, port: Number(baseUrl.port), noDelay: true });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const onLost = (error?: Error) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.received = Buffer.alloc(0);
      if (this.current) this.finish(0, null, error?.message ?? 'connection closed', true);
    };
    socket.on('error', onLost);
    socket.on('close', () => onLost());
    this.socket = socket;
  }

  private onData(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    const headerEnd = this.received.indexOf(HEADER_END);
    if (headerEnd === -1) return;
    const head = this.received.subarray(0, headerEnd).toString('latin1');
    const length = Number(CONTENT_LENGTH.exec(head)?.[1] ?? Number.NaN);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    if (!Number.isFinite(length)) {
      this.finish(status, null, 'an answer without content-length', true);
      this.socket?.destroy();

      return;
    }
    const bodyStart = headerEnd + HEADER_END.length;
    if (this.received.length < bodyStart + length) return;
    const body = this.received.subarray(bodyStart, bodyStart + length).toString('utf8');
    this.received = this.received.subarray(bodyStart + length);
    this.finish(status, readOutcome(status, body), null, true);
  }

  private finish(status: number, outcome: string | null, error: string | null, isAnswered: boolean): void {
    const exchange = this.current;
    if (!exchange) return;
    this.current = null;
    if (isAnswered) exchange.sample.answeredAt = now();
    exchange.sample.status = status;
    exchange.sample.outcome = outcome;
    exchange.sample.error = error;
    exchange.done();
    this.onIdle(this);
  }
}

const buildRequest = (index: number, targetIndex: number, orderId: string): Buffer => {
  const target = plan.targets[targetIndex];
  if (!target) throw new Error(`no load target ${targetIndex}`);
  const orderIndex = plan.firstOrderIndex + index;
  const body = renderShopifyOrder(plan.template, { orderId, orderNumber: String(orderIndex), phone: phoneForOrderIndex(orderIndex) });
  const headers = shopifyWebhookHeaders(body, target.secret, `bench-delivery-${orderId}`);
  const head = [`POST /hooks/shopify/${target.storeId} HTTP/1.1`, `host: ${baseUrl.host}`, 'connection: keep-alive', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];

  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body, 'utf8')]);
};

type Queued = { index: number; sample: RequestSample; done: () => void };

const connections: Connection[] = [];
const idle: Connection[] = [];
const queued: Queued[] = [];
const pending = new Set<Promise<void>>();

const dispatch = (connection: Connection, item: Queued): void => {
  connection.send(buildRequest(item.index, item.sample.targetIndex, item.sample.orderId), { sample: item.sample, done: item.done });
};

const onIdle = (connection: Connection): void => {
  const next = queued.shift();
  if (next) dispatch(connection, next);
  else idle.push(connection);
};

/** Sends request `index`, due at `dueAt`, on a free connection (or the next one freed). */
const send = (index: number, dueAt: number): Promise<void> => {
  const targetIndex = plan.targetOrder ? (plan.targetOrder[index % plan.targetOrder.length] ?? 0) : index % plan.targets.length;
  const orderId = (BigInt(plan.orderIdBase) + BigInt(plan.firstOrderIndex + index)).toString();
  const sample: RequestSample = { orderId, targetIndex, dueAt, sentAt: now(), answeredAt: null, status: 0, outcome: null, error: null };
  samples.push(sample);
  const done = new Promise<void>((resolve) => {
    const item: Queued = { index, sample, done: resolve };
    let connection = idle.pop();
    if (!connection && connections.length < plan.maxSockets) {
      connection = new Connection(onIdle);
      connections.push(connection);
    }
    if (connection) dispatch(connection, item);
    else queued.push(item);
  });
  pending.add(done);
  void done.then(() => pending.delete(done));

  return done;
};

const runOpenLoop = (ratePerSecond: number, startedAt: number): Promise<void> => {
  const interval = 1000 / ratePerSecond;
  const count = Math.min(plan.maxRequests, Math.floor(plan.durationMs / interval));
  let next = 0;

  return new Promise((resolve) => {
    const pump = (): void => {
      const current = now();
      while (next < count && startedAt + next * interval <= current) {
        void send(next, startedAt + next * interval);
        next++;
      }
      if (next >= count) {
        resolve();

        return;
      }
      setTimeout(pump, Math.max(0, Math.min(5, startedAt + next * interval - now())));
    };
    pump();
  });
};

const runClosedLoop = async (connectionCount: number, startedAt: number): Promise<void> => {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < plan.maxRequests && now() - startedAt < plan.durationMs) {
      const index = next++;
      await send(index, now());
    }
  };
  await Promise.all(Array.from({ length: connectionCount }, () => loop()));
};

/** This thread's CPU time in ms (Linux), so the client's cost is told apart from the server's. */
const readThreadCpuMs = (): number | null => {
  try {
    const text = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');

    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
};

const cpuAtStart = readThreadCpuMs();
const startedAt = now();
if (plan.pace.kind === 'open') await runOpenLoop(plan.pace.ratePerSecond, startedAt);
else await runClosedLoop(plan.pace.connections, startedAt);
const remainingMs = plan.deadlineMs - (now() - startedAt);
if (pending.size > 0) {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all([...pending]), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, remainingMs))))]);
  clearTimeout(timer);
}
// Whatever is still unanswered is abandoned, sent or not.
for (const item of queued.splice(0)) {
  item.sample.error = 'abandoned at the deadline';
  item.done();
}
for (const connection of connections) connection.close();
const cpuAtEnd = readThreadCpuMs();
const result: LoadResult = { startedAt, samples, clientCpuMs: cpuAtStart === null || cpuAtEnd === null ? null : cpuAtEnd - cpuAtStart };
parentPort?.postMessage(result);

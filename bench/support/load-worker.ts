import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { phoneForOrderIndex, type LoadPlan, type LoadResult, type RequestSample } from './load-generator.ts';
import { renderShopifyOrder, shopifyWebhookHeaders } from './shopify-webhook.ts';

/** The worker-thread side of load-generator.ts: sends the plan's requests and posts every sample back. */
type WorkerPlan = Omit<LoadPlan, 'orderIdBase'> & { orderIdBase: string };

const plan = (workerData as { plan: WorkerPlan }).plan;
const baseUrl = new URL(plan.baseUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.maxSockets });
const now = (): number => performance.timeOrigin + performance.now();
const samples: RequestSample[] = [];
const pending = new Set<Promise<void>>();
let isAbandoning = false;

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

const send = (index: number, dueAt: number): Promise<void> => {
  const targetIndex = plan.targetOrder ? (plan.targetOrder[index % plan.targetOrder.length] ?? 0) : index % plan.targets.length;
  const target = plan.targets[targetIndex];
  if (!target) throw new Error(`no load target ${targetIndex}`);
  const orderIndex = plan.firstOrderIndex + index;
  const orderId = (BigInt(plan.orderIdBase) + BigInt(orderIndex)).toString();
  const body = renderShopifyOrder(plan.template, { orderId, orderNumber: String(orderIndex), phone: phoneForOrderIndex(orderIndex) });
  const sample: RequestSample = { orderId, targetIndex, dueAt, sentAt: now(), answeredAt: null, status: 0, outcome: null, error: null };
  samples.push(sample);
  const done = new Promise<void>((resolve) => {
    const request = http.request(
      {
        host: baseUrl.hostname,
        port: baseUrl.port,
        path: `/hooks/shopify/${target.storeId}`,
        method: 'POST',
        headers: shopifyWebhookHeaders(body, target.secret, `bench-delivery-${orderId}`),
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          sample.answeredAt = now();
          sample.status = response.statusCode ?? 0;
          sample.outcome = readOutcome(sample.status, Buffer.concat(chunks).toString('utf8'));
          resolve();
        });
        response.on('error', (error) => {
          sample.error = error.message;
          resolve();
        });
      },
    );
    request.on('error', (error) => {
      if (!isAbandoning) sample.answeredAt = now();
      sample.error = isAbandoning ? 'abandoned at the deadline' : error.message;
      resolve();
    });
    request.end(body);
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

const runClosedLoop = async (connections: number, startedAt: number): Promise<void> => {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < plan.maxRequests && now() - startedAt < plan.durationMs) {
      const index = next++;
      await send(index, now());
    }
  };
  await Promise.all(Array.from({ length: connections }, () => loop()));
};

const startedAt = now();
if (plan.pace.kind === 'open') await runOpenLoop(plan.pace.ratePerSecond, startedAt);
else await runClosedLoop(plan.pace.connections, startedAt);
const remainingMs = plan.deadlineMs - (now() - startedAt);
if (pending.size > 0) {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all([...pending]), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, remainingMs))))]);
  clearTimeout(timer);
}
isAbandoning = true;
agent.destroy();
await Promise.all([...pending]);
const result: LoadResult = { startedAt, samples };
parentPort?.postMessage(result);

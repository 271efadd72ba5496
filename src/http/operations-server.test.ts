import { afterEach, describe, expect, it } from 'vitest';
import type { Roles } from '../cli/runtime.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';

const ROLES: Record<'serve' | 'api' | 'worker', Roles> = {
  serve: { api: true, worker: true },
  api: { api: true, worker: false },
  worker: { api: false, worker: true },
};

describe('AKKED_METRICS_PORT', () => {
  let testRuntime: TestRuntime | undefined;

  afterEach(async () => {
    await testRuntime?.stop();
    testRuntime = undefined;
  });

  it.each(Object.keys(ROLES) as (keyof typeof ROLES)[])('serves /healthz, /readyz and /metrics without a token for the %s role', async (role) => {
    testRuntime = await startTestRuntime('pglite', { roles: ROLES[role], listen: true, environment: { AKKED_METRICS_PORT: '0', AKKED_METRICS_TOKEN: 'a-token-for-the-public-port' } });
    const base = testRuntime.runtime.metricsUrl;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(base).not.toBe(testRuntime.runtime.url);

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('akked_process_resident_memory_bytes');
    expect(text).toContain('# TYPE akked_jobs_processed_total counter');

    const other = await fetch(`${base}/api/v1/session`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /api/v1/session' } });
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    // The first start also starts this test worker's PGlite.
  }, 120_000);

  it('is not opened when unset', async () => {
    testRuntime = await startTestRuntime('pglite', { roles: ROLES.worker, listen: true });
    expect(testRuntime.runtime.metricsUrl).toBeNull();
  });
});

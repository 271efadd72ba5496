import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOf } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';

describe('HTTP foundation', () => {
  let testRuntime: TestRuntime;

  beforeAll(async () => {
    testRuntime = await startTestRuntime('pglite', { environment: { AKKED_METRICS_TOKEN: METRICS_TOKEN } });
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  it('answers /healthz and /readyz once migrations are applied', async () => {
    const app = appOf(testRuntime);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('gives every response a request id', async () => {
    const response = await appOf(testRuntime).inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-request-id']).toMatch(/^req_/);
  });

  it('answers an unknown route with the JSON error shape and 404', async () => {
    const response = await appOf(testRuntime).inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('rejects a body over 1 MiB with 413', async () => {
    const response = await appOf(testRuntime).inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload_too_large');
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await appOf(testRuntime).inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'malformed_json', message: expect.any(String) } });
  });

  it('sends security headers with a strict Content-Security-Policy', async () => {
    const response = await appOf(testRuntime).inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('serves Prometheus metrics on the public port only with the metrics token', async () => {
    const app = appOf(testRuntime);
    await app.inject({ method: 'GET', url: '/healthz' });
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('akked_http_request_duration_seconds_bucket');
    expect(response.body).toContain('akked_process_resident_memory_bytes');
    for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', `Basic ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`]) {
      const refused = await app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(refused.statusCode, authorization).toBe(401);
      expect(refused.json().error.code).toBe('unauthorized');
      expect(refused.body).not.toContain('akked_');
    }
  });

  it('has no /metrics on the public port when no metrics token is configured', async () => {
    const withoutToken = await startTestRuntime('pglite');
    try {
      const response = await appOf(withoutToken).inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    } finally {
      await withoutToken.stop();
    }
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const response = await appOf(testRuntime).inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/session', '/api/v1/api-keys', '/api/v1/api-keys/{id}']));
    expect(document.paths['/api/v1/api-keys'].post.requestBody.content['application/json'].schema.properties.name).toBeDefined();
  });

  it('documents every parameter with a schema object, so a client can be generated from the document', async () => {
    const document = (await appOf(testRuntime).inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: unknown }[] }>>;
    };
    const malformed = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) =>
        (operation.parameters ?? []).filter((parameter) => typeof parameter.schema !== 'object').map((parameter) => `${method} ${path} ${parameter.in} ${parameter.name}`),
      ),
    );

    expect(malformed).toEqual([]);
  });
});

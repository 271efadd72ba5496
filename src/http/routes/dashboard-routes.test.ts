import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOf } from '../../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../../test/harness/runtime.ts';
import { DASHBOARD_BUILD_DIRECTORY } from './dashboard-routes.ts';

describe('dashboard serving', () => {
  let testRuntime: TestRuntime;

  beforeAll(async () => {
    testRuntime = await startTestRuntime('pglite', { roles: { api: true, worker: false } });
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  it('serves the single-page app at / with a strict Content-Security-Policy', async () => {
    const response = await appOf(testRuntime).inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<div id="root"></div>');
    const policy = String(response.headers['content-security-policy']);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('answers a deep link with the app, so a reload opens the same page', async () => {
    for (const url of ['/orders/ord_123', '/stores/sto_1?lang=ar', '/numbers', '/sign-in', '/reset-password?token=abc']) {
      const response = await appOf(testRuntime).inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain('<div id="root"></div>');
    }
  });

  it('has no inline script and no third-party address in the page', async () => {
    const html = (await appOf(testRuntime).inject({ method: 'GET', url: '/' })).body;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('serves the hashed assets with a long cache and 404s missing files as JSON', async () => {
    const assets = await readdir(path.join(DASHBOARD_BUILD_DIRECTORY, 'assets'));
    const script = assets.find((file) => file.endsWith('.js'));
    expect(script).toBeDefined();
    const asset = await appOf(testRuntime).inject({ method: 'GET', url: `/assets/${script}` });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    for (const url of ['/assets/nothing.js', '/favicon.ico', '/assets/../../package.json']) {
      const missing = await appOf(testRuntime).inject({ method: 'GET', url });
      expect(missing.statusCode, url).toBe(404);
      expect(missing.json().error.code, url).toBe('not_found');
    }
  });

  it('serves React’s production build, whatever NODE_ENV the builder ran under', async () => {
    const assets = await readdir(path.join(DASHBOARD_BUILD_DIRECTORY, 'assets'));
    const scripts = await Promise.all(assets.filter((file) => file.endsWith('.js')).map((file) => readFile(path.join(DASHBOARD_BUILD_DIRECTORY, 'assets', file), 'utf8')));
    // A message that exists only in React's development build.
    expect(scripts.some((script) => script.includes('is not yet mounted. This is a no-op'))).toBe(false);
  });

  it('keeps unknown API and webhook paths as JSON 404s, not the app', async () => {
    for (const url of ['/api/v1/nothing-here', '/api/nothing', '/hooks/nothing']) {
      const response = await appOf(testRuntime).inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });

  it('does not serve the app for methods other than GET', async () => {
    const response = await appOf(testRuntime).inject({ method: 'POST', url: '/orders', payload: {} });
    expect(response.statusCode).toBe(404);
  });
});

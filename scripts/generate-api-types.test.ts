import { readFile } from 'node:fs/promises';
import type { OpenAPI3 } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOf } from '../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../test/harness/runtime.ts';
import { GENERATED_FILE, renderApiTypes } from './generate-api-types.ts';

describe('the dashboard API types', () => {
  let testRuntime: TestRuntime;

  beforeAll(async () => {
    // The worker's shared embedded database: far quicker than the script's own throwaway one.
    testRuntime = await startTestRuntime('pglite', { roles: { api: true, worker: false } });
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  it('are the ones generated from the OpenAPI document the server serves now', async () => {
    const document = (await appOf(testRuntime).inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenAPI3;
    const checkedIn = await readFile(GENERATED_FILE, 'utf8');

    // toBe, not a diff helper: the message says what to do, and vitest still shows the diff.
    expect(checkedIn, 'dashboard/src/api/generated.ts is stale: run `npm run generate:api` and commit it').toBe(await renderApiTypes(document));
  });
});

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { appOf, browserHeaders, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import type { Principal } from './app.ts';
import { LiveStreams } from './live-streams.ts';

type OpenStream = { status: number; body: string; ended: Promise<number>; isEnded: () => boolean; close: () => void };

/** Opens GET /api/v1/orders/stream on the real port; resolves once the status and first bytes arrived. */
const openStream = (baseUrl: string, headers: Record<string, string>): Promise<OpenStream> =>
  new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${baseUrl}/api/v1/orders/stream`, { headers }, (response: IncomingMessage) => {
      let body = '';
      let endedAt: number | null = null;
      const ended = new Promise<number>((done) => {
        const finish = () => {
          endedAt ??= Date.now();
          done(endedAt);
        };
        response.on('end', finish);
        response.on('close', finish);
      });
      response.setEncoding('utf8');
      response.once('data', (chunk: string) => {
        body += chunk;
        resolve({ status: response.statusCode ?? 0, body, ended, isEnded: () => endedAt !== null, close: () => outgoing.destroy() });
      });
      response.on('data', () => undefined);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });

describe.each(TEST_BACKENDS)('live order streams on %s', (backend) => {
  let testRuntime: TestRuntime;
  let baseUrl: string;
  let merchant: Merchant;
  let other: Merchant;
  const opened: OpenStream[] = [];

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, { roles: { api: true, worker: false }, listen: true, environment: { AKKED_MAX_STREAMS: '2' } });
    baseUrl = testRuntime.runtime.url as string;
    merchant = await createMerchant(testRuntime);
    other = await createMerchant(testRuntime);
  });

  afterAll(async () => {
    for (const stream of opened) stream.close();
    await testRuntime?.stop();
  });

  const open = async (headers: Record<string, string>) => {
    const stream = await openStream(baseUrl, headers);
    opened.push(stream);

    return stream;
  };

  it('ends an open stream within a second of its API key being revoked, and leaves another account’s stream open', async () => {
    const app = appOf(testRuntime);
    const created = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: browserHeaders(testRuntime, merchant), payload: { name: 'stream' } });
    const { id, key } = created.json<{ id: string; key: string }>();
    const mine = await open({ authorization: `Bearer ${key}` });
    const theirs = await open({ authorization: `Bearer ${other.apiKey}` });
    expect([mine.status, theirs.status]).toEqual([200, 200]);
    expect(mine.body).toContain('retry: 3000');
    const revokedAt = Date.now();
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: browserHeaders(testRuntime, merchant) })).statusCode).toBe(204);
    expect((await mine.ended) - revokedAt).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(theirs.isEnded()).toBe(false);
    theirs.close();
  });

  it('ends an open stream within a second of its session signing out', async () => {
    const app = appOf(testRuntime);
    const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', headers: { origin: testRuntime.config.publicUrl }, payload: { email: merchant.email, password: merchant.password } });
    const cookie = [signIn.headers['set-cookie']].flat().find((value) => value?.startsWith('akked.session_token='))?.split(';')[0] as string;
    const stream = await open({ cookie });
    expect(stream.status).toBe(200);
    const signedOutAt = Date.now();
    const signOut = await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie, origin: testRuntime.config.publicUrl }, payload: {} });
    expect(signOut.statusCode).toBe(200);
    expect((await stream.ended) - signedOutAt).toBeLessThan(1_000);
  });

  it('answers 429 too_many_streams past AKKED_MAX_STREAMS for one account, not for another, and frees a place when one closes', async () => {
    const bearer = { authorization: `Bearer ${merchant.apiKey}` };
    const first = await open(bearer);
    await open(bearer);
    const refused = await open(bearer);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'too_many_streams', message: expect.stringContaining('(2)'), details: { limit: 2 } } });
    expect((await open({ authorization: `Bearer ${other.apiKey}` })).status).toBe(200);
    first.close();
    await first.ended;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await open(bearer)).status).toBe(200);
  });
  it('counts the streams of every api process against one limit per account, and stops counting those of a process that died', async () => {
    const { database } = testRuntime.testDatabase;
    const third = await createMerchant(testRuntime);
    const principal: Principal = { accountId: third.accountId, userId: null, via: 'api_key', sessionToken: null, apiKeyId: null, scopes: null };
    // Two api processes on one database.
    const processes = [new LiveStreams(database, 2), new LiveStreams(database, 2)];
    const forgetFirst = await processes[0]!.admit(principal, () => undefined);
    await processes[1]!.admit(principal, () => undefined);
    await expect(processes[0]!.admit(principal, () => undefined)).rejects.toMatchObject({ code: 'too_many_streams' });
    forgetFirst();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await processes[1]!.admit(principal, () => undefined);
    // Both rows now belong to a process that died: once they expire, they no longer count.
    await database.query("update live_streams set expires_at = now() - interval '1 second' where account_id = $1", [third.accountId]);
    await processes[0]!.admit(principal, () => undefined);
    for (const streams of processes) await streams.close();
  });
});

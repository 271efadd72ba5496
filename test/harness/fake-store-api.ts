import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { AppError } from '../../src/errors.ts';

/**
 * Test support, imported only by tests. A local stand-in for a store platform's API: an HTTP server on
 * 127.0.0.1 (random port) that records every request and answers what the test scripts.
 */

export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  body: unknown;
};

export type FakeReply = {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Never answer (for timeouts). */
  hang?: boolean;
};

export type FakeStoreApi = {
  origin: string;
  /** `127.0.0.1:<port>`, for platforms addressed by host (a Shopify shop domain). */
  host: string;
  requests: RecordedRequest[];
  /** Sets how the fake answers from now on; by default 200 with `{}`. */
  answerWith: (answer: (request: RecordedRequest) => FakeReply) => void;
  close: () => Promise<void>;
};

const parseJson = (text: string): unknown => {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
};

export const startFakeStoreApi = async (): Promise<FakeStoreApi> => {
  const requests: RecordedRequest[] = [];
  let answer: (request: RecordedRequest) => FakeReply = () => ({ status: 200, body: {} });

  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://fake.invalid');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: incoming.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: incoming.headers,
        rawBody,
        body: parseJson(rawBody),
      };
      requests.push(recorded);
      const reply = answer(recorded);
      if (reply.hang) return;
      const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      outgoing.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      outgoing.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    answerWith: (next) => {
      answer = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
};

/** The AppError a promise rejects with; fails the test when it resolves or rejects with something else. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<AppError> => {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.resolved)}`);
  if (!(outcome.error instanceof AppError)) throw new Error(`expected an AppError, got ${String(outcome.error)}`);

  return outcome.error;
};

/** How every adapter maps the HTTP error statuses of its platform (see `WriteBackAdapter.write`). */
export const HTTP_ERROR_CASES = [
  { status: 401, code: 'upstream_failed', retryable: false, reason: 'auth' },
  { status: 403, code: 'upstream_failed', retryable: false, reason: 'auth' },
  { status: 404, code: 'upstream_failed', retryable: false, reason: 'order_not_found' },
  { status: 422, code: 'upstream_failed', retryable: false, reason: 'rejected' },
  { status: 429, code: 'upstream_unavailable', retryable: true, reason: 'rate_limited' },
  { status: 500, code: 'upstream_unavailable', retryable: true, reason: 'server_error' },
  { status: 503, code: 'upstream_unavailable', retryable: true, reason: 'server_error' },
] as const;

/** Asserts that nothing a caller could log or show carries the secret. */
export const expectNoSecretIn = (error: AppError, ...secrets: string[]): void => {
  const visible = `${error.message} ${JSON.stringify(error.toJSON())}`;
  for (const secret of secrets) expect(visible).not.toContain(secret);
};

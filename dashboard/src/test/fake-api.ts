import { afterEach, vi } from 'vitest';

/** A request the component made, as the server would have received it. */
export type RecordedRequest = { method: string; path: string; query: URLSearchParams; body: unknown; headers: Record<string, string> };

type Answer = { status?: number; body?: unknown } | ((request: RecordedRequest) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>);

/**
 * Component tests answer the dashboard's fetch calls from a table keyed `METHOD /path` (no query).
 * Browser tests use the real server; this only isolates one component. Unknown calls fail loudly.
 */
export const installFakeApi = (routes: Record<string, Answer>) => {
  const requests: RecordedRequest[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://dashboard.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init?.headers as Record<string, string> | undefined) ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const request: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers,
    };
    requests.push(request);
    let answer = routes[`${method} ${url.pathname}`];
    if (!answer && method === 'GET' && url.pathname === '/api/auth/get-session') {
      // The dashboard asks better-auth first whether anyone is signed in: follow the test's session.
      const session = routes['GET /api/v1/session'];
      const sessionAnswer = typeof session === 'function' ? await session(request) : session;
      answer = { body: sessionAnswer && (sessionAnswer.status ?? 200) < 400 ? { session: { id: 'ses_test' } } : null };
    }
    if (!answer) {
      return new Response(JSON.stringify({ error: { code: 'not_found', message: `fake API has no ${method} ${url.pathname}` } }), {
        status: 404,
        headers: { 'content-type': 'application/json' },
      });
    }
    const { status = 200, body } = typeof answer === 'function' ? await answer(request) : answer;

    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchStub);

  return { requests, fetch: fetchStub };
};

afterEach(() => {
  vi.unstubAllGlobals();
});

export const SAMPLE_SESSION = {
  user: { id: 'usr_1', name: 'Amina', email: 'amina@example.com', emailVerified: true, language: 'en' },
  account: { id: 'acc_1', name: 'Amina', plan: 'free', creditBalance: 42 },
  csrfToken: 'csrf-token-1',
};

/**
 * The dashboard's only way to reach the server: the same public HTTP API integrators use.
 * Errors arrive as `{error:{code,message}}` and become ApiError; cookie-authenticated changes carry
 * the CSRF token from `GET /api/v1/session`.
 */

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

type QueryValue = string | number | boolean | null | undefined;

export type RequestOptions = {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
};

let csrfToken: string | null = null;
let csrfRefresh: (() => Promise<string | null>) | null = null;

/** Called by the session query whenever it reads `GET /api/v1/session`. */
export const rememberCsrfToken = (token: string | null): void => {
  csrfToken = token;
};

/** How to fetch a fresh token when the server refuses the one we hold (a new session, say). */
export const setCsrfRefresh = (refresh: () => Promise<string | null>): void => {
  csrfRefresh = refresh;
};

export const buildUrl = (path: string, query?: Record<string, QueryValue>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    search.set(name, String(value));
  }
  const text = search.toString();

  return text ? `${path}?${text}` : path;
};

const readError = async (response: Response): Promise<ApiError> => {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) return new ApiError(response.status, body.error.code, body.error.message ?? response.statusText);
  } catch {
    // not JSON: fall through to a generic error
  }

  return new ApiError(response.status, response.status >= 500 ? 'internal' : 'http_error', response.statusText || `HTTP ${response.status}`);
};

const send = async (path: string, options: RequestOptions): Promise<Response> => {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;

  return fetch(buildUrl(path, options.query), {
    method,
    headers,
    credentials: 'same-origin',
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
};

/** Calls the API and returns the parsed JSON body (undefined for 204), or throws ApiError. */
export const api = async <T>(path: string, options: RequestOptions = {}): Promise<T> => {
  let response: Response;
  try {
    response = await send(path, options);
    if (response.status === 403 && (options.method ?? 'GET') !== 'GET' && csrfRefresh) {
      const copy = response.clone();
      const error = await readError(copy);
      if (error.code === 'csrf_token_invalid') {
        csrfToken = await csrfRefresh();
        response = await send(path, options);
      }
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  if (!response.ok) throw await readError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();

  return (text ? JSON.parse(text) : undefined) as T;
};

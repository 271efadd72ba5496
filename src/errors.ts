/**
 * The one error type of Akked. Every expected failure is an AppError with a code from this closed
 * list; the HTTP layer maps the code to a status here and nowhere else, and jobs read `retryable`
 * to decide between another attempt and the failed state.
 */
export const ERROR_STATUS = {
  /** The request body or a parameter failed validation. */
  bad_request: 400,
  /** The body is not JSON, or not the JSON the route expects. */
  malformed_json: 400,
  /** No session or API key, or a revoked key. */
  unauthorized: 401,
  /** A signed-in user confirmed an action with a wrong password: 401 as well, told apart from a lapsed session by its code. */
  wrong_password: 401,
  /** A webhook whose signature or token does not match any of the store's secrets. */
  invalid_signature: 401,
  /** Authenticated, but the action is not allowed (missing CSRF token, API key where a session is required). */
  forbidden: 403,
  csrf_token_invalid: 403,
  /** Unknown id, or an id that belongs to another account: both answer the same. */
  not_found: 404,
  /** The thing already exists (a unique field is taken). */
  conflict: 409,
  /** The state of the resource does not allow the action now. */
  invalid_state: 409,
  /** The account already holds the most numbers, stores or API keys it may (AKKED_MAX_*). */
  quota_exceeded: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  /** The account already has the most live order streams it may hold open (AKKED_MAX_STREAMS). */
  too_many_streams: 429,
  /** The account has no credits left for a confirmation message. */
  no_credits: 402,
  /** A customer phone that is not a valid mobile number. */
  invalid_phone: 422,
  /** Billing endpoints when STRIPE_SECRET_KEY is not set. */
  billing_not_configured: 503,
  /** A downstream service (WhatsApp, a store's API, SMTP, Stripe) failed. */
  upstream_failed: 502,
  /** A downstream service is unreachable or timed out; worth retrying. */
  upstream_unavailable: 503,
  /** The database or another dependency of ours is not ready. */
  unavailable: 503,
  /**
   * The database cannot be reached right now (down, restarting, no connection free within a few
   * seconds): nothing was stored; answered with Retry-After, and jobs retry.
   */
  database_unavailable: 503,
  /** A lease or fencing token is stale: another process owns this WhatsApp number now. */
  lease_lost: 409,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type AppErrorOptions = {
  message: string;
  /** Whether the same operation may succeed if tried again later (jobs retry only these). */
  retryable?: boolean;
  cause?: unknown;
  /** Extra machine-readable details safe to show to the caller (never personal data). */
  details?: Record<string, unknown>;
};

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set([
  'upstream_unavailable',
  'unavailable',
  'database_unavailable',
  'internal',
]);

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.details = options.details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toJSON(): { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;

/** Errors that are not AppErrors are unexpected; jobs retry them because the cause may be transient. */
export const isRetryable = (error: unknown): boolean => (isAppError(error) ? error.retryable : true);

/**
 * For the commands that read input and print JSON (`parse-order`, `parse-reply`): one JSON error
 * line on stderr; exit code 2 for bad input (an AppError), 1 for a fault of ours.
 */
export const writeCommandError = (error: unknown, stderr: (text: string) => void): number => {
  if (isAppError(error)) {
    stderr(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);

    return 2;
  }
  stderr(`${JSON.stringify({ error: { code: 'internal', message: error instanceof Error ? error.message : 'unexpected failure' } })}\n`);

  return 1;
};

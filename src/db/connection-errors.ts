import { AppError, isAppError } from '../errors.ts';

/** What a 503 `database_unavailable` asks the caller to wait before trying again, in seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// Node's socket errors when the server is down, restarting, or unreachable.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

// PostgreSQL's SQLSTATEs of a connection that is gone or cannot be had now: class 08
// (connection_exception) and 57P01-57P05 (admin/crash shutdown, cannot_connect_now, idle session
// timeout...), plus 53300 too_many_connections, which clears as other clients leave.
const isConnectionSqlState = (code: string): boolean => code.startsWith('08') || /^57P0[1-5]$/.test(code) || code === '53300';

// node-postgres and pg-pool say it in words, without a code.
const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /server closed the connection unexpectedly/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to/i,
];

const isOwnConnectionError = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || (code.length === 5 && isConnectionSqlState(code)))) return true;

  return typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
};

/**
 * Whether `error` (or an error it wraps: drizzle, better-auth and pg-boss wrap the driver's) says
 * the database could not be reached or dropped the connection, rather than refusing a statement.
 * The one classification of connection failures: the database layer, the HTTP error handler and
 * the job queue all ask here.
 */
export const isDatabaseConnectionError = (error: unknown): boolean => {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (isAppError(current)) return current.code === 'database_unavailable';
    if (isOwnConnectionError(current)) return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isOwnConnectionError(inner))) return true;
    current = (current as { cause?: unknown }).cause;
  }

  return false;
};

/**
 * Whether a connection failure only says the database is busy, not gone: every connection of the
 * pool stayed in use for the whole connect timeout, or the server is at max_connections. The
 * caller gets the same retryable 503, but the process does not report an outage for it.
 */
export const isDatabaseBusy = (error: unknown): boolean => {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (code === '53300' || (typeof message === 'string' && /timeout exceeded when trying to connect/i.test(message))) return true;
    current = (current as { cause?: unknown }).cause;
  }

  return false;
};

/** The AppError every caller sees while the database is away: 503, retryable. */
export const databaseUnavailable = (cause: unknown): AppError =>
  new AppError('database_unavailable', {
    message: 'the database is unavailable; try again shortly',
    retryable: true,
    cause,
    details: { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
  });

/** `error` as `database_unavailable` when it is a connection failure, else unchanged. */
export const mapConnectionError = (error: unknown): unknown =>
  isAppError(error) || !isDatabaseConnectionError(error) ? error : databaseUnavailable(error);

/**
 * Whether PostgreSQL refused a value itself (SQLSTATE class 22, data exception: text it cannot
 * hold, a number or a date out of range; 54000, a value too large for an index): the request's
 * content is at fault, not the server, so it is answered as a 400.
 */
export const isDataException = (error: unknown): boolean => {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (isAppError(current)) return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length === 5 && (code.startsWith('22') || code === '54000')) return true;
    current = (current as { cause?: unknown }).cause;
  }

  return false;
};

/**
 * The answer for an error from the database: `database_unavailable` for a lost connection,
 * `bad_request` for a value PostgreSQL refused (never its text: it may quote personal data),
 * else the error unchanged.
 */
export const mapDatabaseError = (error: unknown): unknown => {
  if (isAppError(error)) return error;
  if (isDatabaseConnectionError(error)) return databaseUnavailable(error);
  if (isDataException(error)) return new AppError('bad_request', { message: 'a value of the request cannot be stored', cause: error });

  return error;
};

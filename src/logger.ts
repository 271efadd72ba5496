import { pino, type Logger, type LoggerOptions } from 'pino';
import { createPrettyStream } from './pretty-log-stream.ts';

export type { Logger };

/**
 * Field names whose values never reach a log line: personal data of customers and merchants,
 * message text, and secrets. Paths cover the field at the top level and up to three levels down.
 */
export const REDACTED_FIELDS = [
  'phone', 'phoneRaw', 'customerPhone', 'from', 'to', 'jid', 'remoteJid',
  'name', 'customerName', 'fullName', 'firstName', 'lastName', 'email',
  'address', 'line1', 'line2', 'street', 'city', 'shippingAddress', 'billingAddress', 'customer',
  'text', 'body', 'messageText', 'content', 'caption',
  'password', 'newPassword', 'currentPassword', 'token', 'accessToken', 'refreshToken', 'secret',
  'webhookSecret', 'webhookSecrets', 'apiKey', 'key', 'authorization', 'cookie', 'set-cookie',
  'x-csrf-token', 'consumerKey', 'consumerSecret', 'managerToken', 'creds', 'credentials',
  'qr', 'pairingCode', 'masterKey', 'url',
];

const redactPaths = (): string[] => {
  const paths: string[] = [];
  for (const field of REDACTED_FIELDS) {
    const isIdentifier = /^[A-Za-z_$][\w$]*$/.test(field);
    const topLevel = isIdentifier ? field : `["${field}"]`;
    const nested = isIdentifier ? `.${field}` : `["${field}"]`;
    paths.push(topLevel, `*${nested}`, `*.*${nested}`, `*.*.*${nested}`);
  }

  return paths;
};

// Free text can carry a phone number even under an innocent field name (an error message that
// quotes a JID, say); digit runs that look like phone numbers are masked in every string.
// Timestamps have the same shape as some phone numbers but are never personal data: the first
// alternative keeps an ISO date with its time (also the dash-separated form of outbox file names),
// tried before the phone pattern at each position. Its year, month and day ranges keep a local
// number such as 0612-34-56-78 out of it.
const TIMESTAMP_OR_PHONE =
  /((?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ](?:[01]\d|2[0-3])[:-][0-5]\d(?:[:-][0-5]\d(?:[.,-]\d{1,9})?)?Z?)?)|\+?\d[\d\s\-()]{6,}\d/g;

const maskPhones = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') return value.replace(TIMESTAMP_OR_PHONE, (match, timestamp?: string) => timestamp ?? '[phone]');
  // Errors are masked by their serializer, which needs the Error itself.
  if (depth > 4 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => maskPhones(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [field, fieldValue] of Object.entries(value)) copy[field] = maskPhones(fieldValue, depth + 1);

  return copy;
};

export type LogFormat = 'json' | 'pretty';

export type CreateLoggerOptions = {
  level: string;
  /** Default: pretty when stdout is a terminal, else JSON lines (always JSON into a given destination). */
  format?: LogFormat;
  /** Default: standard error. */
  destination?: pino.DestinationStream;
  base?: Record<string, unknown>;
};

/** The format a process logs in when LOG_FORMAT does not say: a person at a terminal reads text. */
export const defaultLogFormat = (): LogFormat => (process.stdout.isTTY ? 'pretty' : 'json');

export const createLogger = ({ level, format, destination, base }: CreateLoggerOptions): Logger => {
  const options: LoggerOptions = {
    level,
    base: { ...base },
    redact: { paths: redactPaths(), censor: '[redacted]' },
    formatters: {
      log: (object) => maskPhones(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((argument) => (typeof argument === 'string' ? maskPhones(argument) : argument));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (error: unknown) => {
        if (!(error instanceof Error)) return maskPhones(error);
        const code = (error as { code?: unknown }).code;

        return maskPhones({
          type: error.name,
          message: error.message,
          ...(code === undefined ? {} : { code }),
          stack: error.stack,
        });
      },
    },
  };

  return pino(options, outputStream({ format, destination }));
};

const outputStream = ({ format, destination }: Pick<CreateLoggerOptions, 'format' | 'destination'>): pino.DestinationStream => {
  const output = destination ?? pino.destination(2);
  const chosenFormat = format ?? (destination ? 'json' : defaultLogFormat());

  return chosenFormat === 'pretty' ? createPrettyStream(output) : output;
};

/** A line for the person running Akked that must reach them exactly as written. */
export type Notice = (message: string, fields: Record<string, string | string[]>) => void;

/**
 * Console notices (an outbox email's path and links) in the log's format and stream, but outside
 * redaction and phone masking, which would break a link whose token happens to hold a digit run.
 * Only for what carries no personal data: file paths and links with one-time tokens.
 */
export const createNotice = ({ format, destination, base }: Omit<CreateLoggerOptions, 'level'>): Notice => {
  const plain = pino({ level: 'info', base: { ...base } }, outputStream({ format, destination }));

  return (message, fields) => plain.info(fields, message);
};

type LogMethodName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** What Fastify needs of a request logger (its FastifyBaseLogger), without importing Fastify here. */
export type RequestLogger = Pick<Logger, LogMethodName | 'silent' | 'level' | 'child'>;

/**
 * A child logger whose bindings are serialized only when it first writes. Creating a pino child
 * runs the redaction over its bindings, which costs tens of microseconds; most requests and jobs
 * never log, and the webhook path is measured in hundreds of microseconds.
 */
export const createLazyChildLogger = (parent: Logger, bindings: Record<string, unknown>): RequestLogger => {
  let child: Logger | null = null;
  const resolve = (): Logger => (child ??= parent.child(bindings));
  const forward =
    (name: LogMethodName): Logger[LogMethodName] =>
    (...args: Parameters<Logger[LogMethodName]>) => {
      // Skip building the child for a level that is switched off.
      if (!parent.isLevelEnabled(name)) return;
      resolve()[name](...args);
    };

  return {
    fatal: forward('fatal'),
    error: forward('error'),
    warn: forward('warn'),
    info: forward('info'),
    debug: forward('debug'),
    trace: forward('trace'),
    silent: parent.silent,
    get level() {
      return child ? child.level : parent.level;
    },
    set level(level: string) {
      resolve().level = level;
    },
    child: ((childBindings, options) => resolve().child(childBindings, options)) as Logger['child'],
  };
};

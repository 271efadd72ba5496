import { z } from 'zod';
import { loadPlans, type Plan } from './config-plans.ts';
import { SSL_MODES } from './db/ssl-modes.ts';

/**
 * Every setting of Akked, parsed once from the environment (DESIGN.md §5.2). Nothing else reads
 * process.env: entry points call `loadConfig()` and hand the result down.
 */
const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const emptyAsUndefined = (value: unknown): unknown => (value === '' ? undefined : value);

const withoutTrailingSlash = (value: string) => value.replace(/\/+$/, '');

const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

/** An absolute http(s) URL: `localhost:3000` or `ftp://...` would only fail later, deep in a request. */
const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\/[^/]/i.test(value), 'must be an absolute http:// or https:// URL, for example https://akked.example.com')
  .transform(withoutTrailingSlash);

const optionalUrl = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .url()
    .transform(withoutTrailingSlash)
    .optional(),
);

/** `8-20` means a random gap between 8 and 20 seconds; `0` turns pacing off. */
const sendGapSchema = z
  .string()
  .regex(/^(\d+(\.\d+)?)(-(\d+(\.\d+)?))?$/, 'expected "min-max" seconds, for example "8-20", or "0"')
  .transform((value) => {
    const [minimum, maximum] = value.split('-').map(Number) as [number, number | undefined];
    return { minimumSeconds: minimum, maximumSeconds: maximum ?? minimum };
  })
  .refine((gap) => gap.maximumSeconds >= gap.minimumSeconds, 'the maximum must not be below the minimum');

const masterKeySchema = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded');

const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const EnvironmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface the HTTP server binds to. */
  HOST: z.string().min(1).default('0.0.0.0'),
  AKKED_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .refine((value) => {
        const mode = URL.canParse(value) ? new URL(value).searchParams.get('sslmode') : null;
        return mode === null || (SSL_MODES as readonly string[]).includes(mode);
      }, `sslmode must be one of ${SSL_MODES.join(', ')}`)
      .optional(),
  ),
  /** libpq's fallbacks for what DATABASE_URL does not say: its TLS mode and the server's root certificate file. */
  PGSSLMODE: z.preprocess(emptyAsUndefined, z.enum(SSL_MODES).optional()),
  PGSSLROOTCERT: optionalString,
  /** Connections per process in the PostgreSQL pool. */
  AKKED_DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  AKKED_PUBLIC_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  AKKED_MASTER_KEY: z.preprocess(emptyAsUndefined, masterKeySchema.optional()),
  /** Older master keys still needed to read values not yet re-encrypted, comma-separated base64. */
  AKKED_PREVIOUS_MASTER_KEYS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((value) => value.split(',').map((key) => key.trim()).filter(Boolean))
      .pipe(z.array(masterKeySchema))
      .optional(),
  ),
  AKKED_WHATSAPP_SIMULATOR_URL: optionalUrl,
  AKKED_CLOUD_API_BASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .url()
      .transform(withoutTrailingSlash)
      .default('https://graph.facebook.com/v23.0'),
  ),
  AKKED_ALLOW_PRIVATE_OUTBOUND: z.preprocess(emptyAsUndefined, booleanString.default(false)),
  SMTP_URL: optionalUrl,
  EMAIL_FROM: z.preprocess(emptyAsUndefined, z.string().min(3).default('Akked <no-reply@akked.localhost>')),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_BASE_URL: optionalUrl,
  STRIPE_PRICE_STARTER: optionalString,
  STRIPE_PRICE_GROWTH: optionalString,
  STRIPE_PRICE_SCALE: optionalString,
  STRIPE_PRICE_TOPUP: optionalString,
  AKKED_SEND_GAP_SECONDS: z.preprocess((value) => (value === '' || value === undefined ? '8-20' : value), sendGapSchema),
  AKKED_MESSAGE_TEXT_DAYS: z.coerce.number().int().min(0).default(30),
  AKKED_PLANS_FILE: optionalString,
  AKKED_FREE_CREDITS: z.coerce.number().int().min(0).default(50),
  AKKED_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(10),
  /** Serves /healthz, /readyz and /metrics (no token) on this port too, for every role. */
  AKKED_METRICS_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).optional()),
  /** Lets `/metrics` on the public port answer a request with `Authorization: Bearer <token>`. */
  AKKED_METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters (openssl rand -hex 32)').optional()),
  /** OpenTelemetry tracing: spans go to `<endpoint>/v1/traces` (OTLP over HTTP, JSON); unset, nothing of it loads. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  OTEL_SERVICE_NAME: z.preprocess(emptyAsUndefined, z.string().max(100).default('akked')),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, logLevelSchema.default('info')),
  /** `json` lines or `pretty` text; unset: pretty when stdout is a terminal, else json. */
  LOG_FORMAT: z.preprocess(emptyAsUndefined, z.enum(['json', 'pretty']).optional()),
  /**
   * How many proxies every request passes through before Akked (each appends the address it saw to
   * the proxy header). The client is that many entries from the right: the left is written by
   * the client and never trusted. 0 or unset: the socket address is the client.
   */
  AKKED_TRUSTED_PROXY_HOPS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(10).optional()),
  /** The header those proxies write (default `x-forwarded-for`); set alone, it means one proxy. */
  AKKED_TRUSTED_PROXY_HEADER: z.preprocess(emptyAsUndefined, z.string().trim().toLowerCase().regex(/^[a-z0-9-]+$/, 'must be a header name such as x-forwarded-for').optional()),
  /** Sign-in and sign-up attempts, password-reset and verification emails allowed per client address per minute (each). */
  AKKED_SIGN_IN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** Requests per minute per API key or signed-in session. */
  AKKED_API_RATE_LIMIT: z.coerce.number().int().min(1).default(1200),
  /** Requests per minute per client address to routes anyone can call, and failed authentications. */
  AKKED_PUBLIC_RATE_LIMIT: z.coerce.number().int().min(1).default(300),
  /** What one account may hold at once; each addition past it answers 409 quota_exceeded. */
  AKKED_MAX_NUMBERS: z.coerce.number().int().min(1).default(20),
  AKKED_MAX_STORES: z.coerce.number().int().min(1).default(50),
  AKKED_MAX_API_KEYS: z.coerce.number().int().min(1).default(25),
  /** Live order streams (SSE) one account may hold open across all api processes; past it, 429 too_many_streams. */
  AKKED_MAX_STREAMS: z.coerce.number().int().min(1).default(10),
  /** Webhook deliveries per minute per store. */
  AKKED_WEBHOOK_RATE_LIMIT: z.coerce.number().int().min(1).default(6000),
  /** Require a verified email before sign-in. */
  AKKED_REQUIRE_EMAIL_VERIFICATION: z.preprocess(emptyAsUndefined, booleanString.default(true)),
});

export type Environment = z.infer<typeof EnvironmentSchema>;

export type Config = Environment & {
  /** AKKED_PUBLIC_URL, or http://localhost:$PORT. */
  publicUrl: string;
  /** Whether cookies are marked Secure (the public URL is https). */
  isSecure: boolean;
  /** The built-in plans with their STRIPE_PRICE_* ids, or those of AKKED_PLANS_FILE. */
  plans: readonly Plan[];
  /** Where the client address comes from behind proxies; null: the socket address. */
  trustedProxy: TrustedProxy | null;
};

export type TrustedProxy = { header: string; hops: number };

/** AKKED_TRUSTED_PROXY_HOPS and AKKED_TRUSTED_PROXY_HEADER together; the header alone means one proxy. */
const readTrustedProxy = (environment: Environment): TrustedProxy | null => {
  const hops = environment.AKKED_TRUSTED_PROXY_HOPS ?? (environment.AKKED_TRUSTED_PROXY_HEADER ? 1 : 0);
  if (hops === 0) return null;

  return { header: environment.AKKED_TRUSTED_PROXY_HEADER ?? 'x-forwarded-for', hops };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const parseConfig = (environment: Record<string, string | undefined>): Config => {
  const parsed = EnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const publicUrl = parsed.data.AKKED_PUBLIC_URL ?? `http://localhost:${parsed.data.PORT}`;
  const { STRIPE_PRICE_STARTER: starter, STRIPE_PRICE_GROWTH: growth, STRIPE_PRICE_SCALE: scale } = parsed.data;
  const plans = loadPlans({ file: parsed.data.AKKED_PLANS_FILE, prices: { starter, growth, scale } });
  if (!plans.plans) throw new ConfigError(plans.problems.map((problem) => `AKKED_PLANS_FILE: ${problem}`));
  // The SDK takes host, port and protocol: a path (such as /v1) would be silently dropped.
  const stripeBase = parsed.data.STRIPE_API_BASE_URL;
  if (stripeBase && new URL(stripeBase).pathname !== '/') {
    throw new ConfigError([`STRIPE_API_BASE_URL: must be an origin such as http://127.0.0.1:12111, without a path`]);
  }

  return { ...parsed.data, publicUrl, isSecure: publicUrl.startsWith('https://'), plans: plans.plans, trustedProxy: readTrustedProxy(parsed.data) };
};

/**
 * The only reader of process.env in Akked. `overrides` are command-line options that take the
 * place of their variable (`--port` for PORT), so everything derived from it follows.
 */
export const loadConfig = (overrides: Record<string, string> = {}): Config => parseConfig({ ...process.env, ...overrides });

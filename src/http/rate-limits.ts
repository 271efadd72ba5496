import rateLimit, { normalizeIP, type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { AppInstance } from './app-instance.ts';
import { clientAddress } from './client-address.ts';
import { RateLimitCounters, type CountingMode, type Count } from './rate-limit-counters.ts';

/**
 * Every rate limit of the HTTP api, counted in the database so it holds across api processes
 * (@fastify/rate-limit with a store on the `rate_limits` table). Over a limit: 429 `rate_limited`
 * with `Retry-After`.
 */
export type LimiterName = 'api' | 'public' | 'auth' | 'webhook' | 'pairing-code' | 'pairing-code-address' | 'password-check';

type Limiter = { max: number; windowMs: number; mode: CountingMode };

const MINUTE_MS = 60_000;

export const limitersFor = (config: Config): Record<LimiterName, Limiter> => ({
  // Per API key or session, on every authenticated /api/v1 call.
  api: { max: config.AKKED_API_RATE_LIMIT, windowMs: MINUTE_MS, mode: 'batched' },
  // Per client address: routes anyone can call (/api/auth/*, the Cloud API handshake) and failed authentications.
  public: { max: config.AKKED_PUBLIC_RATE_LIMIT, windowMs: MINUTE_MS, mode: 'batched' },
  // Per client address and path: sign-in, sign-up, password reset and verification emails.
  auth: { max: config.AKKED_SIGN_IN_RATE_LIMIT, windowMs: MINUTE_MS, mode: 'exact' },
  // Per store: far above what any platform delivers, low enough to cap the cost of forged deliveries.
  webhook: { max: config.AKKED_WEBHOOK_RATE_LIMIT, windowMs: MINUTE_MS, mode: 'batched' },
  // Per number, and per client address: each code can be shown to a victim as "enter this code".
  'pairing-code': { max: 5, windowMs: 10 * MINUTE_MS, mode: 'exact' },
  'pairing-code-address': { max: 20, windowMs: 10 * MINUTE_MS, mode: 'exact' },
  // Per user, and per client address: a password check costs ~70 ms of hashing.
  'password-check': { max: 5, windowMs: 15 * MINUTE_MS, mode: 'exact' },
});

export type RateLimits = {
  /** A route's `config.rateLimit`: counted in onRequest, before the body is read. */
  route(name: LimiterName, key: (request: FastifyRequest) => string): RateLimitOptions;
  /** Counts one hit of `key`; throws 429 `rate_limited` (with the seconds to wait) when over the limit. */
  enforce(name: LimiterName, request: FastifyRequest, key: string): Promise<void>;
  /** The client address (behind AKKED_TRUSTED_PROXY_HOPS proxies), IPv6 by /64. */
  clientKey(request: FastifyRequest): string;
};

type StoreOptions = { limiterName?: LimiterName; countingMode?: CountingMode };

const tooMany = (ttlMs: number): AppError => {
  const retryAfterSeconds = Math.max(1, Math.ceil(ttlMs / 1000));

  return new AppError('rate_limited', { message: `too many requests; try again in ${retryAfterSeconds} s`, details: { retryAfterSeconds } });
};

export const registerRateLimits = async (app: AppInstance, counters: RateLimitCounters): Promise<RateLimits> => {
  const limiters = limitersFor(app.services.config);
  const trustedProxy = app.services.config.trustedProxy;

  // @fastify/rate-limit builds one store per limiter through child(); each counts under its name.
  class DatabaseStore {
    private readonly options: StoreOptions;

    // The plugin hands every store the merged options of its limiter (ours included).
    constructor(options: unknown) {
      this.options = options as StoreOptions;
    }

    incr(key: string, callback: (error: Error | null, result?: Count) => void, timeWindow: number): void {
      const name = this.options.limiterName ?? 'public';
      counters.hit(name, key, timeWindow, this.options.countingMode ?? 'exact').then(
        (count) => callback(null, count),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    child(options: unknown): DatabaseStore {
      return new DatabaseStore(options);
    }
  }

  await app.register(rateLimit, {
    global: false,
    store: DatabaseStore,
    // The database being down is answered by the route itself (503); no limit is invented then.
    skipOnError: true,
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (_request, context) => tooMany(context.ttl),
  });
  app.addHook('onClose', () => counters.close());

  const options = (name: LimiterName): RateLimitOptions & StoreOptions => ({
    max: limiters[name].max,
    timeWindow: limiters[name].windowMs,
    limiterName: name,
    countingMode: limiters[name].mode,
  });

  const keys = new WeakMap<FastifyRequest, string>();
  const checks = Object.fromEntries(
    (Object.keys(limiters) as LimiterName[]).map((name) => [name, app.createRateLimit({ ...options(name), keyGenerator: (request) => keys.get(request) ?? request.ip })]),
  ) as Record<LimiterName, ReturnType<AppInstance['createRateLimit']>>;

  return {
    route: (name, key) => ({ ...options(name), keyGenerator: key }),
    enforce: async (name, request, key) => {
      keys.set(request, key);
      const result = await checks[name](request);
      if (!result.isAllowed && result.isExceeded) throw tooMany(result.ttl);
    },
    clientKey: (request) => normalizeIP(clientAddress(trustedProxy, request)),
  };
};

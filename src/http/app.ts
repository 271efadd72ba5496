import helmet, { type HelmetOptions } from 'helmet';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { diagnoseFailure } from '../db/availability.ts';
import { isDatabaseConnectionError, mapDatabaseError } from '../db/connection-errors.ts';
import { storableJson } from '../db/storable-text.ts';
import type { ApiKeyScope } from '../accounts/api-key-scopes.ts';
import { AppError } from '../errors.ts';
import { takeRandomBytes } from '../ids.ts';
import { createLazyChildLogger } from '../logger.ts';
import type { Services } from '../services.ts';
import { tracing } from '../telemetry/tracing.ts';
import type { AppInstance } from './app-instance.ts';
import { RateLimitCounters } from './rate-limit-counters.ts';
import { registerRateLimits, type RateLimits } from './rate-limits.ts';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export type { AppInstance };

/** Who is calling: a signed-in user (cookie session) or an API key, always within one account. */
export type Principal = {
  accountId: string;
  userId: string | null;
  via: 'session' | 'api_key';
  /** The session token, for CSRF checks (cookie sessions only). */
  sessionToken: string | null;
  /** The API key's id (API keys only). */
  apiKeyId: string | null;
  /** What the API key may do; null for a signed-in session. */
  scopes: readonly ApiKeyScope[] | null;
};

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    rateLimits: RateLimits;
  }
  interface FastifyRequest {
    /** The exact bytes of the body, for signature checks (webhooks) and the auth handler. */
    rawBody: Buffer | null;
    principal: Principal | null;
  }
}

const errorBody = (code: string, message: string) => ({ error: { code, message } });

const describeValidation = (error: FastifyError): string => {
  if (hasZodFastifySchemaValidationErrors(error)) {
    return error.validation
      .map((issue) => {
        const where = `${error.validationContext ?? 'body'}${issue.instancePath.replace(/\//g, '.')}`;

        return `${where}: ${issue.message}`;
      })
      .join('; ');
  }

  return error.message;
};

/** The one place where any error becomes an HTTP answer `{error:{code,message}}`. */
export const sendError = (thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
  // A database error may reach here raw or wrapped (drizzle, better-auth): a lost connection is
  // always a 503, a value PostgreSQL refused a 400.
  const error = mapDatabaseError(thrown);
  if (error instanceof AppError) {
    // An outage is logged once by the database layer, not once per request; the caller retries.
    if (error.status >= 500 && error.code !== 'database_unavailable') request.log.error({ err: error }, 'request failed');
    const retryAfter = error.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));

    return reply.status(error.status).send(error.toJSON());
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return reply.status(400).send(errorBody('bad_request', describeValidation(fastifyError)));
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.status(413).send(errorBody('payload_too_large', `the body is larger than ${BODY_LIMIT_BYTES} bytes`));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.status(415).send(errorBody('unsupported_media_type', 'unsupported content type'));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reply.status(400).send(errorBody('malformed_json', 'the body is not valid JSON'));
    default:
      break;
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return reply.status(fastifyError.statusCode).send(errorBody('bad_request', fastifyError.message));
  }
  request.log.error({ err: error }, 'unexpected error');

  return reply.status(500).send(errorBody('internal', 'something went wrong on our side; it has been logged'));
};

const helmetOptions = (isSecure: boolean): Readonly<HelmetOptions> => ({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  strictTransportSecurity: isSecure,
  crossOriginEmbedderPolicy: false,
});

/**
 * The headers helmet writes for this configuration (Content-Security-Policy and the rest). They
 * depend on nothing in the request, so helmet runs once against a recording response instead of
 * rebuilding its policy on every request (~25 µs each).
 */
export const computeSecurityHeaders = (isSecure: boolean): Record<string, string> => {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown = null;
  const middleware = helmet(helmetOptions(isSecure)) as unknown as (request: object, response: typeof recorder, next: (error?: unknown) => void) => void;
  middleware({}, recorder, (error) => {
    failure = error ?? null;
  });
  if (failure !== null) throw failure;

  return headers;
};

export type CreateAppOptions = {
  services: Services;
};

/**
 * The HTTP server without routes: request ids, raw bodies, the JSON error shape, the 1 MiB limit,
 * security headers and OpenAPI generation. Entry points add the routes.
 */
export const createApp = async ({ services }: CreateAppOptions): Promise<AppInstance> => {
  const httpLogger = services.logger.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    // Most requests never log: their child logger is built on first use.
    childLoggerFactory: (_logger, bindings, options) =>
      options.level === undefined ? createLazyChildLogger(httpLogger, bindings) : httpLogger.child(bindings, options),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => `req_${takeRandomBytes(9).toString('base64url')}`,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    trustProxy: false,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>() as unknown as AppInstance;

  app.decorate('services', services);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('rawBody', null);
  app.decorateRequest('principal', null);

  // Keep the exact bytes: webhook signatures are computed over them, never over re-serialized JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    // Webhook adapters parse the raw body themselves (with big integers kept as strings).
    if (request.url.startsWith('/hooks/')) return done(null, raw);
    if (raw.length === 0) return done(null, undefined);
    try {
      const text = raw.toString('utf8');
      done(null, storableJson(text, JSON.parse(text)));
    } catch {
      done(new AppError('malformed_json', { message: 'the body is not valid JSON' }), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, body);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // The request's span is named by its route pattern, never by a path with ids or a query.
    if (request.routeOptions.url) tracing.nameRequest(request.method, request.routeOptions.url);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    services.metrics.httpRequestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // Every answer carries the same security headers: computed once, not per request.
  const securityHeaders = computeSecurityHeaders(services.config.isSecure);
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(securityHeaders);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Akked API', version: '1', description: 'WhatsApp order confirmation for cash-on-delivery stores.' },
      servers: [{ url: services.config.publicUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key `ak_...`' },
          session: { type: 'apiKey', in: 'cookie', name: 'akked.session_token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  // Before any route is added: @fastify/rate-limit attaches each route's limiter as it is registered.
  const counters = new RateLimitCounters(services.database, (error) => {
    if (!isDatabaseConnectionError(error)) httpLogger.warn({ err: error }, 'rate-limit counters not saved; retrying');
  });
  app.decorate('rateLimits', await registerRateLimits(app, counters));

  app.setErrorHandler(async (error, request, reply) => sendError(await diagnoseFailure(services.database, error), request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );

  return app;
};

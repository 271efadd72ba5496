import type { FastifyRequest } from 'fastify';
import { hasScope, requiredScope } from '../accounts/api-key-scopes.ts';
import { findAccountByApiKey } from '../accounts/api-keys.ts';
import { isCsrfTokenValid, type Auth } from '../accounts/auth.ts';
import { ensureAccountForUser } from '../accounts/ensure-account.ts';
import { AppError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { Principal } from './app.ts';
import type { RateLimits } from './rate-limits.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const toWebHeaders = (request: FastifyRequest): Headers => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, String(value));
  }

  return headers;
};

export type Authenticator = {
  /** Resolves the caller or throws 401; for cookie sessions, state changes also need the CSRF token (403). */
  authenticate(request: FastifyRequest): Promise<Principal>;
  /** The signed-in user of a cookie session, for routes that only make sense with one. */
  readSession(request: FastifyRequest): Promise<SessionDetails | null>;
};

export type SessionDetails = {
  sessionToken: string;
  user: { id: string; name: string; email: string; emailVerified: boolean; language: string; accountId: string };
};

export const createAuthenticator = (options: { auth: Auth; services: Services; csrfSecret: Buffer; rateLimits: RateLimits }): Authenticator => {
  const { auth, services, csrfSecret, rateLimits } = options;

  // A failed authentication counts against the caller's address; a known caller against its key or session.
  const refuse = async (request: FastifyRequest, message: string): Promise<never> => {
    await rateLimits.enforce('public', request, rateLimits.clientKey(request));
    throw new AppError('unauthorized', { message });
  };
  const admit = async (request: FastifyRequest, principal: Principal): Promise<Principal> => {
    await rateLimits.enforce('api', request, principal.apiKeyId ? `key:${principal.apiKeyId}` : `session:${principal.sessionToken ?? ''}`);
    request.principal = principal;

    return principal;
  };

  const readSession = async (request: FastifyRequest): Promise<SessionDetails | null> => {
    const result = await auth.api.getSession({ headers: toWebHeaders(request), query: { disableCookieCache: true } });
    if (!result) return null;
    const user = result.user as typeof result.user & { language?: string; akkedAccountId?: string | null };
    const accountId =
      user.akkedAccountId ?? (await ensureAccountForUser(services.database, services.config, { id: user.id, name: user.name }));
    if (!accountId) return null;

    return {
      sessionToken: result.session.token,
      user: {
        id: user.id,
        name: user.name,
        email: user.email,
        emailVerified: user.emailVerified,
        language: user.language ?? 'en',
        accountId,
      },
    };
  };

  const authenticate = async (request: FastifyRequest): Promise<Principal> => {
    if (request.principal) return request.principal;
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const found = match?.[1] ? await findAccountByApiKey(services.database, match[1]) : null;
      if (!found) return refuse(request, 'invalid or revoked API key');
      const principal = await admit(request, { accountId: found.accountId, userId: null, via: 'api_key', sessionToken: null, apiKeyId: found.keyId, scopes: found.scopes });
      // Before anything is looked up: a key without the scope learns nothing about the resource.
      const needed = requiredScope(request.routeOptions.url ?? request.url.split('?', 1)[0] ?? '', request.method);
      if (!hasScope(found.scopes, needed)) {
        request.principal = null;
        throw new AppError('forbidden', { message: `this API key lacks the scope "${needed}"`, details: { requiredScope: needed } });
      }

      return principal;
    }
    const session = await readSession(request);
    if (!session) return refuse(request, 'sign in, or send an API key as "Authorization: Bearer ak_..."');
    if (!SAFE_METHODS.has(request.method)) {
      const token = request.headers['x-csrf-token'];
      if (!isCsrfTokenValid(csrfSecret, session.sessionToken, typeof token === 'string' ? token : undefined)) {
        throw new AppError('csrf_token_invalid', {
          message: 'missing or invalid x-csrf-token header (get it from GET /api/v1/session)',
        });
      }
    }

    return admit(request, { accountId: session.user.accountId, userId: session.user.id, via: 'session', sessionToken: session.sessionToken, apiKeyId: null, scopes: null });
  };

  return { authenticate, readSession };
};

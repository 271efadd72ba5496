import { CLIENT_ADDRESS_HEADER, SESSION_COOKIE_NAME, type Auth } from '../../accounts/auth.ts';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { diagnoseFailure } from '../../db/availability.ts';
import { readPersonName } from '../../accounts/person-name.ts';
import { AppError, ERROR_STATUS, isAppError, type ErrorCode } from '../../errors.ts';
import type { AppInstance } from '../app.ts';
import { toWebHeaders } from '../authenticate.ts';
import { clientAddress } from '../client-address.ts';

/** The only cookies Akked ever sets (DESIGN.md §5.3 Privacy): the session, nothing else. */
const ALLOWED_COOKIES = new Set([SESSION_COOKIE_NAME]);

const cookieName = (setCookie: string): string => setCookie.split('=', 1)[0]?.trim() ?? '';

const AuthErrorSchema = z.object({ code: z.string().min(1).max(100).optional().catch(undefined), message: z.string().min(1).max(1000).optional().catch(undefined) }).catch({});

/** better-auth's error body: JSON `{code, message}`, or a line of text (its rate limiter). */
const readAuthError = (body: Buffer, contentType: string | null): { code?: string | undefined; message?: string | undefined } => {
  const text = body.toString('utf8').trim();
  if (!(contentType ?? '').includes('application/json')) return { message: text.length > 0 ? text.slice(0, 1000) : undefined };
  try {
    return AuthErrorSchema.parse(JSON.parse(text || '{}'));
  } catch {
    return {};
  }
};

/** The Akked error code for a status better-auth answered without one. */
const codeForStatus = (status: number): ErrorCode => {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'internal';

  return (Object.keys(ERROR_STATUS) as ErrorCode[]).find((code) => ERROR_STATUS[code] === status) ?? 'bad_request';
};

/** The endpoints that try a password or send an email: limited per client address and path, counted exactly. */
const GUARDED_PATHS = new Set(['/api/auth/sign-in/email', '/api/auth/sign-up/email', '/api/auth/request-password-reset', '/api/auth/send-verification-email']);

/** Mounts better-auth at /api/auth/* (sign-up, sign-in, sign-out, verify-email, password reset). */
export const registerAuthRoutes = (app: AppInstance, options: { auth: Auth; config: Config }): void => {
  const { auth, config } = options;
  const { rateLimits } = app;
  app.route({
    method: ['GET', 'POST'],
    url: '/api/auth/*',
    schema: { hide: true },
    config: { rateLimit: rateLimits.route('public', (request) => rateLimits.clientKey(request)) },
    handler: async (request, reply) => {
      const path = request.url.split('?', 1)[0] ?? '';
      if (GUARDED_PATHS.has(path)) await rateLimits.enforce('auth', request, `${path} ${rateLimits.clientKey(request)}`);
      // A bad name is refused before better-auth hashes the password (~70 ms of CPU) and writes anything.
      if (path === '/api/auth/sign-up/email') {
        const read = readPersonName((request.body as { name?: unknown } | undefined)?.name);
        if ('problem' in read) throw new AppError('bad_request', { message: read.problem });
      }
      const headers = toWebHeaders(request);
      headers.set(CLIENT_ADDRESS_HEADER, clientAddress(config.trustedProxy, request));
      const hasBody = request.method !== 'GET' && request.rawBody !== null;
      const response = await auth.handler(
        new Request(new URL(request.url, config.publicUrl), {
          method: request.method,
          headers,
          ...(hasBody ? { body: new Uint8Array(request.rawBody as Buffer) } : {}),
        }),
      );
      if (response.status >= 500) {
        // better-auth turns a lost database into a bare 500: answered as the retryable 503 it is.
        const diagnosed = await diagnoseFailure(app.services.database, new Error(`better-auth answered ${response.status}`));
        if (isAppError(diagnosed)) throw diagnosed;
      }
      reply.status(response.status);
      response.headers.forEach((value, name) => {
        if (name === 'set-cookie' || name === 'content-length') return;
        reply.header(name, value);
      });
      const cookies = response.headers.getSetCookie().filter((cookie) => ALLOWED_COOKIES.has(cookieName(cookie)));
      if (cookies.length > 0) reply.header('set-cookie', cookies);
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status >= 400) {
        // better-auth answers {code, message}, or plain text (its rate limiter); every Akked error is {error:{code,message}}.
        const parsed = readAuthError(body, response.headers.get('content-type'));
        reply.removeHeader('content-type');

        return reply.send({
          error: { code: (parsed.code ?? codeForStatus(response.status)).toLowerCase(), message: parsed.message ?? (response.statusText || 'request refused') },
        });
      }

      return reply.send(body);
    },
  });
};

import { CLIENT_ADDRESS_HEADER, SESSION_COOKIE_NAME, type Auth } from '../../accounts/auth.ts';
import type { Config } from '../../config.ts';
import type { AppInstance } from '../app.ts';
import { toWebHeaders } from '../authenticate.ts';

/** The only cookies Akked ever sets (DESIGN.md §5.3 Privacy): the session, nothing else. */
const ALLOWED_COOKIES = new Set([SESSION_COOKIE_NAME]);

const cookieName = (setCookie: string): string => setCookie.split('=', 1)[0]?.trim() ?? '';

/** The client address for rate limiting: the socket peer, or the configured proxy header's first entry. */
export const clientAddress = (config: Config, request: { ip: string; headers: Record<string, unknown> }): string => {
  if (config.AKKED_TRUSTED_PROXY_HEADER) {
    const value = request.headers[config.AKKED_TRUSTED_PROXY_HEADER];
    const first = (Array.isArray(value) ? value[0] : value)?.toString().split(',')[0]?.trim();
    if (first) return first;
  }

  return request.ip;
};

/** Mounts better-auth at /api/auth/* (sign-up, sign-in, sign-out, verify-email, password reset). */
export const registerAuthRoutes = (app: AppInstance, options: { auth: Auth; config: Config }): void => {
  const { auth, config } = options;
  app.route({
    method: ['GET', 'POST'],
    url: '/api/auth/*',
    schema: { hide: true },
    handler: async (request, reply) => {
      const headers = toWebHeaders(request);
      headers.set(CLIENT_ADDRESS_HEADER, clientAddress(config, request));
      const hasBody = request.method !== 'GET' && request.rawBody !== null;
      const response = await auth.handler(
        new Request(new URL(request.url, config.publicUrl), {
          method: request.method,
          headers,
          ...(hasBody ? { body: new Uint8Array(request.rawBody as Buffer) } : {}),
        }),
      );
      reply.status(response.status);
      response.headers.forEach((value, name) => {
        if (name === 'set-cookie' || name === 'content-length') return;
        reply.header(name, value);
      });
      const cookies = response.headers.getSetCookie().filter((cookie) => ALLOWED_COOKIES.has(cookieName(cookie)));
      if (cookies.length > 0) reply.header('set-cookie', cookies);
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status >= 400 && (response.headers.get('content-type') ?? '').includes('application/json')) {
        // better-auth answers {code, message}; every Akked error is {error:{code,message}}.
        const parsed = JSON.parse(body.toString('utf8') || '{}') as { code?: string; message?: string };
        return reply.send({
          error: { code: (parsed.code ?? 'bad_request').toLowerCase(), message: parsed.message ?? response.statusText },
        });
      }

      return reply.send(body);
    },
  });
};

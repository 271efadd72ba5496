import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { DASHBOARD_DIRECTORY } from '../../install-paths.ts';
import type { AppInstance } from '../app.ts';

/** The dashboard's build (`npm run build` makes it; scripts/build.mjs). */
export const DASHBOARD_BUILD_DIRECTORY = DASHBOARD_DIRECTORY;

/** Paths that belong to the API, never to the single-page app, so a typo there is a JSON 404. */
const API_PREFIXES = ['/api/', '/hooks/', '/metrics', '/healthz', '/readyz'];

/**
 * Serves the dashboard (DESIGN.md §5.5) at `/`: its hashed assets with a long cache, and index.html
 * for every other page path so deep links survive a reload. The CSP of createApp applies to all.
 */
export const registerDashboardRoutes = async (app: AppInstance, options: { directory?: string } = {}): Promise<void> => {
  const root = options.directory ?? DASHBOARD_BUILD_DIRECTORY;
  await app.register(fastifyStatic, { root, serve: false });
  if (!existsSync(path.join(root, 'index.html'))) app.log.warn({ directory: root }, 'the dashboard is not built: `/` answers 503 until `npm run build` has run');

  const sendPage = (reply: FastifyReply) => {
    if (!existsSync(path.join(root, 'index.html'))) {
      throw new AppError('unavailable', { message: 'the dashboard is not built: run `npm run build` (bin/akked builds it in a checkout)' });
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html', root, { cacheControl: false });
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = decodeURIComponent(request.url.split('?')[0] ?? '/');
    if (API_PREFIXES.some((prefix) => pathname === prefix.replace(/\/$/, '') || pathname.startsWith(prefix))) {
      throw new AppError('not_found', { message: `no route for ${request.method} ${pathname}` });
    }
    if (pathname.startsWith('/assets/')) {
      const relative = path.normalize(pathname).replace(/^[/\\]+/, '');
      if (relative.startsWith('assets') && existsSync(path.join(root, relative))) {
        return reply.sendFile(relative, root, { maxAge: 31_536_000_000, immutable: true });
      }
      throw new AppError('not_found', { message: `no file ${pathname}` });
    }
    // A path with a file extension that is not a built asset is a missing file, not a page.
    if (/\.[a-z0-9]{1,8}$/i.test(pathname)) throw new AppError('not_found', { message: `no file ${pathname}` });

    return sendPage(reply);
  };

  app.get('/', { schema: { hide: true } }, handler);
  app.get('/*', { schema: { hide: true } }, handler);
};

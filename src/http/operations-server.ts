import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { checkReadiness } from './readiness.ts';

export type OperationsServer = { url: string; close(): Promise<void> };

export type StartOperationsServerOptions = {
  port: number;
  host: string;
  database: Database;
  metrics: Metrics;
  logger: Logger;
};

const sendJson = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
};

/**
 * AKKED_METRICS_PORT: `/healthz`, `/readyz` and `/metrics` for every role, a worker included (it has
 * no other HTTP). No token here: this port belongs on the private network of the scraper and the
 * orchestrator's probes. Plain node:http, so a worker loads no web framework for three routes.
 */
export const startOperationsServer = async (options: StartOperationsServerOptions): Promise<OperationsServer> => {
  const { database, metrics, logger } = options;
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const pathname = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, { error: { code: 'method_not_allowed', message: 'only GET' } });
    if (pathname === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (pathname === '/readyz') {
      const readiness = await checkReadiness(database);

      return readiness.isReady ? sendJson(response, 200, { status: 'ready' }) : sendJson(response, 503, { error: { code: 'unavailable', message: readiness.reason } });
    }
    if (pathname === '/metrics') {
      const body = await metrics.registry.metrics();
      response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });

      return response.end(body);
    }

    return sendJson(response, 404, { error: { code: 'not_found', message: `no route for ${request.method} ${pathname}` } });
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'operations endpoint failed');
      if (!response.headersSent) sendJson(response, 500, { error: { code: 'internal', message: 'something went wrong on our side; it has been logged' } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${options.port} is already in use: stop what listens there, or set AKKED_METRICS_PORT to another port`)
          : error,
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};

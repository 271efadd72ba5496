import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { AppError } from '../errors.ts';

import { SSL_MODES, type SslMode } from './ssl-modes.ts';

export { SSL_MODES, type SslMode };

/** libpq's environment fallbacks for what the URL does not say (PGSSLMODE, PGSSLROOTCERT). */
export type TlsEnvironment = { sslMode?: SslMode | undefined; sslRootCert?: string | undefined };

/** What node-postgres (and pg-boss) are given: the URL without libpq's TLS parameters, and `ssl`. */
export type PostgresConnection = { connectionString: string; ssl: ConnectionOptions | false };

/**
 * The connection to try first and, for `prefer` and `allow`, the one libpq falls back to: with
 * `prefer` a server without TLS is used in clear, with `allow` a server that refuses clear is used
 * over TLS.
 */
export type PostgresConnectionPlan = {
  first: PostgresConnection;
  fallback: { connection: PostgresConnection; when: (error: unknown) => boolean } | null;
};

// Parameters node-postgres would read from the URL itself, with its own meaning of sslmode
// (require and verify-ca verify everything, unlike libpq): they are read here and removed.
const TLS_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];

const isServerWithoutTls = (error: unknown): boolean => /does not support SSL/i.test((error as Error)?.message ?? '');

// 28000 invalid_authorization_specification: pg_hba.conf has no entry for an unencrypted connection.
const isRefusedInClear = (error: unknown): boolean => (error as { code?: string })?.code === '28000';

const readFile = (file: string, what: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('internal', { message: `cannot read the ${what} ${file}: ${(error as Error).message}`, cause: error });
  }
};

/**
 * DATABASE_URL's TLS as libpq reads it (https://www.postgresql.org/docs/current/libpq-ssl.html):
 * `sslmode` (default `prefer`) and `sslrootcert` from the URL, else PGSSLMODE and PGSSLROOTCERT,
 * else `~/.postgresql/root.crt` when it exists; `sslrootcert=system` trusts the system's CAs.
 * `require` encrypts without checking the certificate, unless a root certificate is given (then
 * it checks the chain, as `verify-ca`); `verify-ca` checks the chain; `verify-full` also the host
 * name. `sslcert` and `sslkey` present a client certificate.
 */
export const planPostgresConnection = (databaseUrl: string, environment: TlsEnvironment = {}): PostgresConnectionPlan => {
  const url = new URL(databaseUrl);
  const parameter = (name: string) => url.searchParams.get(name) ?? undefined;
  // node-postgres's own `ssl=true` verified every certificate against the system's CAs: kept so.
  const legacySsl = parameter('ssl');
  const isLegacySsl = legacySsl === 'true' || legacySsl === '1';
  const legacyMode = legacySsl === undefined ? undefined : isLegacySsl ? 'verify-full' : 'disable';
  const mode = (parameter('sslmode') ?? legacyMode ?? environment.sslMode ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(mode)) {
    throw new AppError('internal', { message: `DATABASE_URL: sslmode must be one of ${SSL_MODES.join(', ')} (got ${mode})` });
  }
  const defaultRootCert = path.join(homedir(), '.postgresql', 'root.crt');
  const rootCert =
    parameter('sslrootcert') ?? environment.sslRootCert ?? (existsSync(defaultRootCert) ? defaultRootCert : isLegacySsl ? 'system' : undefined);
  for (const name of TLS_PARAMETERS) url.searchParams.delete(name);
  const connectionString = url.toString();

  const clientCert = parameter('sslcert');
  const clientKey = parameter('sslkey');
  const base: ConnectionOptions = {
    ...(clientCert ? { cert: readFile(clientCert, 'client certificate (sslcert)') } : {}),
    ...(clientKey ? { key: readFile(clientKey, 'client key (sslkey)') } : {}),
  };
  const unverified: ConnectionOptions = { ...base, rejectUnauthorized: false };
  const verified = (checksHostName: boolean): ConnectionOptions => {
    if (!rootCert) {
      throw new AppError('internal', {
        message: `DATABASE_URL: sslmode=${mode} needs the server's root certificate: set PGSSLROOTCERT or sslrootcert=<file> (sslrootcert=system for the system's CAs)`,
      });
    }

    return {
      ...base,
      rejectUnauthorized: true,
      // `system`: Node's own CA list, as libpq's system trust store.
      ...(rootCert === 'system' ? {} : { ca: readFile(rootCert, 'root certificate (PGSSLROOTCERT / sslrootcert)') }),
      ...(checksHostName ? {} : { checkServerIdentity: () => undefined }),
    };
  };
  const connection = (ssl: ConnectionOptions | false): PostgresConnection => ({ connectionString, ssl });

  switch (mode) {
    case 'disable':
      return { first: connection(false), fallback: null };
    case 'allow':
      return { first: connection(false), fallback: { connection: connection(unverified), when: isRefusedInClear } };
    case 'prefer':
      return { first: connection(unverified), fallback: { connection: connection(false), when: isServerWithoutTls } };
    case 'require':
      return { first: connection(rootCert ? verified(false) : unverified), fallback: null };
    case 'verify-ca':
      return { first: connection(verified(false)), fallback: null };
    case 'verify-full':
      return { first: connection(verified(true)), fallback: null };
  }
};

/**
 * The connection of `plan` the server accepts, as libpq decides between TLS and clear for
 * `prefer` and `allow`: decided once, by one trial connection, for every connection of the process.
 */
export const choosePostgresConnection = async (plan: PostgresConnectionPlan): Promise<PostgresConnection> => {
  const tryConnecting = async (connection: PostgresConnection) => {
    const client = new pg.Client({ ...connection, connectionTimeoutMillis: 10_000, application_name: 'akked' });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  try {
    await tryConnecting(plan.first);

    return plan.first;
  } catch (error) {
    if (!plan.fallback?.when(error)) throw error;
    await tryConnecting(plan.fallback.connection);

    return plan.fallback.connection;
  }
};

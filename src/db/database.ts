import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { DatabaseAvailability } from './availability.ts';
import { mapConnectionError } from './connection-errors.ts';
import { describeTightened, secureDataDirectory } from './data-directory.ts';
import { acquireDirectoryLock, type DirectoryLock } from './directory-lock.ts';
import { choosePostgresConnection, planPostgresConnection, type PostgresConnection, type TlsEnvironment } from './postgres-connection.ts';

/** drizzle on the same connection, for better-auth's adapter (its tables: src/accounts/auth-tables.ts); Akked's queries are SQL. */
export type Orm = PgDatabase<PgQueryResultHKT>;

export type Row = Record<string, unknown>;

export type QueryOptions = {
  /**
   * Keep the statement prepared on each PostgreSQL connection, so the server parses and plans it
   * once per connection instead of on every call: for hot statements of a fixed text (a CTE of a
   * few data-modifying steps costs ~0.5 ms of server CPU to plan, ~0.1 ms to run). No effect on PGlite.
   */
  isPrepared?: boolean;
};

/** Runs SQL with `$1, $2...` parameters; the same on PGlite and node-postgres. */
export type Queryable = {
  query<T extends Row = Row>(text: string, params?: unknown[], options?: QueryOptions): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** The typed query builder bound to the same connection (and transaction, inside one). */
  orm: Orm;
};

export type Transaction = Queryable;

export type Database = Queryable & {
  kind: 'pglite' | 'postgres';
  /** The schema holding every Akked table: every connection's search_path is this schema alone. */
  schema: string;
  /**
   * Runs `work` in one transaction, committed when it resolves and rolled back when it throws. On
   * PGlite every statement of the process waits for it, so the work must never wait on the network
   * (DESIGN: never hold a transaction across a network call).
   */
  transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T>;
  /**
   * Calls `handler` with the payload of every NOTIFY on `channel` (from any process on PostgreSQL,
   * from this process on PGlite). Resolves to a function that stops listening.
   */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  /** The embedded instance, for pg-boss's PGlite backend. */
  pglite: PGlite | null;
  /** How this process reaches PostgreSQL (URL and TLS as chosen at open), for pg-boss's own pool. */
  connection: PostgresConnection | null;
  /** Whether the database answers, as this process's connections saw last (always true on PGlite). */
  availability: DatabaseAvailability;
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  /** PostgreSQL URL; without it the embedded database in `dataDirectory` is used. */
  databaseUrl?: string | undefined;
  /** PGSSLMODE and PGSSLROOTCERT, for what the URL does not say (libpq's order). */
  tls?: TlsEnvironment;
  dataDirectory: string;
  poolSize?: number;
  /** Open PGlite in memory (tests); no directory lock is taken. */
  inMemory?: boolean;
  /** Akked's schema (default `akked`); tests on one shared PGlite give each database its own. */
  schema?: string;
  /**
   * Told how many entries of an existing data directory were open to other users and made private
   * (default: a process warning on stderr).
   */
  onTightened?: (count: number, directory: string) => void;
};

/**
 * Where Akked's tables live in a deployment (DESIGN §7.1): never `public`, which Supabase's Data
 * API exposes to its `anon` and `authenticated` roles.
 */
export const DEFAULT_SCHEMA = 'akked';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The statement that points a connection at Akked's schema, and nothing else: unqualified names
 * (in our SQL, drizzle's and better-auth's) can never reach an operator's table of the same name
 * in `public`, and a table created before the schema exists fails instead of landing in `public`.
 */
export const searchPathStatement = (schemaName: string): string => {
  if (!SCHEMA_NAME.test(schemaName)) throw new AppError('internal', { message: `invalid schema name ${schemaName}` });

  return `set search_path to "${schemaName}"`;
};

export const openDatabase = async (options: OpenDatabaseOptions): Promise<Database> => {
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.tls ?? {}, options.poolSize ?? 10, schemaName);

  return openPglite(options, schemaName);
};

/** The database a configuration names: DATABASE_URL with its TLS settings, else the embedded one. */
export const openConfiguredDatabase = (
  config: Pick<Config, 'DATABASE_URL' | 'AKKED_DATA_DIR' | 'AKKED_DATABASE_POOL_SIZE' | 'PGSSLMODE' | 'PGSSLROOTCERT'>,
  options: Pick<OpenDatabaseOptions, 'onTightened'> = {},
): Promise<Database> =>
  openDatabase({
    ...options,
    databaseUrl: config.DATABASE_URL,
    dataDirectory: config.AKKED_DATA_DIR,
    poolSize: config.AKKED_DATABASE_POOL_SIZE,
    tls: { sslMode: config.PGSSLMODE, sslRootCert: config.PGSSLROOTCERT },
  });

const preparedNames = new Map<string, string>();

/** node-postgres's query config: a prepared statement is named after its text. */
const toQueryConfig = (text: string, params: unknown[], options: QueryOptions | undefined): pg.QueryConfig => {
  if (!options?.isPrepared) return { text, values: params };
  let name = preparedNames.get(text);
  if (!name) {
    name = `akked_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    preparedNames.set(text, name);
  }

  return { name, text, values: params };
};

/**
 * How long a statement waits for a connection (a free pool slot, or a new connection to a server
 * that does not answer) before failing as `database_unavailable`: a request during an outage
 * answers 503 within it instead of hanging. pg-boss's pool uses the same.
 */
export const CONNECT_TIMEOUT_MS = 4_000;

// TCP keepalive finds a server that vanished without closing its sockets (a lost machine).
const KEEPALIVE = { keepAlive: true, keepAliveInitialDelayMillis: 10_000 } as const;

const openPostgres = async (databaseUrl: string, tls: TlsEnvironment, poolSize: number, schemaName: string): Promise<Database> => {
  const setSearchPath = searchPathStatement(schemaName);
  const unreachable = (error: unknown) =>
    new AppError('unavailable', { message: `cannot connect to DATABASE_URL: ${(error as Error).message}`, cause: error });
  // Settings the URL cannot work with (sslmode=verify-full without a root certificate) throw here, as they are.
  const plan = planPostgresConnection(databaseUrl, tls);
  const connection = await choosePostgresConnection(plan).catch((error: unknown) => {
    throw unreachable(error);
  });
  // A SET on each new connection rather than the `options` startup parameter, which PgBouncer and
  // some poolers refuse; the pool hands a connection out only after this succeeded.
  const pool = new pg.Pool({
    ...connection,
    ...KEEPALIVE,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'akked',
    onConnect: async (client) => {
      await client.query(setSearchPath);
    },
  });
  const availability = new DatabaseAvailability({
    probe: async () => {
      await pool.query('select 1');
    },
  });
  // An idle client that loses its connection is reported here; the pool replaces it on the next checkout.
  pool.on('error', (error) => availability.reportFailure(error));
  // A checked-out client (a transaction, drizzle's or better-auth's statements) has no listener of
  // the pool's: without one of its own, a connection dropped under it is an uncaught 'error' event
  // that ends the process. Its statement fails with the same error, and release() discards it.
  pool.on('connect', (client) => {
    client.on('error', (error) => availability.reportFailure(error));
  });
  /** Runs one database call: reports reachability, and turns connection failures into `database_unavailable`. */
  const guarded = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      availability.reportSuccess();

      return result;
    } catch (error) {
      availability.reportFailure(error);
      throw mapConnectionError(error);
    }
  };
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    throw unreachable(error);
  }
  const orm = drizzlePostgres(pool) as unknown as Orm;

  return {
    kind: 'postgres',
    schema: schemaName,
    orm,
    query: <T extends Row>(text: string, params: unknown[] = [], options?: QueryOptions) =>
      guarded(async () => (await pool.query(toQueryConfig(text, params, options))).rows as T[]),
    exec: (script) =>
      guarded(async () => {
        await pool.query(script);
      }),
    transaction: (work) =>
      guarded(async () => {
        const client = await pool.connect();
        // A client whose rollback did not go through may still be inside the transaction: it is
        // discarded instead of going back to the pool.
        let discard: Error | undefined;
        try {
          await client.query('begin');
          const result = await work({
            orm: drizzlePostgres(client) as unknown as Orm,
            query: <T extends Row>(text: string, params: unknown[] = [], options?: QueryOptions) =>
              guarded(async () => (await client.query(toQueryConfig(text, params, options))).rows as T[]),
            exec: (script) =>
              guarded(async () => {
                await client.query(script);
              }),
          });
          // A commit cut off by a lost connection may or may not have landed: the caller hears
          // database_unavailable (never a success), and retries meet the unique keys.
          await client.query('commit');

          return result;
        } catch (error) {
          await client.query('rollback').catch((rollbackError: unknown) => {
            discard = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
          });
          throw error;
        } finally {
          client.release(discard);
        }
      }),
    listen: (channel, handler) => listenOnPostgres(connection, channel, handler, availability),
    pglite: null,
    connection,
    availability,
    close: async () => {
      availability.close();
      await pool.end();
    },
  };
};

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const LISTEN_RETRY_FIRST_MS = 1_000;
const LISTEN_RETRY_MAX_MS = 10_000;

/**
 * LISTEN needs a connection of its own, kept open; when it drops, it is replaced after a short
 * pause, and again (backing off to 10 s) for as long as the database is away. Notifications sent
 * meanwhile are lost, so listeners also poll as a backstop.
 */
const listenOnPostgres = async (
  connection: PostgresConnection,
  channel: string,
  handler: (payload: string) => void,
  availability: DatabaseAvailability,
): Promise<() => Promise<void>> => {
  if (!CHANNEL_NAME.test(channel)) throw new AppError('internal', { message: `invalid channel name ${channel}` });
  let client: pg.Client | null = null;
  let isStopped = false;
  const reconnectAfter = (delayMs: number) => {
    setTimeout(() => {
      if (isStopped) return;
      connect().catch((error: unknown) => {
        availability.reportFailure(error);
        reconnectAfter(Math.min(delayMs * 2, LISTEN_RETRY_MAX_MS));
      });
    }, delayMs).unref();
  };
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ ...connection, ...KEEPALIVE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'akked-listen' });
    let isLost = false;
    const lose = (error: unknown) => {
      if (isLost) return;
      isLost = true;
      next.end().catch(() => undefined);
      if (isStopped) return;
      availability.reportFailure(error);
      if (client === next) client = null;
      reconnectAfter(LISTEN_RETRY_FIRST_MS);
    };
    next.on('notification', (message) => {
      if (message.channel === channel) handler(message.payload ?? '');
    });
    // Before connect(): a failure while connecting rejects it instead, and is handled by the caller.
    next.on('error', (error) => {
      if (client === next) lose(error);
    });
    next.on('end', () => {
      if (client === next) lose(new Error('Connection terminated unexpectedly'));
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      isLost = true;
      await next.end().catch(() => undefined);
      throw error;
    }
    client = next;
    availability.reportSuccess();
  };
  await connect();

  return async () => {
    isStopped = true;
    await client?.end().catch(() => undefined);
  };
};

// Match node-postgres: 64-bit integers come back as strings, so no id or count silently loses digits.
const PGLITE_PARSERS = { 20: (value: string) => value };
// pg_trgm backs the orders search (migration 0010); PGlite loads extensions only when asked here.
const PGLITE_OPTIONS = { parsers: PGLITE_PARSERS, extensions: { pg_trgm } };

const openPglite = async (options: OpenDatabaseOptions, schemaName: string): Promise<Database> => {
  if (options.inMemory) return wrapPglite(await PGlite.create(PGLITE_OPTIONS), { schema: schemaName, closesInstance: true });
  const dataDirectory = path.resolve(options.dataDirectory);
  const directory = path.join(dataDirectory, 'pglite');
  // Private to its owner: the database holds every order, the data directory the master key.
  const tightened = await secureDataDirectory(dataDirectory);
  if (tightened > 0) {
    if (options.onTightened) options.onTightened(tightened, dataDirectory);
    else process.emitWarning(describeTightened(tightened, dataDirectory), 'AkkedWarning');
  }
  await mkdir(directory, { recursive: true, mode: 0o700 });
  // PGlite has no lock of its own: two processes on one directory silently lose writes.
  const lock = await acquireDirectoryLock(dataDirectory);
  try {
    const pglite = await PGlite.create(directory, PGLITE_OPTIONS);
    // A new database is unpacked with world-readable files (0666).
    await secureDataDirectory(directory);

    return await wrapPglite(pglite, { schema: schemaName, closesInstance: true, lock });
  } catch (error) {
    await lock.release();
    throw error;
  }
};

/** Creates an in-memory PGlite with the same type parsers as `openDatabase` (tests share one per worker). */
export const createMemoryPglite = (): Promise<PGlite> => PGlite.create(PGLITE_OPTIONS);

/**
 * The Database interface over a PGlite instance (one connection: its search_path is set here).
 * `closesInstance: false` leaves the instance open on close (tests run many databases, one schema
 * each, one after the other on one shared instance).
 */
export const wrapPglite = async (
  pglite: PGlite,
  options: { schema: string; closesInstance: boolean; lock?: DirectoryLock; onClose?: () => Promise<void> },
): Promise<Database> => {
  await pglite.exec(searchPathStatement(options.schema));
  const orm = drizzlePglite(pglite) as unknown as Orm;

  return {
    kind: 'pglite',
    schema: options.schema,
    orm,
    query: async <T extends Row>(text: string, params: unknown[] = []) =>
      (await pglite.query<T>(text, params)).rows,
    exec: async (script) => {
      await pglite.exec(script);
    },
    transaction: (work) =>
      pglite.transaction(async (transaction) =>
        work({
          orm: drizzlePglite(transaction as unknown as PGlite) as unknown as Orm,
          query: async <T extends Row>(text: string, params: unknown[] = []) =>
            (await transaction.query<T>(text, params)).rows,
          exec: async (script) => {
            await transaction.exec(script);
          },
        }),
      ),
    listen: async (channel, handler) => {
      const unsubscribe = await pglite.listen(channel, handler);

      return async () => {
        await unsubscribe();
      };
    },
    pglite,
    connection: null,
    // One process owns the embedded database: it cannot go away underneath it.
    availability: new DatabaseAvailability({ probe: async () => undefined }),
    close: async () => {
      await options.onClose?.();
      if (options.closesInstance) await pglite.close();
      await options.lock?.release();
    },
  };
};

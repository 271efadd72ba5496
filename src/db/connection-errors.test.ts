import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../../test/harness/database.ts';
import { findFreePort } from '../../test/harness/processes.ts';
import { AppError } from '../errors.ts';
import { DatabaseAvailability } from './availability.ts';
import { databaseUnavailable, isDatabaseConnectionError, mapConnectionError } from './connection-errors.ts';
import { openDatabase, type Database } from './database.ts';

const connectionRefused = async (): Promise<unknown> => {
  const client = new pg.Client({ host: '127.0.0.1', port: await findFreePort(), user: 'nobody', connectionTimeoutMillis: 2_000 });

  return client.connect().then(
    () => null,
    (error: unknown) => error,
  );
};

describe('connection errors', () => {
  it('tells a refused connection, a terminated one and a server shutting down from a refused statement', async () => {
    const refused = await connectionRefused();
    expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isDatabaseConnectionError(refused)).toBe(true);
    expect(isDatabaseConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseConnectionError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseConnectionError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseConnectionError(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe(true);
    // A statement the database refused says the database is there.
    expect(isDatabaseConnectionError(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
    expect(isDatabaseConnectionError(Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' }))).toBe(false);
    expect(isDatabaseConnectionError(new AppError('not_found', { message: 'no such order' }))).toBe(false);
  });

  it('finds the connection failure inside the errors that wrap it (drizzle, better-auth, pg-boss)', () => {
    const wrapped = new Error('Failed query: select 1', { cause: new Error('wrapper', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }) });
    expect(isDatabaseConnectionError(wrapped)).toBe(true);
    expect(isDatabaseConnectionError(new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })]))).toBe(true);
  });

  it('maps a connection failure to a retryable 503 database_unavailable and leaves every other error as it is', async () => {
    const mapped = mapConnectionError(await connectionRefused());
    expect(mapped).toBeInstanceOf(AppError);
    expect((mapped as AppError).code).toBe('database_unavailable');
    expect((mapped as AppError).status).toBe(503);
    expect((mapped as AppError).retryable).toBe(true);
    const refused = Object.assign(new Error('duplicate key value'), { code: '23505' });
    expect(mapConnectionError(refused)).toBe(refused);
    const appError = new AppError('bad_request', { message: 'no' });
    expect(mapConnectionError(appError)).toBe(appError);
  });
});

describe('database availability', () => {
  it('announces an outage once however many failures report it, and its end once', async () => {
    let isUp = false;
    const availability = new DatabaseAvailability({
      probe: async () => {
        if (!isUp) throw databaseUnavailable(null);
      },
      probeIntervalMs: 20,
    });
    const changes: boolean[] = [];
    availability.onChange((change) => changes.push(change.isAvailable));
    for (let index = 0; index < 50; index++) availability.reportFailure(new Error('Connection terminated unexpectedly'));
    availability.reportFailure(Object.assign(new Error('duplicate key value'), { code: '23505' }));
    expect(availability.isAvailable).toBe(false);
    expect(changes).toEqual([false]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(changes).toEqual([false]);
    isUp = true;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(changes).toEqual([false, true]);
    expect(availability.isAvailable).toBe(true);
    availability.close();
  });

  it('ignores failures that are not about the connection, and a database that is only busy', () => {
    const availability = new DatabaseAvailability({ probe: async () => undefined });
    availability.reportFailure(new AppError('bad_request', { message: 'no' }));
    availability.reportFailure(Object.assign(new Error('value too long'), { code: '22001' }));
    // A full pool and max_connections: callers get a 503, but nothing is gone.
    availability.reportFailure(new Error('timeout exceeded when trying to connect'));
    availability.reportFailure(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }));
    expect(availability.isAvailable).toBe(true);
    expect((mapConnectionError(new Error('timeout exceeded when trying to connect')) as AppError).code).toBe('database_unavailable');
  });
});

describe.runIf(TEST_DATABASE_URL)('a PostgreSQL connection cut under a running process', () => {
  let database: Database | null = null;
  afterEach(async () => {
    await database?.close();
    database = null;
  });

  const terminate = async (pid: number) => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await admin.end();
  };

  it('fails the transaction whose connection is terminated with database_unavailable, without an uncaught error, and goes on', async () => {
    database = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDirectory: '/nonexistent', poolSize: 2 });
    const changes: boolean[] = [];
    database.availability.onChange((change) => changes.push(change.isAvailable));
    const outcome = await database
      .transaction(async (transaction) => {
        const [row] = await transaction.query<{ pid: number }>('select pg_backend_pid() as pid');
        await terminate(Number(row?.pid));
        // The idle, checked-out client hears the server go first: an 'error' event with no statement running.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await transaction.query('select 1');
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(AppError);
    expect((outcome as AppError).code).toBe('database_unavailable');
    expect(changes).toEqual([false]);
    // The broken connection left the pool: the next statement gets a fresh one.
    expect(await database.query<{ one: number }>('select 1 as one')).toEqual([{ one: 1 }]);
    expect(database.availability.isAvailable).toBe(true);
    expect(changes).toEqual([false, true]);
  });

  it('keeps listening after its LISTEN connection is terminated', async () => {
    database = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDirectory: '/nonexistent', poolSize: 2 });
    const channel = `akked_test_${process.pid}`;
    const payloads: string[] = [];
    const stop = await database.listen(channel, (payload) => payloads.push(payload));
    try {
      const listeners = await database.query<{ pid: number }>("select pid from pg_stat_activity where application_name = 'akked-listen' and query = $1", [`LISTEN ${channel}`]);
      expect(listeners).toHaveLength(1);
      await terminate(Number(listeners[0]?.pid));
      const deadline = Date.now() + 10_000;
      while (!payloads.includes('after') && Date.now() < deadline) {
        await database.query('select pg_notify($1, $2)', [channel, 'after']);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(payloads).toContain('after');
    } finally {
      await stop();
    }
  });
});

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { BenchmarkSkipped } from './benchmark.ts';

/**
 * Benchmarks run on real PostgreSQL only: BENCH_DATABASE_URL when set, else the local test server
 * when it answers. Each run gets a fresh database `akked_bench_<random>` on that server, dropped at
 * the end, as test/harness/database.ts does for tests.
 */
export const DEFAULT_BENCH_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/test';

export type BenchDatabase = {
  /** The URL of the fresh database. */
  url: string;
  name: string;
  /** Where it lives (the URL the benchmark was pointed at). */
  serverUrl: string;
  serverVersion: string;
  drop(): Promise<void>;
};

const describeServer = (url: string): string => {
  const parsed = new URL(url);
  parsed.password = parsed.password ? '***' : '';

  return `${parsed.host}${parsed.pathname}`;
};

const connectAdmin = async (url: string): Promise<pg.Client> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000, application_name: 'akked-bench' });
  client.on('error', () => undefined);
  await client.connect();

  return client;
};

export const createBenchDatabase = async (): Promise<BenchDatabase> => {
  const configured = process.env.BENCH_DATABASE_URL || undefined;
  const serverUrl = configured ?? DEFAULT_BENCH_SERVER_URL;
  let admin: pg.Client;
  try {
    admin = await connectAdmin(serverUrl);
  } catch (error) {
    throw new BenchmarkSkipped(
      configured
        ? `BENCH_DATABASE_URL (${describeServer(serverUrl)}) does not answer: ${(error as Error).message}`
        : `no PostgreSQL answers at ${describeServer(serverUrl)} (${(error as Error).message}); set BENCH_DATABASE_URL to a server where the user may create databases`,
    );
  }
  const name = `akked_bench_${randomBytes(4).toString('hex')}`;
  let serverVersion: string;
  try {
    const [row] = (await admin.query<{ server_version: string }>('show server_version')).rows;
    serverVersion = row?.server_version ?? 'unknown';
    await admin.query(`create database ${name}`);
  } catch (error) {
    throw new BenchmarkSkipped(`cannot create a database on ${describeServer(serverUrl)}: ${(error as Error).message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let isDropped = false;

  return {
    url: url.toString(),
    name,
    serverUrl: describeServer(serverUrl),
    serverVersion,
    drop: async () => {
      if (isDropped) return;
      isDropped = true;
      const dropper = await connectAdmin(serverUrl);
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end().catch(() => undefined);
      }
    },
  };
};

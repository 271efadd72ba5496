import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * PostgreSQL's own ceiling for the simplest durable write on this machine: pgbench running one
 * single-row INSERT per transaction into a scratch table of the bench database.
 */
export type PgbenchResult = { transactionsPerSecond: number; latencyAverageMs: number | null; clients: number; threads: number; seconds: number; command: string };

const PGBENCH_CANDIDATES = ['/usr/bin/pgbench', '/usr/local/bin/pgbench', '/usr/lib/postgresql/bin/pgbench'];

export const findPgbench = (): string | null => PGBENCH_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;

const SCRATCH_TABLE = 'bench_single_row_insert';

export const runPgbenchSingleRowInsert = async (databaseUrl: string, options: { clients: number; threads: number; seconds: number }): Promise<PgbenchResult> => {
  const binary = findPgbench();
  if (!binary) throw new Error('pgbench is not installed');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const directory = await mkdtemp(path.join(tmpdir(), 'akked-pgbench-'));
  try {
    await client.query(`create table ${SCRATCH_TABLE} (id bigserial primary key, payload text not null, created_at timestamptz not null default now())`);
    const script = path.join(directory, 'single-row-insert.sql');
    await writeFile(script, `insert into ${SCRATCH_TABLE} (payload) values ('a webhook body would be here');\n`);
    const args = ['-n', '-f', script, '-c', String(options.clients), '-j', String(options.threads), '-T', String(options.seconds), databaseUrl];
    const output = await new Promise<string>((resolve, reject) => {
      execFile(binary, args, { timeout: (options.seconds + 30) * 1000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`pgbench failed: ${stderr || error.message}`));
        else resolve(stdout);
      });
    });
    const tps = /^tps = ([\d.]+)/m.exec(output)?.[1];
    if (!tps) throw new Error(`no tps in the pgbench output: ${output.slice(-500)}`);
    const latency = /^latency average = ([\d.]+) ms/m.exec(output)?.[1];

    return {
      transactionsPerSecond: Number(tps),
      latencyAverageMs: latency ? Number(latency) : null,
      ...options,
      command: `pgbench -n -f single-row-insert.sql -c ${options.clients} -j ${options.threads} -T ${options.seconds}`,
    };
  } finally {
    await client.query(`drop table if exists ${SCRATCH_TABLE}`).catch(() => undefined);
    await client.end().catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  }
};

import type { Queryable } from '../../src/db/database.ts';
import { readProcessCpuMs } from './process-usage.ts';

/**
 * PostgreSQL's CPU spent for one database: the server processes (backends) connected to it, read
 * from /proc (PostgreSQL on this machine, Linux only). A backend that exits between the mark and
 * the measurement is missed, so figures are a lower bound when pools close idle connections.
 */
export type PostgresUsageMark = { cpuMsByBackend: Map<number, number> } | null;

const readBackends = async (queryable: Queryable): Promise<Map<number, number> | null> => {
  const rows = await queryable.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()');
  const cpuMsByBackend = new Map<number, number>();
  for (const { pid } of rows) {
    const cpuMs = readProcessCpuMs(Number(pid));
    if (cpuMs === null) return null;
    cpuMsByBackend.set(Number(pid), cpuMs);
  }

  return cpuMsByBackend;
};

export const markPostgresUsage = async (queryable: Queryable): Promise<PostgresUsageMark> => {
  const cpuMsByBackend = await readBackends(queryable);

  return cpuMsByBackend ? { cpuMsByBackend } : null;
};

/** CPU ms of the database's backends since the mark, or null when /proc does not show them. */
export const measurePostgresUsageSince = async (queryable: Queryable, mark: PostgresUsageMark): Promise<number | null> => {
  if (!mark) return null;
  const now = await readBackends(queryable);
  if (!now) return null;
  let cpuMs = 0;
  for (const [pid, current] of now) cpuMs += current - (mark.cpuMsByBackend.get(pid) ?? 0);

  return cpuMs;
};

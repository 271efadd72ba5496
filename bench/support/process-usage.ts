import { performance } from 'node:perf_hooks';
import pg from 'pg';

/**
 * Where a step's time went in this process: how busy the main event loop (Akked's) was, the
 * process's CPU time (all threads, load generator included), and how many SQL statements every pg
 * client of the process (Akked's pool, pg-boss, listeners) sent.
 */
let queriesSent = 0;
let isCounting = false;

/** Counts every `query` of node-postgres clients from now on (once per process). */
export const countQueries = (): void => {
  if (isCounting) return;
  isCounting = true;
  const original = pg.Client.prototype.query;
  const counting = function (this: pg.Client, ...args: unknown[]): unknown {
    queriesSent++;

    return Reflect.apply(original, this, args);
  };
  pg.Client.prototype.query = counting as typeof original;
};

export type UsageMark = { eventLoop: ReturnType<typeof performance.eventLoopUtilization>; cpu: NodeJS.CpuUsage; queries: number };

export const markUsage = (): UsageMark => ({ eventLoop: performance.eventLoopUtilization(), cpu: process.cpuUsage(), queries: queriesSent });

export type UsageSince = { eventLoopUtilization: number; cpuMs: number; queries: number };

export const measureUsageSince = (mark: UsageMark): UsageSince => {
  const cpu = process.cpuUsage(mark.cpu);

  return {
    eventLoopUtilization: performance.eventLoopUtilization(mark.eventLoop).utilization,
    cpuMs: (cpu.user + cpu.system) / 1000,
    queries: queriesSent - mark.queries,
  };
};

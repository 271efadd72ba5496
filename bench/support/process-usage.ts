import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/**
 * Where a step's time went: how busy this process's main event loop (Akked's) was, the process's
 * CPU time (all threads, load generator included), the whole machine's CPU (PostgreSQL included,
 * Linux only), and how many SQL statements every pg client of the process (Akked's pool, pg-boss,
 * listeners) sent.
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

type MachineTicks = { busy: number; total: number };

/** Busy and total CPU ticks of the machine since boot (the `cpu` line of /proc/stat), or null elsewhere. */
const readMachineTicks = (): MachineTicks | null => {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...fields] = line.trim().split(/\s+/);
    const values = fields.map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    // idle + iowait
    const idle = (values[3] ?? 0) + (values[4] ?? 0);

    return { busy: total - idle, total };
  } catch {
    return null;
  }
};

/** Clock ticks per second of /proc times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) in ms of a process, or of one thread of it, from /proc; null elsewhere. */
export const readProcessCpuMs = (processId: number, threadId?: number): number | null => {
  try {
    const text = readFileSync(threadId === undefined ? `/proc/${processId}/stat` : `/proc/${processId}/task/${threadId}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');

    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
};

/** CPU time of this process's main thread (Akked's event loop, without the load generator's thread). */
const readMainThreadCpuMs = (): number | null => readProcessCpuMs(process.pid, process.pid);

export type UsageMark = {
  eventLoop: ReturnType<typeof performance.eventLoopUtilization>;
  cpu: NodeJS.CpuUsage;
  mainThreadCpuMs: number | null;
  queries: number;
  machine: MachineTicks | null;
  at: number;
};

export const markUsage = (): UsageMark => ({
  eventLoop: performance.eventLoopUtilization(),
  cpu: process.cpuUsage(),
  mainThreadCpuMs: readMainThreadCpuMs(),
  queries: queriesSent,
  machine: readMachineTicks(),
  at: performance.now(),
});

export type UsageSince = {
  eventLoopUtilization: number;
  cpuMs: number;
  /** CPU of the main thread alone (Linux; 10 ms resolution), or null elsewhere. */
  mainThreadCpuMs: number | null;
  /** This process's CPU in cores (1 = one core busy all the time). */
  processCores: number;
  /** The whole machine's busy CPU in cores, or null where /proc/stat is missing. */
  machineCores: number | null;
  machineCoreCount: number;
  queries: number;
  elapsedMs: number;
};

export const measureUsageSince = (mark: UsageMark): UsageSince => {
  const cpu = process.cpuUsage(mark.cpu);
  const elapsedMs = Math.max(1, performance.now() - mark.at);
  const machine = readMachineTicks();
  const coreCount = cpus().length;
  const machineCores =
    mark.machine && machine && machine.total > mark.machine.total ? ((machine.busy - mark.machine.busy) / (machine.total - mark.machine.total)) * coreCount : null;

  const mainThreadCpuMs = readMainThreadCpuMs();

  return {
    eventLoopUtilization: performance.eventLoopUtilization(mark.eventLoop).utilization,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainThreadCpuMs: mark.mainThreadCpuMs === null || mainThreadCpuMs === null ? null : mainThreadCpuMs - mark.mainThreadCpuMs,
    processCores: (cpu.user + cpu.system) / 1000 / elapsedMs,
    machineCores,
    machineCoreCount: coreCount,
    queries: queriesSent - mark.queries,
    elapsedMs,
  };
};

/** "1.4 of 2 cores" style text. */
export const describeCores = (cores: number | null, coreCount: number): string => (cores === null ? 'n/a' : `${Math.round(cores * 10) / 10} of ${coreCount}`);

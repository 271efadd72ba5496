import { sleep } from './benchmark.ts';

/**
 * Memory of this process after full garbage collections (bin/run-bench runs benchmarks with
 * --expose-gc; without it the figures include garbage and say so).
 */
export type MemorySnapshot = { rss: number; heapUsed: number; external: number; isAfterGc: boolean };

const collectGarbage = (globalThis as { gc?: () => void }).gc;

export const measureMemory = async (): Promise<MemorySnapshot> => {
  if (collectGarbage) {
    for (let round = 0; round < 3; round++) {
      collectGarbage();
      await sleep(100);
    }
  }
  const usage = process.memoryUsage();

  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, isAfterGc: Boolean(collectGarbage) };
};

export const KIB = 1024;
export const MIB = 1024 * 1024;

/** "131 B", "41.8 KB", "2.1 MB". */
export const formatBytes = (bytes: number): string => {
  const magnitude = Math.abs(bytes);
  if (magnitude < KIB) return `${Math.round(bytes)} B`;
  if (magnitude < MIB) return `${Math.round((bytes / KIB) * 10) / 10} KB`;

  return `${Math.round((bytes / MIB) * 10) / 10} MB`;
};

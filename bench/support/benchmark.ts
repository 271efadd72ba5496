/**
 * What every benchmark in bench/ exports, and how its figures are printed: a human table plus one
 * JSON line. Benchmarks print numbers; they never assert timings (DESIGN.md §6).
 */
export type Cell = string | number | null;

export type Table = { title: string; columns: string[]; rows: Cell[][] };

/** A target from the issue next to what was measured; `met` is informative only. */
export type TargetCheck = { name: string; target: string; measured: string; met: boolean | null };

export type BenchmarkResult = {
  /** Flat figures for the JSON line (numbers in the unit their name says: `_ms`, `_per_second`, `_bytes`). */
  figures: Record<string, number | string | boolean | null>;
  tables: Table[];
  targets: TargetCheck[];
  /** Conditions of the run a reader needs to interpret the figures. */
  notes: string[];
  /** False when a correctness figure (not a timing) is wrong, e.g. credits overspent > 0. */
  isCorrect?: boolean;
};

export type Benchmark = {
  name: string;
  title: string;
  run(): Promise<BenchmarkResult>;
};

/** Thrown when a benchmark cannot run here (no PostgreSQL...): the runner prints why and moves on. */
export class BenchmarkSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'BenchmarkSkipped';
  }
}

export type LatencySummary = { count: number; p50: number; p95: number; p99: number; max: number; mean: number };

/** Nearest-rank percentiles of latencies in milliseconds. */
export const summarizeLatencies = (values: readonly number[]): LatencySummary => {
  if (values.length === 0) return { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const sorted = [...values].sort((first, second) => first - second);
  const rank = (percentile: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1))] as number;

  return {
    count: sorted.length,
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    max: sorted[sorted.length - 1] as number,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
};

/** Rounds for printing: 1 decimal under 100, whole numbers above. */
export const round = (value: number): number => (Number.isFinite(value) ? (Math.abs(value) < 100 ? Math.round(value * 10) / 10 : Math.round(value)) : Number.NaN);

export const formatNumber = (value: number): string => (Number.isFinite(value) ? round(value).toLocaleString('en-US') : 'n/a');

export const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Waits until `read` satisfies `isDone`, polling; resolves the last value, or throws after `timeoutMs`. */
export const waitFor = async <T>(read: () => Promise<T>, isDone: (value: T) => boolean, options: { timeoutMs: number; intervalMs?: number; what: string }): Promise<T> => {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 100);
  }
};

const renderCell = (cell: Cell): string => (cell === null ? '—' : typeof cell === 'number' ? formatNumber(cell) : cell);

export const renderTable = (table: Table): string => {
  const rows = table.rows.map((row) => row.map(renderCell));
  const widths = table.columns.map((column, index) => Math.max(column.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0))).join('  ').trimEnd();

  return [`  ${table.title}`, `  ${line(table.columns)}`, `  ${widths.map((width) => '-'.repeat(width)).join('  ')}`, ...rows.map((row) => `  ${line(row)}`)].join('\n');
};

/** The human part of a result, then its JSON line (the only line that starts with `{`). */
export const printResult = (benchmark: Pick<Benchmark, 'name' | 'title'>, result: BenchmarkResult, elapsedMs: number): void => {
  const lines: string[] = [`== ${benchmark.name}: ${benchmark.title} (${formatNumber(elapsedMs / 1000)} s)`];
  for (const table of result.tables) lines.push(renderTable(table), '');
  if (result.targets.length > 0) {
    lines.push(
      renderTable({
        title: 'Targets (informative; benchmarks do not fail on timings)',
        columns: ['target', 'wanted', 'measured', 'met'],
        rows: result.targets.map((check) => [check.name, check.target, check.measured, check.met === null ? '—' : check.met ? 'yes' : 'NO']),
      }),
      '',
    );
  }
  for (const note of result.notes) lines.push(`  note: ${note}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: benchmark.name,
      status: 'ok',
      elapsed_ms: Math.round(elapsedMs),
      ...result.figures,
      targets: Object.fromEntries(result.targets.map((check) => [check.name, check.met])),
      ...(result.isCorrect === false ? { correct: false } : {}),
    })}\n`,
  );
};

export const printSkipped = (benchmark: Pick<Benchmark, 'name' | 'title'>, reason: string): void => {
  process.stdout.write(`== ${benchmark.name}: skipped — ${reason}\n`);
  process.stdout.write(`${JSON.stringify({ benchmark: benchmark.name, status: 'skipped', reason })}\n`);
};

export const printFailed = (benchmark: Pick<Benchmark, 'name' | 'title'>, error: unknown): void => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stdout.write(`== ${benchmark.name}: FAILED — ${message}\n`);
  process.stdout.write(`${JSON.stringify({ benchmark: benchmark.name, status: 'failed', error: error instanceof Error ? error.message : String(error) })}\n`);
};

const activeCleanups = new Set<Cleanup>();

/** Runs cleanup steps in reverse order of registration, each even when an earlier one failed. */
export class Cleanup {
  private readonly steps: { what: string; step: () => Promise<unknown> }[] = [];

  constructor() {
    activeCleanups.add(this);
  }

  add(what: string, step: () => Promise<unknown>): void {
    this.steps.push({ what, step });
  }

  async run(): Promise<void> {
    activeCleanups.delete(this);
    for (const { what, step } of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`cleanup: ${what} failed: ${(error as Error).message}\n`);
      }
    }
  }
}

/** A deterministic random source in [0, 1) (mulberry32), so every run draws the same sequence. */
export const createSeededRandom = (seed: number): (() => number) => {
  let state = seed;

  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;

    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** Cleans up whatever is still running (an interrupted benchmark): servers, pools, databases. */
export const runActiveCleanups = async (): Promise<void> => {
  for (const cleanup of [...activeCleanups]) await cleanup.run();
};

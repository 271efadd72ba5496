import { BenchmarkSkipped, printFailed, printResult, printSkipped, runActiveCleanups, type Benchmark } from './benchmark.ts';

/**
 * Runs one benchmark module of bench/ in this process (bin/run-bench starts one process per
 * benchmark) and prints its result. Exit code: 0 when it ran or was skipped, 1 when it failed or a
 * correctness figure is wrong; never because of a timing.
 */
export const runBenchmarkFile = async (name: string): Promise<number> => {
  const module = (await import(new URL(`../${name}.ts`, import.meta.url).href)) as { benchmark?: Benchmark };
  const benchmark = module.benchmark;
  if (!benchmark) {
    process.stderr.write(`bench/${name}.ts exports no \`benchmark\`\n`);

    return 1;
  }
  // Interrupted (Ctrl-C): still drop the bench database and close what runs.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${name}: interrupted, cleaning up\n`);
      void runActiveCleanups().finally(() => process.exit(130));
    });
  }
  const startedAt = performance.now();
  try {
    const result = await benchmark.run();
    printResult(benchmark, result, performance.now() - startedAt);

    return result.isCorrect === false ? 1 : 0;
  } catch (error) {
    if (error instanceof BenchmarkSkipped) {
      printSkipped(benchmark, error.reason);

      return 0;
    }
    printFailed(benchmark, error);

    return 1;
  }
};

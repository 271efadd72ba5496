import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startServeWithSimulator } from '../harness/processes.ts';

/** The akked processes this test worker started and that still run. */
const akkedChildren = (): string[] =>
  execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('bin/akked'));

describe('the process harness', () => {
  it('kills the simulator it started when akked serve fails to start, and says why at once', async () => {
    const startedAt = Date.now();
    const failure = await startServeWithSimulator({ AKKED_PUBLIC_URL: 'ftp://nowhere.example' }).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(/AKKED_PUBLIC_URL/);
    // Not the 120 s of waiting for /readyz: the exit of serve ends the wait.
    expect(Date.now() - startedAt).toBeLessThan(60_000);
    const deadline = Date.now() + 5_000;
    while (akkedChildren().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(akkedChildren()).toEqual([]);
  }, 120_000);
});

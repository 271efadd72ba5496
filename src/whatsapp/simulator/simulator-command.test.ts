import { describe, expect, it } from 'vitest';
import { runSimulatorCommand } from './simulator-command.ts';

const captureIo = () => {
  const output = { stdout: '', stderr: '' };

  return {
    output,
    io: {
      stdout: (text: string) => {
        output.stdout += text;
      },
      stderr: (text: string) => {
        output.stderr += text;
      },
    },
  };
};

describe('akked simulator', () => {
  it('prints its usage with --help and exits 0', async () => {
    const { io, output } = captureIo();

    expect(await runSimulatorCommand(['--help'], io)).toBe(0);
    expect(output.stdout).toContain('Usage: akked simulator');
    expect(output.stdout).toContain('/control/fail');
  });

  it.each([[['--port', 'abc']], [['--port', '70000']], [['--unknown']], [['--read-ms', '-5']]])(
    'refuses bad options %j with exit 2',
    async (args) => {
      const { io, output } = captureIo();

      expect(await runSimulatorCommand(args, io)).toBe(2);
      expect(output.stderr).toContain('akked simulator:');
    },
  );

  it('prints the URL it listens on, serves the control API, and exits 0 when stopped', async () => {
    const { io, output } = captureIo();
    const stop = new AbortController();

    const running = runSimulatorCommand(['--port', '0', '--delivered-ms', '5', '--read-ms', '10'], io, { stopSignal: stop.signal });
    const deadline = Date.now() + 5_000;
    while (!output.stdout.includes('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout)?.[1];
    const health = url === undefined ? undefined : await fetch(`${url}/healthz`);
    stop.abort();

    expect(await running).toBe(0);
    expect(output.stdout.trim().split('\n')).toHaveLength(1);
    expect(url).toBeDefined();
    expect(health?.status).toBe(200);
    await expect(fetch(`${url ?? ''}/healthz`)).rejects.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { openDevice } from '../../../test/harness/simulator-device.ts';
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
    for (const documented of ['--ack-delay-ms', '--jitter-ms', '--receipt-drop-rate', 'stall', '/control/storm']) expect(output.stdout).toContain(documented);
  });

  it.each([[['--port', 'abc']], [['--port', '70000']], [['--unknown']], [['--read-ms', '-5']], [['--receipt-drop-rate', '1.5']], [['--ack-delay-ms', 'slow']], [['--jitter-ms', '-1']]])(
    'refuses bad options %j with exit 2',
    async (args) => {
      const { io, output } = captureIo();

      expect(await runSimulatorCommand(args, io)).toBe(2);
      expect(output.stderr).toContain('akked simulator:');
    },
  );

  it('delays every ack by --ack-delay-ms', async () => {
    const { io, output } = captureIo();
    const stop = new AbortController();
    const running = runSimulatorCommand(['--port', '0', '--ack-delay-ms', '250', '--receipt-drop-rate', '0'], io, { stopSignal: stop.signal, logLevel: 'warn' });
    const deadline = Date.now() + 5_000;
    while (!output.stdout.includes('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout)?.[1] ?? '';
    try {
      const device = await openDevice(url, '+212600000130');
      await device.waitForFrame((frame) => frame.type === 'ready');
      const sentAt = Date.now();
      device.send({ type: 'send', id: 'msg_cli', to: '+212611114444', text: 'hello' });
      await device.waitForFrame((frame) => frame.type === 'send_result');

      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(240);
      device.socket.terminate();
    } finally {
      stop.abort();
    }
    expect(await running).toBe(0);
  });

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

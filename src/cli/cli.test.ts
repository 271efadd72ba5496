import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/akked');

type Run = { code: number | null; stdout: string; stderr: string };

const run = (args: string[], environment: Record<string, string> = {}, timeoutMs = 60_000): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...environment } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`akked ${args.join(' ')} did not finish: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

const startServe = (dataDirectory: string, port: number): ChildProcess =>
  spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AKKED_DATA_DIR: dataDirectory, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
  });

const waitForReady = async (port: number, timeoutMs = 45_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the server did not become ready');
};

const freePort = () => 20_000 + Math.floor(Math.random() * 20_000);

describe('the akked executable', () => {
  it('prints usage with --help for the program and each command', async () => {
    const overall = await run(['--help']);
    expect(overall.code).toBe(0);
    for (const command of ['serve', 'api', 'worker', 'migrate', 'parse-order', 'simulator', 'purge', 'keys rotate']) expect(overall.stdout).toContain(command);
    for (const command of ['serve', 'api', 'worker', 'migrate']) {
      const help = await run([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`akked ${command}`);
    }
  });

  it('stops on invalid configuration with a message naming the variable', async () => {
    const result = await run(['serve'], { PORT: 'not-a-port' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
  });

  it('migrates the embedded database and reports what it applied', async () => {
    const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-cli-'));
    const first = await run(['migrate'], { AKKED_DATA_DIR: dataDirectory });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).applied).toContain('0001_initial');
    const second = await run(['migrate'], { AKKED_DATA_DIR: dataDirectory });
    expect(JSON.parse(second.stdout).applied).toEqual([]);
  });

  it('serves, refuses a second process on the same data directory, and stops cleanly on SIGTERM', async () => {
    const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-cli-'));
    const port = freePort();
    const server = startServe(dataDirectory, port);
    let serverLog = '';
    server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    try {
      await waitForReady(port);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(existsSync(path.join(dataDirectory, 'akked.lock'))).toBe(true);

      const second = await run(['serve'], { AKKED_DATA_DIR: dataDirectory, PORT: String(freePort()), HOST: '127.0.0.1' });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/already in use by process \d+/);

      const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(path.join(dataDirectory, 'akked.lock'))).toBe(false);
      expect(serverLog).toContain('stopping');
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  }, 90_000);
});

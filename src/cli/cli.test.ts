import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/akked');

type Run = { code: number | null; stdout: string; stderr: string };

const run = (args: string[], environment: Record<string, string> = {}, timeoutMs = 150_000): Promise<Run> =>
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

// --port wins over PORT (set here to a port nothing listens on).
const startServe = (dataDirectory: string, port: number, environment: Record<string, string> = {}): ChildProcess =>
  spawn(process.execPath, [BIN, 'serve', '--port', String(port)], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AKKED_DATA_DIR: dataDirectory, PORT: '1', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...environment },
  });

// Generous: the embedded database's first start takes tens of seconds on a busy 2-core machine.
const waitForReady = async (port: number, timeoutMs = 90_000): Promise<void> => {
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

  it('prints its version with --version and -v', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const result = await run([flag]);
      expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
    }
  });

  it('refuses an unknown command or flag with exit 2 and the usage on stderr, without starting anything', async () => {
    const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-cli-'));
    for (const args of [['sevre'], ['--verison'], ['serve', '--prot', '3780'], ['api', 'extra'], ['worker', '--port', '3780'], ['migrate', '--force'], ['keys', 'rotate', 'now'], ['serve', '--port', 'http']]) {
      const result = await run(args, { AKKED_DATA_DIR: dataDirectory });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(result.stderr, args.join(' ')).toMatch(/Usage: akked|--port/);
    }
    // Nothing was started: no database, no lock, no key was created.
    expect(await readdir(dataDirectory)).toEqual([]);
  }, 120_000);

  it('refuses an AKKED_PUBLIC_URL that is not an absolute http(s) URL at start, naming it, without a stack trace', async () => {
    const result = await run(['serve'], { AKKED_PUBLIC_URL: 'localhost:3000' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AKKED_PUBLIC_URL: must be an absolute http:// or https:// URL');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('says to set PORT or --port when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-cli-'));
      const result = await run(['serve'], { AKKED_DATA_DIR: dataDirectory, PORT: String(port), HOST: '127.0.0.1', LOG_FORMAT: 'json' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`akked serve: port ${port} is already in use: stop what listens there, or set PORT (or pass --port) to use another`);
    } finally {
      blocker.close();
    }
  }, 180_000);

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
  }, 180_000);

  it('serves, refuses a second process on the same data directory, and stops cleanly on SIGTERM', async () => {
    const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-cli-'));
    const port = freePort();
    const server = startServe(dataDirectory, port, { LOG_FORMAT: 'pretty' });
    let serverLog = '';
    server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    try {
      await waitForReady(port);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(serverLog).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d INFO  \\[serve\\] Akked is ready: open http://localhost:${port}  `, 'm'));

      // A newcomer without SMTP: the verification email is announced with its file and a link that works as printed.
      const signUp = await fetch(`http://127.0.0.1:${port}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: `http://localhost:${port}` },
        body: JSON.stringify({ email: 'new@example.com', password: 'a long enough password', name: 'New Merchant', language: 'en' }),
      });
      expect(signUp.status).toBe(200);
      await expect.poll(() => serverLog, { timeout: 10_000 }).toContain('written to the outbox');
      const announced = /email "verify-email" written to the outbox \(no SMTP_URL is set\) {2}file=(\S+\.eml)\n {4}(\S+)\n/.exec(serverLog);
      expect(announced, serverLog).not.toBeNull();
      const [, file, link] = announced as unknown as [string, string, string];
      expect(existsSync(file)).toBe(true);
      expect(path.basename(file)).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-verify-email-/);
      expect(link).toMatch(new RegExp(`^http://localhost:${port}/api/auth/verify-email\\?token=`));
      const verified = await fetch(link.replace('localhost', '127.0.0.1'), { redirect: 'manual' });
      expect([200, 302]).toContain(verified.status);
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
  }, 180_000);
});

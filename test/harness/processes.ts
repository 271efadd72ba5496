import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { findLink, readOutbox } from './runtime.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/akked');

/**
 * Every child this harness started and that still runs. A test worker that ends (a failed
 * beforeAll, a timeout, the end of the run) kills them, so no `akked serve` or simulator outlives
 * its test as an orphan.
 */
const runningChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of runningChildren) child.kill('SIGKILL');
});

const track = (child: ChildProcess): ChildProcess => {
  runningChildren.add(child);
  child.once('exit', () => runningChildren.delete(child));

  return child;
};

export type FinishedCommand = { code: number | null; stdout: string; stderr: string };

/** Runs `bin/akked <args>` to its end (a one-shot command such as migrate or db copy). */
export const runAkkedCommand = (args: string[], environment: Record<string, string>, timeoutMs = 240_000): Promise<FinishedCommand> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`akked ${args.join(' ')} did not finish within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

/** A free TCP port on loopback (the kernel picks it; we release it for the child to take). */
export const findFreePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

export type AkkedProcess = { child: ChildProcess; output: () => string; stop(signal?: NodeJS.Signals): Promise<number | null> };

/** Another installation's launcher (`bin`) and the user to run it as (`uid`/`gid`, when the tests run as root). */
export type StartAkkedOptions = { bin?: string; node?: string; uid?: number; gid?: number };

/** Runs `bin/akked <args>` as a real process with only the given environment (plus PATH and HOME). */
export const startAkked = (args: string[], environment: Record<string, string>, options: StartAkkedOptions = {}): AkkedProcess => {
  const child = spawn(options.node ?? process.execPath, [options.bin ?? BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  track(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  return {
    child,
    output: () => output,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill(signal);
      }),
  };
};

/**
 * Waits until `url` answers 2xx. Given the process that should answer, fails as soon as it exits
 * (with its output) instead of waiting out the timeout.
 */
export const waitForHttp = async (url: string, timeoutMs = 60_000, server?: AkkedProcess): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server && (server.child.exitCode !== null || server.child.signalCode !== null)) {
      throw new Error(`the process for ${url} exited (${server.child.exitCode ?? server.child.signalCode}) before answering: ${server.output().slice(-3000)}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms${server ? `: ${server.output().slice(-3000)}` : ''}`);
};

/** A small HTTP client for a running Akked, as a merchant's browser or script would use it. */
export const createClient = (baseUrl: string) => {
  const request = async (method: string, url: string, options: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
      redirect: 'manual',
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }

    return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> & { [key: string]: unknown } };
  };

  return { request };
};

/**
 * The merchant's first steps over real HTTP: sign-up, the verification link from the outbox,
 * sign-in, the session's CSRF token, and an API key.
 */
export const signUpMerchant = async (baseUrl: string, outboxDirectory: string | null, options: { email: string; verificationLink?: () => Promise<string> }) => {
  const client = createClient(baseUrl);
  const password = 'a long enough password';
  const origin = { origin: baseUrl };
  const signUp = await client.request('POST', '/api/auth/sign-up/email', { body: { email: options.email, password, name: 'Amina Haddad', language: 'ar' }, headers: origin });
  expect(signUp.status, signUp.text).toBe(200);
  let link: string;
  if (options.verificationLink) link = await options.verificationLink();
  else {
    const mail = (await readOutbox(outboxDirectory ?? '')).find((candidate) => candidate.to === options.email);
    if (!mail) throw new Error('no verification email in the outbox');
    link = findLink(mail, `${baseUrl}/api/auth/verify-email`);
  }
  const verify = await client.request('GET', link.replace(baseUrl, ''));
  expect([200, 302]).toContain(verify.status);
  const signIn = await client.request('POST', '/api/auth/sign-in/email', { body: { email: options.email, password }, headers: origin });
  expect(signIn.status, signIn.text).toBe(200);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const session = await client.request('GET', '/api/v1/session', { headers: { cookie } });
  const csrfToken = String(session.json.csrfToken);
  const key = await client.request('POST', '/api/v1/api-keys', { body: { name: 'e2e', scopes: ['admin'] }, headers: { cookie, ...origin, 'x-csrf-token': csrfToken } });
  expect(key.status, key.text).toBe(201);
  const apiKey = String(key.json.key);
  const api = (method: string, url: string, body?: unknown) => client.request(method, url, { body, headers: { authorization: `Bearer ${apiKey}` } });

  return { cookie, csrfToken, apiKey, api, client };
};

/** `akked simulator` on a free loopback port, with fast delivered/read receipts, once it answers. */
export const startSimulatorProcess = async (): Promise<{ process: AkkedProcess; url: string }> => {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const process = startAkked(['simulator', '--port', String(port), '--delivered-ms', '50', '--read-ms', '120'], {});
  try {
    await waitForHttp(`${url}/healthz`, 60_000, process);
  } catch (error) {
    await process.stop('SIGKILL');
    throw error;
  }

  return { process, url };
};

export type ServeWithSimulator = { processes: AkkedProcess[]; baseUrl: string; simulatorUrl: string; dataDirectory: string; stop(): Promise<void> };

/** `akked serve` on the embedded database in a fresh data directory, wired to a fresh simulator. */
export const startServeWithSimulator = async (environment: Record<string, string> = {}): Promise<ServeWithSimulator> => {
  const simulator = await startSimulatorProcess();
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'akked-e2e-'));
  const serve = startAkked(['serve'], {
    AKKED_DATA_DIR: dataDirectory,
    PORT: String(port),
    HOST: '127.0.0.1',
    AKKED_PUBLIC_URL: baseUrl,
    AKKED_WHATSAPP_SIMULATOR_URL: simulator.url,
    AKKED_SEND_GAP_SECONDS: '0',
    ...environment,
  });
  const processes = [simulator.process, serve];
  try {
    await waitForHttp(`${baseUrl}/readyz`, 120_000, serve);
  } catch (error) {
    for (const child of processes) await child.stop('SIGKILL');
    throw error;
  }

  return {
    processes,
    baseUrl,
    simulatorUrl: simulator.url,
    dataDirectory,
    stop: async () => {
      for (const child of [...processes].reverse()) await child.stop();
    },
  };
};

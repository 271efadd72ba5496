import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `akked simulator` in a child process, so the simulated network's memory (one server socket per
 * connected number) never counts in the memory this process measures.
 */
export type SimulatorProcess = { url: string; pid: number; stop(): Promise<void> };

const AKKED = fileURLToPath(new URL('../../bin/akked', import.meta.url));

export const startSimulatorProcess = (options: { deliveredAfterMs: number; readAfterMs: number }): Promise<SimulatorProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [AKKED, 'simulator', '--port', '0', '--host', '127.0.0.1', '--delivered-ms', String(options.deliveredAfterMs), '--read-ms', String(options.readAfterMs)],
      { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the simulator did not start within 20 s: ${output}`));
    }, 20_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (!url || !child.pid) return;
      clearTimeout(timer);
      const pid = child.pid;
      resolve({
        url,
        pid,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(killTimer);
        },
      });
    });
  });

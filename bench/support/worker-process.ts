import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchConfig } from './bench-runtime.ts';
import type { UsageSince } from './process-usage.ts';

/**
 * The worker role (job workers, WhatsApp sessions) of a benchmark's Akked in a child process
 * (bench-worker.ts), beside the api the benchmark runs in its own process: as production scales
 * them out, each with its own event loop. The child reports its usage (CPU, event loop, SQL
 * statements) for the steps the benchmark marks.
 */
export type WorkerRequest = { type: 'mark'; id: number } | { type: 'measure'; id: number; markId: number } | { type: 'stop'; id: number };

export type WorkerReply =
  | { type: 'ready'; id: number }
  | { type: 'marked'; id: number }
  | { type: 'measured'; id: number; usage: UsageSince | null; liveSessions: number }
  | { type: 'stopped'; id: number };

export type WorkerProcess = {
  pid: number;
  /** Where the child logs warnings and errors (JSON lines, like the api's log). */
  logFile: string;
  /** Starts a measurement in the child; returns its id. */
  mark(): Promise<number>;
  /** The child's usage since the mark, and the WhatsApp sessions it holds now. */
  measure(markId: number): Promise<{ usage: UsageSince; liveSessions: number }>;
  stop(): Promise<void>;
};

const ENTRY = fileURLToPath(new URL('./bench-worker.ts', import.meta.url));

export const startWorkerProcess = (benchConfig: BenchConfig, options: { startTimeoutMs?: number } = {}): Promise<WorkerProcess> =>
  new Promise((resolve, reject) => {
    const logFile = path.join(benchConfig.dataDirectory, 'worker.log');
    const child: ChildProcess = fork(ENTRY, [], {
      execArgv: ['--expose-gc', '--import', import.meta.resolve('tsx/esm')],
      env: { ...process.env, ...benchConfig.environment, AKKED_BENCH_WORKER_LOG: logFile },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let nextId = 1;
    const pending = new Map<number, (reply: WorkerReply) => void>();
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    const request = (message: WorkerRequest): Promise<WorkerReply> =>
      new Promise((resolveReply, rejectReply) => {
        if (!child.connected) {
          rejectReply(new Error('the bench worker process is gone'));

          return;
        }
        pending.set(message.id, resolveReply);
        child.send(message);
      });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the bench worker process did not start in time'));
    }, options.startTimeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bench worker process exited with code ${code}`));
    });
    child.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        clearTimeout(timer);
        resolve({
          pid: child.pid ?? 0,
          logFile,
          mark: async () => {
            const id = nextId++;
            await request({ type: 'mark', id });

            return id;
          },
          measure: async (markId) => {
            const answer = await request({ type: 'measure', id: nextId++, markId });
            if (answer.type !== 'measured' || !answer.usage) throw new Error('the bench worker process has no such mark');

            return { usage: answer.usage, liveSessions: answer.liveSessions };
          },
          stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const killTimer = setTimeout(() => child.kill('SIGKILL'), 30_000);
            await request({ type: 'stop', id: nextId++ }).catch(() => undefined);
            await exited;
            clearTimeout(killTimer);
          },
        });

        return;
      }
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
    });
  });

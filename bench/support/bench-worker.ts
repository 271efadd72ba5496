import { createWriteStream } from 'node:fs';
import { startRuntime } from '../../src/cli/runtime.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { countQueries, markUsage, measureUsageSince, type UsageMark } from './process-usage.ts';
import type { WorkerReply, WorkerRequest } from './worker-process.ts';

/**
 * The worker role of a benchmark's Akked in its own process (worker-process.ts starts it): job
 * workers and WhatsApp sessions, as a production deployment scales them out. Configured by the
 * environment the parent passes; answers the parent's requests for its usage over IPC.
 */
countQueries();
const logFile = process.env.AKKED_BENCH_WORKER_LOG ?? '';
const logStream = createWriteStream(logFile);
const config = parseConfig(process.env);
const runtime = await startRuntime({ config, roles: { api: false, worker: true }, logger: createLogger({ level: config.LOG_LEVEL, destination: logStream }), listen: false });
const marks = new Map<number, UsageMark>();

const reply = (message: WorkerReply): void => {
  process.send?.(message);
};

process.on('message', (message: WorkerRequest) => {
  switch (message.type) {
    case 'mark':
      marks.set(message.id, markUsage());
      reply({ type: 'marked', id: message.id });
      break;
    case 'measure': {
      const mark = marks.get(message.markId);
      reply({
        type: 'measured',
        id: message.id,
        usage: mark ? measureUsageSince(mark) : null,
        liveSessions: runtime.services.sessions?.liveNumberIds.length ?? 0,
      });
      break;
    }
    case 'stop':
      void runtime
        .stop()
        .then(() => new Promise<void>((resolve) => logStream.end(resolve)))
        .then(() => {
          reply({ type: 'stopped', id: message.id });
          process.disconnect?.();
        });
      break;
  }
});
reply({ type: 'ready', id: 0 });

import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { CommandIo } from '../../cli/command-io.ts';
import { createLogger, type LogFormat } from '../../logger.ts';
import { MAX_DELAY_MS } from './simulator-faults.ts';
import { startSimulator } from './simulator-server.ts';

const HELP = `Usage: akked simulator [--port N] [--host H] [--delivered-ms N] [--read-ms N]
                       [--ack-delay-ms N] [--jitter-ms N] [--receipt-drop-rate R]

Runs the fake WhatsApp network for demos, tests and benchmarks (never in production). Point Akked
at it with AKKED_WHATSAPP_SIMULATOR_URL=<printed URL>. Everything is kept in memory.

Options:
  --port N           port to listen on (default 4010; 0 picks a free one)
  --host H           address to bind (default 127.0.0.1)
  --delivered-ms N   delay before a sent message is reported delivered (default 300)
  --read-ms N        delay before a sent message is reported read (default 1500)

Network faults (for fault tests and benchmarks; all off by default):
  --ack-delay-ms N        every send is acknowledged N ms after it reached the network (receipts
                          are timed from the ack)
  --jitter-ms N           plus a random 0 to N ms on each ack
  --receipt-drop-rate R   each delivered/read receipt is lost with probability R (0 to 1); the
                          customer still gets the message

Control API (JSON):
  POST /control/reply {from, to, text}   a customer at E.164 "from" writes to the linked number "to"
  GET  /control/messages?to=%2B2126...   what the network delivered to that phone, newest last
  POST /control/fail {phone, mode[, durationMs]}
                                         mode: reach_out_restricted | not_on_whatsapp | disconnect |
                                         logout | banned | restart_required | stall |
                                         account_restricted | outdated
                                         (stall: the phone's sends get no ack and are not
                                         delivered until cleared; then each is delivered once.
                                         account_restricted, on a linked phone: for durationMs
                                         (default 1 h) every first message to a customer who
                                         never wrote is refused with 463, and the device is told
                                         until when. outdated: the phone's device is refused as
                                         an outdated client (405) until cleared)
  POST /control/clear {phone}            lift a failure mode (a stall releases the held sends)
  POST /control/storm {durationMs, everyMs}
                                         disconnect every device now and every everyMs ms for
                                         durationMs ms (durationMs 0 ends a storm)
  GET  /control/storm                    {active, startedAt, endsAt, everyMs, disconnects}
  GET  /control/devices                  connected phones
  GET  /healthz`;

const DEFAULT_PORT = 4010;

const OptionsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_PORT),
  host: z.string().min(1).default('127.0.0.1'),
  'delivered-ms': z.coerce.number().int().min(0).max(3_600_000).default(300),
  'read-ms': z.coerce.number().int().min(0).max(3_600_000).default(1500),
  'ack-delay-ms': z.coerce.number().int().min(0).max(MAX_DELAY_MS).default(0),
  'jitter-ms': z.coerce.number().int().min(0).max(MAX_DELAY_MS).default(0),
  'receipt-drop-rate': z.coerce.number().min(0).max(1).default(0),
});


export type SimulatorCommandOptions = {
  /** Stops the simulator as SIGINT/SIGTERM do; lets tests end the command without signals. */
  stopSignal?: AbortSignal;
  /** From the configuration (LOG_LEVEL, LOG_FORMAT); the entry point reads it. */
  logLevel?: string;
  logFormat?: LogFormat;
};

export const runSimulatorCommand = async (
  args: string[],
  io: CommandIo,
  commandOptions: SimulatorCommandOptions = {},
): Promise<number> => {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'delivered-ms': { type: 'string' },
        'read-ms': { type: 'string' },
        'ack-delay-ms': { type: 'string' },
        'jitter-ms': { type: 'string' },
        'receipt-drop-rate': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    io.stderr(`akked simulator: ${(error as Error).message}\n\n${HELP}\n`);

    return 2;
  }
  if (values.help === true) {
    io.stdout(`${HELP}\n`);

    return 0;
  }
  const parsed = OptionsSchema.safeParse(values);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; ');
    io.stderr(`akked simulator: ${issues}\n`);

    return 2;
  }
  const options = parsed.data;
  const logger = createLogger({ level: commandOptions.logLevel ?? 'info', ...(commandOptions.logFormat ? { format: commandOptions.logFormat } : {}), base: { role: 'simulator' } });

  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  try {
    simulator = await startSimulator({
      port: options.port,
      host: options.host,
      deliveredAfterMs: options['delivered-ms'],
      readAfterMs: options['read-ms'],
      ackDelayMs: options['ack-delay-ms'],
      jitterMs: options['jitter-ms'],
      receiptDropRate: options['receipt-drop-rate'],
      logger,
    });
  } catch (error) {
    io.stderr(`akked simulator: could not listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);

    return 1;
  }
  io.stdout(`WhatsApp simulator listening on ${simulator.url}\n`);

  return new Promise<number>((resolve) => {
    let isStopping = false;
    const stop = () => {
      if (isStopping) return;
      isStopping = true;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      commandOptions.stopSignal?.removeEventListener('abort', stop);
      simulator.close().then(
        () => resolve(0),
        (error: unknown) => {
          io.stderr(`akked simulator: failed to stop cleanly: ${(error as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (commandOptions.stopSignal?.aborted === true) stop();
    else commandOptions.stopSignal?.addEventListener('abort', stop, { once: true });
  });
};

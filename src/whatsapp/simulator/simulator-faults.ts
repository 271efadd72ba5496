import { z } from 'zod';

/**
 * Network faults of the simulated WhatsApp network, for fault tests and benchmarks: a slow and
 * uneven network (every ack delayed), lost receipts, a phone whose sends hang unacknowledged
 * (`stall`), and a disconnect storm. The server applies them; this module holds their settings
 * and the storm's timer so the server stays readable.
 */
export type NetworkFaultOptions = {
  /** Every send is acknowledged this long after it reached the network. */
  ackDelayMs?: number;
  /** Plus a uniformly random extra delay of 0 to this many ms per ack. */
  jitterMs?: number;
  /** Probability (0 to 1) that a delivered or read receipt never reaches the sender's device. */
  receiptDropRate?: number;
  /** Random source in [0, 1); tests pass a deterministic one. */
  random?: () => number;
};

export const MAX_DELAY_MS = 3_600_000;

export const NetworkFaultOptionsSchema = z.object({
  ackDelayMs: z.number().int().min(0).max(MAX_DELAY_MS).default(0),
  jitterMs: z.number().int().min(0).max(MAX_DELAY_MS).default(0),
  receiptDropRate: z.number().min(0).max(1).default(0),
});

export type NetworkFaults = {
  /** How long the ack of one send waits. */
  ackDelay(): number;
  /** Whether this receipt is lost on its way to the sender's device. */
  dropsReceipt(): boolean;
};

export const createNetworkFaults = (options: NetworkFaultOptions = {}): NetworkFaults => {
  const { ackDelayMs, jitterMs, receiptDropRate } = NetworkFaultOptionsSchema.parse({
    ackDelayMs: options.ackDelayMs,
    jitterMs: options.jitterMs,
    receiptDropRate: options.receiptDropRate,
  });
  const random = options.random ?? Math.random;

  return {
    ackDelay: () => (jitterMs > 0 ? ackDelayMs + Math.floor(random() * (jitterMs + 1)) : ackDelayMs),
    dropsReceipt: () => receiptDropRate > 0 && random() < receiptDropRate,
  };
};

/** `POST /control/storm {durationMs, everyMs}`; `durationMs: 0` ends a running storm. */
export const StormBodySchema = z
  .object({
    durationMs: z.number().int().min(0).max(MAX_DELAY_MS),
    // A floor keeps a typo from turning the network into a busy loop.
    everyMs: z.number().int().min(10).max(MAX_DELAY_MS),
  })
  .strict();
export type StormRequest = z.infer<typeof StormBodySchema>;

export type StormState = { active: boolean; startedAt: string | null; endsAt: string | null; everyMs: number | null; disconnects: number };

export type Storm = {
  /** Starts a storm (replacing a running one), or ends it with `durationMs: 0`. */
  start(request: StormRequest): StormState;
  state(): StormState;
  stop(): void;
};

/**
 * Cuts every connected device at once, then again every `everyMs`, until `durationMs` has passed.
 * `disconnectAll` answers how many devices it cut; the storm counts them.
 */
export const createStorm = (disconnectAll: () => number): Storm => {
  let interval: NodeJS.Timeout | undefined;
  let ending: NodeJS.Timeout | undefined;
  let current: { startedAt: Date; endsAt: Date; everyMs: number } | undefined;
  let disconnects = 0;

  const stop = (): void => {
    clearInterval(interval);
    clearTimeout(ending);
    interval = undefined;
    ending = undefined;
    current = undefined;
  };

  const state = (): StormState =>
    current
      ? { active: true, startedAt: current.startedAt.toISOString(), endsAt: current.endsAt.toISOString(), everyMs: current.everyMs, disconnects }
      : { active: false, startedAt: null, endsAt: null, everyMs: null, disconnects };

  return {
    start: ({ durationMs, everyMs }) => {
      stop();
      if (durationMs === 0) return state();
      const startedAt = new Date();
      current = { startedAt, endsAt: new Date(startedAt.getTime() + durationMs), everyMs };
      disconnects = disconnectAll();
      interval = setInterval(() => (disconnects += disconnectAll()), everyMs);
      ending = setTimeout(stop, durationMs);

      return state();
    },
    state,
    stop,
  };
};

import { AppError } from '../errors.ts';
import { findStartOfNextLocalDay } from './schedule.ts';

/**
 * How fast one WhatsApp number may send business-initiated messages (confirmations, reminders).
 * Pure and deterministic given `random`, so the worker, tests and benchmarks share one rule.
 *
 * The numbers, from shared/research/whatsapp-landscape.md:
 * - Gap between two sends: `AKKED_SEND_GAP_SECONDS` (default 8–20 s, random). WhatsApp answered
 *   429 at about 3 messages a second (Baileys #1248, §1.6); a random gap of several seconds stays
 *   far below that and avoids the fixed rhythm of a bot.
 * - Daily cap once warmed up: 250 messages a local day. That is the lowest tier Meta itself allows
 *   a new business for business-initiated chats per 24 h (§6 "Messaging limit": 250 → 2,000 → ...),
 *   a volume WhatsApp treats as normal for a small business.
 * - Warm-up, the first three days after linking: 15, 30, then 60 messages a day, 30–60 s apart.
 *   A number was restricted, then banned, after 15–20 template-like notifications a day to unsaved
 *   contacts (Baileys #1983, §1.6), so day one stays at 15 and each day doubles; WAHA's anti-ban
 *   guidance recommends random 30–60 s gaps (§3 "How to Avoid Blocking"). A new number has no
 *   history with WhatsApp's spam scoring, which is when a burst is most costly.
 * Messages answering a customer who wrote first (confirmed, cancelled, clarify) are replies in an
 * open chat; the caller decides whether to count them in `sentToday`.
 */
export type SendGap = { minimumSeconds: number; maximumSeconds: number };

export type PacingPolicy = {
  /** Random gap between two sends once the number is warmed up. */
  gap: SendGap;
  /** Business-initiated messages a local day once warmed up; null means no cap. */
  dailyCap: number | null;
  /** For a newly linked number: the cap for each day since linking (day 0 first), and its gap. */
  warmUp: { dailyCaps: readonly number[]; gap: SendGap } | null;
};

export const ESTABLISHED_DAILY_CAP = 250;
export const WARM_UP_DAILY_CAPS: readonly number[] = [15, 30, 60];
export const WARM_UP_GAP: SendGap = { minimumSeconds: 30, maximumSeconds: 60 };

const DAY_MILLISECONDS = 24 * 60 * 60 * 1000;

/**
 * The policy for a configured gap. A gap of 0 (`AKKED_SEND_GAP_SECONDS=0`, for tests and
 * benchmarks) turns pacing off entirely, warm-up and caps included, or every freshly linked
 * simulator number would stop after 15 messages.
 */
export const buildPacingPolicy = (configuredGap: SendGap): PacingPolicy => {
  if (configuredGap.maximumSeconds === 0) return { gap: { minimumSeconds: 0, maximumSeconds: 0 }, dailyCap: null, warmUp: null };

  return { gap: configuredGap, dailyCap: ESTABLISHED_DAILY_CAP, warmUp: { dailyCaps: WARM_UP_DAILY_CAPS, gap: WARM_UP_GAP } };
};

export const DEFAULT_PACING_POLICY: PacingPolicy = buildPacingPolicy({ minimumSeconds: 8, maximumSeconds: 20 });

/**
 * A random gap in milliseconds, uniform from the minimum to the maximum (both included, to the
 * millisecond). `random` returns a number in [0, 1) like Math.random.
 */
export const computeSendGap = (gap: SendGap, random: () => number): number => {
  const { minimumSeconds, maximumSeconds } = gap;
  if (!Number.isFinite(minimumSeconds) || !Number.isFinite(maximumSeconds) || minimumSeconds < 0 || maximumSeconds < minimumSeconds) {
    throw new AppError('bad_request', { message: 'a send gap needs 0 ≤ minimum ≤ maximum seconds' });
  }
  const minimum = Math.round(minimumSeconds * 1000);
  const span = Math.round(maximumSeconds * 1000) - minimum;
  const draw = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);

  return minimum + Math.floor(draw * (span + 1));
};

export type SendSlotDecision = { at: Date } | { deferUntil: Date; reason: 'daily_cap' };

export type SendSlotOptions = {
  /** The number's last business-initiated send, or null if it never sent one. */
  lastSentAt: Date | null;
  /** Business-initiated messages the number sent since local midnight in `timezone`. */
  sentToday: number;
  /** When the number was linked: its warm-up counts from here. */
  linkedAt: Date;
  now: Date;
  /** The timezone that defines "today" for the cap (the store's). */
  timezone: string;
  policy: PacingPolicy;
  random: () => number;
};

/** The cap and gap that apply now: the warm-up day's, or the established ones. */
export const readPacingLimits = (policy: PacingPolicy, linkedAt: Date, now: Date): { dailyCap: number | null; gap: SendGap } => {
  // A link time in the future (clock skew between processes) counts as day 0.
  const daysSinceLinking = Math.max(0, Math.floor((now.getTime() - linkedAt.getTime()) / DAY_MILLISECONDS));
  const warmUpCap = policy.warmUp?.dailyCaps[daysSinceLinking];
  if (policy.warmUp && warmUpCap !== undefined) {
    return { dailyCap: policy.dailyCap === null ? warmUpCap : Math.min(warmUpCap, policy.dailyCap), gap: policy.warmUp.gap };
  }

  return { dailyCap: policy.dailyCap, gap: policy.gap };
};

/**
 * When the number may send its next business-initiated message: a random gap after the last one
 * (or now), or, once today's cap is used up, at the start of the next local day. The caller passes
 * a deferral through `nextAllowedSendTime` so it also respects the store's quiet hours.
 */
export const decideSendSlot = (options: SendSlotOptions): SendSlotDecision => {
  const { lastSentAt, sentToday, linkedAt, now, timezone, policy, random } = options;
  const limits = readPacingLimits(policy, linkedAt, now);
  if (limits.dailyCap !== null && sentToday >= limits.dailyCap) {
    return { deferUntil: findStartOfNextLocalDay(now, timezone), reason: 'daily_cap' };
  }
  if (lastSentAt === null) return { at: now };

  return { at: new Date(Math.max(now.getTime(), lastSentAt.getTime() + computeSendGap(limits.gap, random))) };
};

import { AppError } from '../errors.ts';
import { measureUtcOffset, readLocalTime, toWallClockMilliseconds, type LocalDate } from '../time/zoned-time.ts';

/**
 * When a confirmation or reminder may go out: after the store's send delay, and never inside the
 * store's quiet hours (wall-clock times in the store's IANA timezone, possibly across midnight).
 * Time-zone arithmetic uses Intl only, so daylight-saving changes (Europe/Paris) and Morocco's
 * Ramadan clock change come from the runtime's time-zone data, not from fixed offsets.
 */
export type QuietHours = { start: string; end: string };

const MINUTE_MILLISECONDS = 60_000;
const DAY_MILLISECONDS = 24 * 60 * MINUTE_MILLISECONDS;

export { readLocalTime };

const addDays = (date: LocalDate, days: number): LocalDate => {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));

  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
};

/**
 * The instant a local wall-clock time happens in a timezone. When the clock passes it twice
 * (autumn), the first; when it never shows it (spring gap), the first instant after the gap, which
 * is when the clock first reads later than the asked time.
 */
export const findInstantOfLocalTime = (local: LocalDate & { hour: number; minute: number }, timezone: string): Date => {
  const target = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const offsets = [...new Set([measureUtcOffset(target - DAY_MILLISECONDS, timezone), measureUtcOffset(target + DAY_MILLISECONDS, timezone)])];
  const exact = offsets
    .map((offset) => target - offset)
    .filter((candidate) => toWallClockMilliseconds(readLocalTime(new Date(candidate), timezone)) === target)
    .sort((left, right) => left - right);
  if (exact[0] !== undefined) return new Date(exact[0]);

  // In a gap: binary search, to the second, for the first instant whose wall clock is past the target.
  let before = target - Math.max(...offsets);
  let after = target - Math.min(...offsets);
  while (after - before > 1000) {
    const middle = Math.floor((before + after) / 2000) * 1000;
    if (middle <= before) break;
    if (toWallClockMilliseconds(readLocalTime(new Date(middle), timezone)) >= target) after = middle;
    else before = middle;
  }

  return new Date(after);
};

/** Local midnight starting the next calendar day in the timezone (01:00 where midnight is skipped). */
export const findStartOfNextLocalDay = (instant: Date, timezone: string): Date =>
  findInstantOfLocalTime({ ...addDays(readLocalTime(instant, timezone), 1), hour: 0, minute: 0 }, timezone);

const parseClockTime = (value: string): { hour: number; minute: number } => {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!match) throw new AppError('bad_request', { message: `"${value}" is not a time such as "22:00"` });

  return { hour: Number(match[1]), minute: Number(match[2]) };
};

const countSecondsOfDay = (time: { hour: number; minute: number; second?: number }): number => time.hour * 3600 + time.minute * 60 + (time.second ?? 0);

/**
 * Whether an instant falls inside quiet hours: from `start` (included) to `end` (excluded), read
 * on the store's wall clock; `start` after `end` means the period crosses midnight (22:00–08:00).
 * Equal start and end mean no quiet period (the settings schema refuses them anyway).
 */
export const isWithinQuietHours = (options: { at: Date; quietHours: QuietHours | null; timezone: string }): boolean => {
  const { at, quietHours, timezone } = options;
  if (!quietHours) return false;
  const start = countSecondsOfDay(parseClockTime(quietHours.start));
  const end = countSecondsOfDay(parseClockTime(quietHours.end));
  const now = countSecondsOfDay(readLocalTime(at, timezone));
  if (start < end) return now >= start && now < end;
  if (start > end) return now >= start || now < end;

  return false;
};

/** The instant the quiet period containing `at` ends (call only when `at` is inside it). */
const findEndOfQuietHours = (at: Date, quietHours: QuietHours, timezone: string): Date => {
  const local = readLocalTime(at, timezone);
  const end = parseClockTime(quietHours.end);
  const crossesMidnight = countSecondsOfDay(parseClockTime(quietHours.start)) > countSecondsOfDay(end);
  const endsTomorrow = crossesMidnight && countSecondsOfDay(local) >= countSecondsOfDay(end);

  return findInstantOfLocalTime({ ...addDays(local, endsTomorrow ? 1 : 0), ...end }, timezone);
};

export type SendTimeOptions = {
  now: Date;
  /** When Akked received the order (the send delay counts from here). */
  orderReceivedAt: Date;
  sendDelayMinutes: number;
  quietHours: QuietHours | null;
  /** The store's IANA timezone, in which quiet hours are read. */
  timezone: string;
};

/**
 * The delay first (never earlier than now), then, if that moment is inside quiet hours, the end of
 * the quiet period: an order received at 23:10 with quiet hours 22:00–08:00 goes out at 08:00.
 */
export const nextAllowedSendTime = (options: SendTimeOptions): Date => {
  const { now, orderReceivedAt, sendDelayMinutes, quietHours, timezone } = options;
  if (!Number.isFinite(sendDelayMinutes) || sendDelayMinutes < 0) {
    throw new AppError('bad_request', { message: 'the send delay must be a non-negative number of minutes' });
  }
  let at = new Date(Math.max(now.getTime(), orderReceivedAt.getTime() + sendDelayMinutes * MINUTE_MILLISECONDS));
  // Twice at most in practice: only an autumn clock change inside the quiet period can land the
  // first end back inside it.
  for (let attempt = 0; attempt < 3 && quietHours && isWithinQuietHours({ at, quietHours, timezone }); attempt += 1) {
    at = findEndOfQuietHours(at, quietHours, timezone);
  }

  return at;
};

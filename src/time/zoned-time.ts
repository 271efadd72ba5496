import { AppError } from '../errors.ts';

/**
 * Wall-clock time in an IANA time zone, with Intl only: daylight-saving changes and Morocco's
 * Ramadan clock come from the runtime's time-zone data, never from fixed offsets. Shared by order
 * normalization (platform times without a zone) and the confirmation schedule (quiet hours).
 */
export type LocalDate = { year: number; month: number; day: number };
export type LocalDateTime = LocalDate & { hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

const readFormatter = (timezone: string): Intl.DateTimeFormat => {
  const cached = formatters.get(timezone);
  if (cached) return cached;
  try {
    const formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);

    return formatter;
  } catch (error) {
    throw new AppError('bad_request', { message: `unknown timezone "${timezone}"; use an IANA name such as "Asia/Riyadh"`, cause: error });
  }
};

/** Whether Intl knows this IANA time zone (`Asia/Riyadh`, `UTC`). */
export const isValidTimezone = (timezone: string): boolean => {
  if (timezone.trim().length === 0) return false;
  try {
    readFormatter(timezone);

    return true;
  } catch {
    return false;
  }
};

/** The wall-clock date and time of an instant in a timezone. */
export const readLocalTime = (instant: Date, timezone: string): LocalDateTime => {
  const fields: Record<string, number> = {};
  for (const part of readFormatter(timezone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }

  return {
    year: fields.year ?? 1970,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    // Some ICU versions print midnight as "24" even with h23.
    hour: (fields.hour ?? 0) % 24,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
};

/** The local wall-clock time as if it were UTC, in milliseconds: comparable across instants. */
export const toWallClockMilliseconds = (local: LocalDateTime): number =>
  Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);

/** Milliseconds to add to UTC to get the zone's wall time at that instant (whole seconds). */
export const measureUtcOffset = (instant: number, timezone: string): number => {
  const wholeSecond = Math.floor(instant / 1000) * 1000;

  return toWallClockMilliseconds(readLocalTime(new Date(wholeSecond), timezone)) - wholeSecond;
};

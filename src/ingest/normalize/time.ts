import { AppError } from '../../errors.ts';
import { isValidTimezone, measureUtcOffset } from '../../time/zoned-time.ts';

/*
 * Platform timestamps come as ISO 8601 with an offset (Shopify, YouCan, EasyOrders), as local wall
 * time without a zone (WooCommerce `date_created`, Zid, Salla's `date.date`), or as UTC without `Z`
 * (WooCommerce `*_gmt`). Everything becomes `YYYY-MM-DDTHH:mm:ss.sssZ`.
 */

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;

export { isValidTimezone };

/** Milliseconds to add to UTC to get the wall time in the zone at that instant. */
const zoneOffsetAt = (instant: number, timezone: string): number => measureUtcOffset(instant, timezone);

const DAY = 86_400_000;

/**
 * The instant at which the zone's clocks showed this wall time. A time that happens twice (clocks
 * turned back) takes the earlier instant; a time skipped by a DST jump is read with the offset from
 * before the jump, landing just after it (what Temporal calls "compatible").
 */
const wallTimeToInstant = (wallTime: number, timezone: string): number => {
  const offsetBefore = zoneOffsetAt(wallTime - DAY, timezone);
  const offsetAfter = zoneOffsetAt(wallTime + DAY, timezone);
  const candidates = [wallTime - offsetBefore, wallTime - offsetAfter].filter((instant) => wallTime - zoneOffsetAt(instant, timezone) === instant);
  if (candidates.length > 0) return Math.min(...candidates);

  return wallTime - offsetBefore;
};

const invalidTime = (message: string): AppError => new AppError('bad_request', { message });

/**
 * An ISO 8601 UTC timestamp with milliseconds. A value with `Z` or an offset keeps its instant; a
 * value without one is wall time in `timezone` (an IANA name). Digits below the millisecond are
 * dropped, not rounded, so an instant never moves into the next second.
 */
export const toUtcIso = (value: string, timezone: string): string => {
  const match = TIMESTAMP.exec(value.trim());
  if (!match) throw invalidTime('A date is not an ISO 8601 date and time');
  const [, yearText, monthText, dayText, hourText = '0', minuteText = '0', secondText = '0', fractionText = '', zone] = match;
  const [year, month, day, hour, minute, second] = [yearText, monthText, dayText, hourText, minuteText, secondText].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millisecond = Number(fractionText.padEnd(3, '0').slice(0, 3));

  const wallTime = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const check = new Date(wallTime);
  const isRealDate =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    check.getUTCHours() === hour &&
    check.getUTCMinutes() === minute &&
    check.getUTCSeconds() === second;
  if (!isRealDate || year < 1970) throw invalidTime('A date is out of range');

  let instant: number;
  if (zone === undefined) {
    if (!isValidTimezone(timezone)) throw invalidTime(`Unknown time zone "${timezone}"`);
    instant = wallTimeToInstant(wallTime, timezone);
  } else if (/^(Z|UTC|GMT)$/i.test(zone)) {
    instant = wallTime;
  } else {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2) || '0');
    if (offsetHours > 18 || offsetMinutes > 59) throw invalidTime('A date has an impossible UTC offset');
    instant = wallTime - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }

  return new Date(instant).toISOString();
};

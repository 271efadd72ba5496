import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { isValidTimezone, toUtcIso } from './time.ts';

describe('toUtcIso', () => {
  it('converts a time with an offset to UTC with milliseconds', () => {
    expect(toUtcIso('2019-06-04T13:53:06-04:00', 'Asia/Riyadh')).toBe('2019-06-04T17:53:06.000Z');
    expect(toUtcIso('2020-12-27T08:23:58+11:00', 'UTC')).toBe('2020-12-26T21:23:58.000Z');
    expect(toUtcIso('2024-04-08T03:01:02.474921+02:00', 'UTC')).toBe('2024-04-08T01:01:02.474Z');
    expect(toUtcIso('2021-04-01T08:34:16Z', 'Africa/Casablanca')).toBe('2021-04-01T08:34:16.000Z');
    expect(toUtcIso('2021-04-01 08:34:16 +0530', 'UTC')).toBe('2021-04-01T03:04:16.000Z');
  });

  it('reads a time without a zone in the given time zone', () => {
    expect(toUtcIso('2026-01-30 15:56:02', 'Asia/Riyadh')).toBe('2026-01-30T12:56:02.000Z');
    expect(toUtcIso('2022-06-26 12:21:45.000000', 'Asia/Riyadh')).toBe('2022-06-26T09:21:45.000Z');
    expect(toUtcIso('2017-03-22T16:28:02', 'America/New_York')).toBe('2017-03-22T20:28:02.000Z');
    expect(toUtcIso('2017-03-22T16:28:02', 'UTC')).toBe('2017-03-22T16:28:02.000Z');
  });

  it('follows daylight saving time of the zone', () => {
    expect(toUtcIso('2024-07-01 12:00:00', 'Europe/Paris')).toBe('2024-07-01T10:00:00.000Z');
    expect(toUtcIso('2024-01-01 12:00:00', 'Europe/Paris')).toBe('2024-01-01T11:00:00.000Z');
    // 02:30 does not exist on 2024-03-31 in Paris: read just after the jump.
    expect(toUtcIso('2024-03-31 02:30:00', 'Europe/Paris')).toBe('2024-03-31T01:30:00.000Z');
    // 02:30 happens twice on 2024-10-27: the earlier one.
    expect(toUtcIso('2024-10-27 02:30:00', 'Europe/Paris')).toBe('2024-10-27T00:30:00.000Z');
  });

  it('refuses impossible dates, unknown zones and other text with bad_request', () => {
    for (const value of ['2026-02-30 10:00:00', '2026-13-01', 'yesterday', '2026-01-01T25:00:00', '2026-01-01T10:00:00+25:00']) {
      expect(() => toUtcIso(value, 'UTC')).toThrow(AppError);
    }
    expect(() => toUtcIso('2026-01-01 10:00:00', 'Mars/Olympus')).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('isValidTimezone', () => {
  it('knows IANA names', () => {
    expect(isValidTimezone('Asia/Riyadh')).toBe(true);
    expect(isValidTimezone('UTC')).toBe(true);
    expect(isValidTimezone('Nowhere/City')).toBe(false);
    expect(isValidTimezone('')).toBe(false);
  });
});

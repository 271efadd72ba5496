import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { findInstantOfLocalTime, findStartOfNextLocalDay, isWithinQuietHours, nextAllowedSendTime, readLocalTime } from './schedule.ts';

const NIGHT = { start: '22:00', end: '08:00' };

const sendTime = (receivedAt: string, options: { delay?: number; quietHours?: { start: string; end: string } | null; timezone: string; now?: string }): string =>
  nextAllowedSendTime({
    now: new Date(options.now ?? receivedAt),
    orderReceivedAt: new Date(receivedAt),
    sendDelayMinutes: options.delay ?? 0,
    quietHours: options.quietHours === undefined ? NIGHT : options.quietHours,
    timezone: options.timezone,
  }).toISOString();

describe('isWithinQuietHours', () => {
  it.each([
    ['2026-05-01T18:59:59Z', false, '21:59:59 in Riyadh'],
    ['2026-05-01T19:00:00Z', true, '22:00 in Riyadh, the start is included'],
    ['2026-05-01T21:30:00Z', true, '00:30 in Riyadh, after midnight'],
    ['2026-05-02T04:59:59Z', true, '07:59:59 in Riyadh'],
    ['2026-05-02T05:00:00Z', false, '08:00 in Riyadh, the end is excluded'],
    ['2026-05-02T09:00:00Z', false, 'noon in Riyadh'],
  ])('at %s answers %s (%s)', (at, inside) => {
    expect(isWithinQuietHours({ at: new Date(at), quietHours: NIGHT, timezone: 'Asia/Riyadh' })).toBe(inside);
  });

  it('handles quiet hours within one day', () => {
    const siesta = { start: '13:00', end: '16:00' };

    expect(isWithinQuietHours({ at: new Date('2026-05-01T11:00:00Z'), quietHours: siesta, timezone: 'Asia/Riyadh' })).toBe(true);
    expect(isWithinQuietHours({ at: new Date('2026-05-01T21:00:00Z'), quietHours: siesta, timezone: 'Asia/Riyadh' })).toBe(false);
  });

  it('is never inside without quiet hours', () => {
    expect(isWithinQuietHours({ at: new Date('2026-05-01T21:30:00Z'), quietHours: null, timezone: 'Asia/Riyadh' })).toBe(false);
  });

  it('reads the wall clock of the store, not of the server', () => {
    const at = new Date('2026-05-01T21:30:00Z');

    expect(isWithinQuietHours({ at, quietHours: NIGHT, timezone: 'Asia/Riyadh' })).toBe(true);
    expect(isWithinQuietHours({ at, quietHours: NIGHT, timezone: 'America/New_York' })).toBe(false);
  });

  it('refuses an unknown timezone and a malformed time', () => {
    expect(() => isWithinQuietHours({ at: new Date(), quietHours: NIGHT, timezone: 'Mars/Olympus' })).toThrow(AppError);
    expect(() => isWithinQuietHours({ at: new Date(), quietHours: { start: '10pm', end: '08:00' }, timezone: 'UTC' })).toThrow(AppError);
  });
});

describe('nextAllowedSendTime', () => {
  it('sends at once without a delay or quiet hours', () => {
    expect(sendTime('2026-05-01T21:30:00Z', { quietHours: null, timezone: 'Asia/Riyadh' })).toBe('2026-05-01T21:30:00.000Z');
  });

  it('holds a late-evening order in Riyadh until 08:00 the next morning', () => {
    expect(sendTime('2026-05-01T20:30:00Z', { timezone: 'Asia/Riyadh' })).toBe('2026-05-02T05:00:00.000Z');
  });

  it('holds an order after midnight in Riyadh until 08:00 the same morning', () => {
    expect(sendTime('2026-05-01T23:00:00Z', { timezone: 'Asia/Riyadh' })).toBe('2026-05-02T05:00:00.000Z');
  });

  it('sends at 08:00 exactly, when quiet hours are over', () => {
    expect(sendTime('2026-05-02T05:00:00Z', { timezone: 'Asia/Riyadh' })).toBe('2026-05-02T05:00:00.000Z');
  });

  it('moves an order out of quiet hours within one day to their end', () => {
    expect(sendTime('2026-05-01T11:00:00Z', { quietHours: { start: '13:00', end: '16:00' }, timezone: 'Asia/Riyadh' })).toBe('2026-05-01T13:00:00.000Z');
  });

  it('holds a night order in Casablanca (UTC+1) until 08:00', () => {
    expect(sendTime('2026-01-10T22:30:00Z', { timezone: 'Africa/Casablanca' })).toBe('2026-01-11T07:00:00.000Z');
  });

  it('follows Morocco’s Ramadan clock (UTC+0) and its change back', () => {
    expect(sendTime('2026-03-01T22:30:00Z', { timezone: 'Africa/Casablanca' })).toBe('2026-03-02T08:00:00.000Z');
    // 23:00 on 21 March at UTC+0; the clocks go forward at 02:00, so 08:00 the next morning is 07:00 UTC.
    expect(sendTime('2026-03-21T23:00:00Z', { timezone: 'Africa/Casablanca' })).toBe('2026-03-22T07:00:00.000Z');
  });

  it('ends the night in Paris at 08:00 summer time after the spring change', () => {
    // 23:30 CET on 28 March → 08:00 CEST on 29 March.
    expect(sendTime('2026-03-28T22:30:00Z', { timezone: 'Europe/Paris' })).toBe('2026-03-29T06:00:00.000Z');
  });

  it('ends the night in Paris at 08:00 winter time after the autumn change', () => {
    // 23:30 CEST on 24 October → 08:00 CET on 25 October.
    expect(sendTime('2026-10-24T21:30:00Z', { timezone: 'Europe/Paris' })).toBe('2026-10-25T07:00:00.000Z');
  });

  it('ends quiet hours whose end the spring change skips when the clock jumps past it', () => {
    // Quiet 01:00–02:30; on 29 March Paris goes from 02:00 CET straight to 03:00 CEST.
    expect(sendTime('2026-03-29T00:30:00Z', { quietHours: { start: '01:00', end: '02:30' }, timezone: 'Europe/Paris' })).toBe('2026-03-29T01:00:00.000Z');
  });

  it('applies the delay first, then quiet hours', () => {
    // Received 21:50 in Riyadh, 15 minutes of delay → 22:05 is quiet → 08:00.
    expect(sendTime('2026-05-01T18:50:00Z', { delay: 15, timezone: 'Asia/Riyadh' })).toBe('2026-05-02T05:00:00.000Z');
    // Received 21:00, 30 minutes of delay → 21:30 is not quiet.
    expect(sendTime('2026-05-01T18:00:00Z', { delay: 30, timezone: 'Asia/Riyadh' })).toBe('2026-05-01T18:30:00.000Z');
  });

  it('lets a delay carry an order out of quiet hours by itself', () => {
    // Received 07:00 in Riyadh, 2 hours of delay → 09:00.
    expect(sendTime('2026-05-01T04:00:00Z', { delay: 120, timezone: 'Asia/Riyadh' })).toBe('2026-05-01T06:00:00.000Z');
  });

  it('never answers a time before now', () => {
    expect(sendTime('2026-05-01T08:00:00Z', { delay: 10, now: '2026-05-01T09:00:00Z', timezone: 'Asia/Riyadh' })).toBe('2026-05-01T09:00:00.000Z');
  });

  it('refuses a negative delay', () => {
    expect(() => sendTime('2026-05-01T08:00:00Z', { delay: -5, timezone: 'Asia/Riyadh' })).toThrow(AppError);
  });
});

describe('local time helpers', () => {
  it('finds the next local midnight', () => {
    expect(findStartOfNextLocalDay(new Date('2026-05-01T21:30:00Z'), 'Asia/Riyadh').toISOString()).toBe('2026-05-02T21:00:00.000Z');
    expect(findStartOfNextLocalDay(new Date('2026-05-01T12:00:00Z'), 'Europe/Paris').toISOString()).toBe('2026-05-01T22:00:00.000Z');
  });

  it('starts the day at 01:00 where the clock skips midnight (Cairo, last Friday of April)', () => {
    const start = findStartOfNextLocalDay(new Date('2026-04-23T12:00:00Z'), 'Africa/Cairo');

    expect(start.toISOString()).toBe('2026-04-23T22:00:00.000Z');
    expect(readLocalTime(start, 'Africa/Cairo')).toEqual({ year: 2026, month: 4, day: 24, hour: 1, minute: 0, second: 0 });
    expect(readLocalTime(new Date(start.getTime() - 1000), 'Africa/Cairo')).toEqual({ year: 2026, month: 4, day: 23, hour: 23, minute: 59, second: 59 });
  });

  it('takes the first of two instants when the autumn change repeats a time', () => {
    expect(findInstantOfLocalTime({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Paris').toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});

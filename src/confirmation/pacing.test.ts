import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { DEFAULT_PACING_POLICY, buildPacingPolicy, computeSendGap, decideSendSlot, readPacingLimits, type SendSlotOptions } from './pacing.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-05-01T12:00:00Z');
/** Linked well before NOW: past the warm-up. */
const ESTABLISHED = new Date(NOW.getTime() - 30 * DAY);

const slot = (overrides: Partial<SendSlotOptions>) =>
  decideSendSlot({
    lastSentAt: null,
    sentToday: 0,
    linkedAt: ESTABLISHED,
    now: NOW,
    timezone: 'Asia/Riyadh',
    policy: DEFAULT_PACING_POLICY,
    random: () => 0,
    ...overrides,
  });

describe('computeSendGap', () => {
  it('spans the configured seconds, both ends included, in milliseconds', () => {
    const gap = { minimumSeconds: 8, maximumSeconds: 20 };

    expect(computeSendGap(gap, () => 0)).toBe(8000);
    expect(computeSendGap(gap, () => 0.5)).toBe(14_000);
    expect(computeSendGap(gap, () => 0.9999999999)).toBe(20_000);
  });

  it('stays within the bounds for any draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 600 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (first, second, draw) => {
        const gap = { minimumSeconds: Math.min(first, second), maximumSeconds: Math.max(first, second) };
        const milliseconds = computeSendGap(gap, () => draw);

        return Number.isInteger(milliseconds) && milliseconds >= gap.minimumSeconds * 1000 && milliseconds <= gap.maximumSeconds * 1000;
      }),
    );
  });

  it('keeps a misbehaving random source within the bounds', () => {
    expect(computeSendGap({ minimumSeconds: 8, maximumSeconds: 20 }, () => 1)).toBe(20_000);
    expect(computeSendGap({ minimumSeconds: 8, maximumSeconds: 20 }, () => -3)).toBe(8000);
  });

  it('is zero when pacing is off, and refuses a maximum below the minimum', () => {
    expect(computeSendGap({ minimumSeconds: 0, maximumSeconds: 0 }, () => 0.7)).toBe(0);
    expect(() => computeSendGap({ minimumSeconds: 20, maximumSeconds: 8 }, () => 0)).toThrow(AppError);
    expect(() => computeSendGap({ minimumSeconds: -1, maximumSeconds: 8 }, () => 0)).toThrow(AppError);
  });
});

describe('decideSendSlot', () => {
  it('sends now when the number has not sent before', () => {
    expect(slot({})).toEqual({ at: NOW });
  });

  it('waits a random gap after the previous send', () => {
    const lastSentAt = new Date(NOW.getTime() - 5000);

    expect(slot({ lastSentAt, random: () => 0 })).toEqual({ at: new Date(lastSentAt.getTime() + 8000) });
    expect(slot({ lastSentAt, random: () => 0.5 })).toEqual({ at: new Date(lastSentAt.getTime() + 14_000) });
  });

  it('sends now when the previous send is older than the gap', () => {
    expect(slot({ lastSentAt: new Date(NOW.getTime() - HOUR), random: () => 0.99 })).toEqual({ at: NOW });
  });

  it('sends the 250th message of the day and defers the 251st to the next local midnight', () => {
    expect(slot({ sentToday: 249 })).toEqual({ at: NOW });
    // 15:00 in Riyadh → midnight is 21:00 UTC.
    expect(slot({ sentToday: 250 })).toEqual({ deferUntil: new Date('2026-05-01T21:00:00Z'), reason: 'daily_cap' });
  });

  it('counts the day in the given timezone', () => {
    // 01:30 on 2 May in Riyadh, 23:30 on 1 May in Casablanca (UTC+1).
    const now = new Date('2026-05-01T22:30:00Z');

    expect(slot({ now, sentToday: 250, timezone: 'Asia/Riyadh' })).toEqual({ deferUntil: new Date('2026-05-02T21:00:00Z'), reason: 'daily_cap' });
    expect(slot({ now, sentToday: 250, timezone: 'Africa/Casablanca' })).toEqual({ deferUntil: new Date('2026-05-01T23:00:00Z'), reason: 'daily_cap' });
  });

  it('warms a newly linked number up: 15 on its first day, with 30–60 s gaps', () => {
    const linkedAt = new Date(NOW.getTime() - 2 * HOUR);
    const lastSentAt = new Date(NOW.getTime() - 1000);

    expect(slot({ linkedAt, sentToday: 14, lastSentAt, random: () => 0 })).toEqual({ at: new Date(lastSentAt.getTime() + 30_000) });
    expect(slot({ linkedAt, sentToday: 14, lastSentAt, random: () => 0.9999999 })).toEqual({ at: new Date(lastSentAt.getTime() + 60_000) });
    expect(slot({ linkedAt, sentToday: 15 })).toEqual({ deferUntil: new Date('2026-05-01T21:00:00Z'), reason: 'daily_cap' });
  });

  it('doubles the warm-up cap each day and ends the warm-up on the fourth day', () => {
    expect(slot({ linkedAt: new Date(NOW.getTime() - 1.5 * DAY), sentToday: 29 })).toEqual({ at: NOW });
    expect(slot({ linkedAt: new Date(NOW.getTime() - 1.5 * DAY), sentToday: 30 })).toMatchObject({ reason: 'daily_cap' });
    expect(slot({ linkedAt: new Date(NOW.getTime() - 2.5 * DAY), sentToday: 59 })).toEqual({ at: NOW });
    expect(slot({ linkedAt: new Date(NOW.getTime() - 2.5 * DAY), sentToday: 60 })).toMatchObject({ reason: 'daily_cap' });
    expect(slot({ linkedAt: new Date(NOW.getTime() - 3 * DAY), sentToday: 60 })).toEqual({ at: NOW });
    expect(readPacingLimits(DEFAULT_PACING_POLICY, new Date(NOW.getTime() - 3 * DAY), NOW)).toEqual({ dailyCap: 250, gap: { minimumSeconds: 8, maximumSeconds: 20 } });
  });

  it('treats a link time in the future as the first warm-up day', () => {
    expect(readPacingLimits(DEFAULT_PACING_POLICY, new Date(NOW.getTime() + HOUR), NOW)).toEqual({ dailyCap: 15, gap: { minimumSeconds: 30, maximumSeconds: 60 } });
  });

  it('uses the configured gap once warmed up', () => {
    const policy = buildPacingPolicy({ minimumSeconds: 2, maximumSeconds: 4 });

    expect(slot({ policy, lastSentAt: NOW, random: () => 0 })).toEqual({ at: new Date(NOW.getTime() + 2000) });
  });

  it('turns off gaps, caps and warm-up when the configured gap is 0', () => {
    const policy = buildPacingPolicy({ minimumSeconds: 0, maximumSeconds: 0 });

    expect(policy).toEqual({ gap: { minimumSeconds: 0, maximumSeconds: 0 }, dailyCap: null, warmUp: null });
    expect(slot({ policy, linkedAt: NOW, lastSentAt: NOW, sentToday: 100_000, random: () => 0.9 })).toEqual({ at: NOW });
  });
});

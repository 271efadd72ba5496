import { describe, expect, it } from 'vitest';
import { decideDisconnect, MULTIDEVICE_PAUSE_MS, REPLACED_PAUSE_MS, TEMPORARY_BAN_DEFAULT_MS } from './disconnect-policy.ts';

const NOW = new Date('2026-12-07T10:00:00.000Z');
const decide = (reason: Parameters<typeof decideDisconnect>[0], options: { until?: Date; attempt?: number } = {}) =>
  decideDisconnect(reason, '408 Connection was lost', { ...(options.until ? { info: { until: options.until } } : {}), attempt: options.attempt ?? 1, now: NOW, random: () => 1 });

describe('what the session manager does for each disconnect', () => {
  it('asks the merchant to link again after a logout (401) or a locked account (403), deleting the void credentials', () => {
    expect(decide('logged_out')).toMatchObject({ kind: 'relink', alert: 'logged_out', reason: expect.stringMatching(/^logged_out: /) });
    expect(decide('device_locked')).toMatchObject({ kind: 'relink', alert: 'logged_out', reason: expect.stringMatching(/^device_locked: /) });
  });

  it('stops for good after a ban (406)', () => {
    expect(decide('banned')).toMatchObject({ kind: 'stop', alert: 'banned' });
  });

  it('waits out a temporary ban (402) until WhatsApp says it ends, or a day when it does not say', () => {
    const until = new Date(NOW.getTime() + 3 * 3_600_000);
    expect(decide('temporarily_banned', { until })).toEqual({ kind: 'pause', until, alert: 'restricted', reason: `temporarily_banned until ${until.toISOString()}` });
    expect(decide('temporarily_banned')).toMatchObject({ kind: 'pause', until: new Date(NOW.getTime() + TEMPORARY_BAN_DEFAULT_MS) });
    expect(decide('temporarily_banned', { until: new Date(NOW.getTime() - 1) })).toMatchObject({ until: new Date(NOW.getTime() + TEMPORARY_BAN_DEFAULT_MS) });
  });

  it('pauses a phone that cannot link devices (411) for an hour and tells the merchant', () => {
    expect(decide('multidevice_mismatch')).toMatchObject({ kind: 'pause', until: new Date(NOW.getTime() + MULTIDEVICE_PAUSE_MS), alert: 'disconnected' });
  });

  it('checks the lease before anything after another client took the device over (440)', () => {
    expect(decide('replaced')).toMatchObject({ kind: 'check_lease', until: new Date(NOW.getTime() + REPLACED_PAUSE_MS) });
  });

  it('only lets go of a number whose lease it lost, telling no one', () => {
    expect(decide('lease_lost')).toEqual({ kind: 'release' });
  });

  it('reconnects at once when WhatsApp asks for a restart (515)', () => {
    expect(decide('restart_required')).toEqual({ kind: 'reconnect', delayMs: 0, reason: 'restart_required', alertAfterAttempts: null });
  });

  it('retries a refused client version (405) slower and slower up to 30 minutes, alerting at the third refusal', () => {
    expect(decide('client_outdated', { attempt: 1 })).toMatchObject({ kind: 'reconnect', delayMs: 30_000, alertAfterAttempts: 3 });
    expect(decide('client_outdated', { attempt: 3 })).toMatchObject({ delayMs: 120_000 });
    expect(decide('client_outdated', { attempt: 20 })).toMatchObject({ delayMs: 30 * 60_000 });
  });

  it('reconnects a lost connection (408, 428, 500, 503) with capped backoff, alerting at the fifth failure', () => {
    expect(decide('connection_lost', { attempt: 1 })).toMatchObject({ kind: 'reconnect', delayMs: 1_000, alertAfterAttempts: 5, reason: 'connection lost: 408 Connection was lost' });
    expect(decide('connection_lost', { attempt: 4 })).toMatchObject({ delayMs: 8_000 });
    expect(decide('connection_lost', { attempt: 30 })).toMatchObject({ delayMs: 10_000 });
  });
});

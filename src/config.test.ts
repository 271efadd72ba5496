import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('configuration', () => {
  it('has sensible defaults for a zero-setup start', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      AKKED_DATA_DIR: './data',
      publicUrl: 'http://localhost:3000',
      isSecure: false,
      AKKED_SEND_GAP_SECONDS: { minimumSeconds: 8, maximumSeconds: 20 },
      AKKED_MESSAGE_TEXT_DAYS: 30,
      AKKED_FREE_CREDITS: 50,
      AKKED_ALLOW_PRIVATE_OUTBOUND: false,
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('marks cookies Secure when the public URL is https', () => {
    expect(parseConfig({ AKKED_PUBLIC_URL: 'https://app.akked.example/' })).toMatchObject({ publicUrl: 'https://app.akked.example', isSecure: true });
  });

  it('reads "0" as pacing off', () => {
    expect(parseConfig({ AKKED_SEND_GAP_SECONDS: '0' }).AKKED_SEND_GAP_SECONDS).toEqual({ minimumSeconds: 0, maximumSeconds: 0 });
  });

  it('refuses a TLS mode libpq does not know, in DATABASE_URL or PGSSLMODE, naming the variable', () => {
    expect(() => parseConfig({ DATABASE_URL: 'postgres://db.example.com/akked?sslmode=verify' })).toThrow(
      'DATABASE_URL: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full',
    );
    expect(() => parseConfig({ PGSSLMODE: 'strict' })).toThrow(/PGSSLMODE/);
    expect(parseConfig({ DATABASE_URL: 'postgres://db.example.com/akked?sslmode=verify-full', PGSSLROOTCERT: '/etc/ca.crt' })).toMatchObject({ PGSSLROOTCERT: '/etc/ca.crt' });
  });

  it('names every invalid variable', () => {
    try {
      parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', AKKED_MASTER_KEY: 'short', AKKED_SEND_GAP_SECONDS: '20-8' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const variable of ['PORT', 'DATABASE_URL', 'AKKED_MASTER_KEY', 'AKKED_SEND_GAP_SECONDS']) expect(message).toContain(variable);
    }
  });
});

describe('the public URL', () => {
  it.each(['localhost:3000', 'akked.example.com', 'ftp://akked.example.com', 'https://'])('refuses %s, naming AKKED_PUBLIC_URL', (value) => {
    expect(() => parseConfig({ AKKED_PUBLIC_URL: value })).toThrow(/AKKED_PUBLIC_URL: must be an absolute http:\/\/ or https:\/\/ URL/);
  });

  it('follows a command-line port when it is not set', () => {
    expect(parseConfig({ PORT: '3780' }).publicUrl).toBe('http://localhost:3780');
  });
});

describe('the log format', () => {
  it('is json or pretty, and unset by default (the terminal decides)', () => {
    expect(parseConfig({}).LOG_FORMAT).toBeUndefined();
    expect(parseConfig({ LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(() => parseConfig({ LOG_FORMAT: 'text' })).toThrow(/LOG_FORMAT/);
  });
});

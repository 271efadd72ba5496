import { describe, expect, it } from 'vitest';
import { AppError, ERROR_STATUS, isRetryable } from './errors.ts';

describe('AppError', () => {
  it('maps each code to its HTTP status in one place', () => {
    expect(new AppError('not_found', { message: 'no such store' }).status).toBe(404);
    expect(new AppError('csrf_token_invalid', { message: 'x' }).status).toBe(403);
    expect(ERROR_STATUS.payload_too_large).toBe(413);
  });

  it('serializes to the public error shape', () => {
    expect(new AppError('bad_request', { message: 'name is required' }).toJSON()).toEqual({
      error: { code: 'bad_request', message: 'name is required' },
    });
  });

  it('retries transient failures and unknown errors, not client errors', () => {
    expect(isRetryable(new AppError('upstream_unavailable', { message: 'timeout' }))).toBe(true);
    expect(isRetryable(new AppError('bad_request', { message: 'x' }))).toBe(false);
    expect(isRetryable(new AppError('upstream_failed', { message: '463', retryable: false }))).toBe(false);
    expect(isRetryable(new Error('boom'))).toBe(true);
  });
});

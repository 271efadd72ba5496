import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { IdField, parseJsonBody, readWithSchema } from './webhook-body.ts';

describe('parseJsonBody', () => {
  it('keeps integers above 2^53 as their exact digits and ordinary numbers as numbers', () => {
    expect(parseJsonBody(Buffer.from('{"id":820982911946154508,"quantity":2,"price":14.99}'))).toEqual({ id: '820982911946154508', quantity: 2, price: 14.99 });
  });

  it('keeps decimals a double cannot hold as text', () => {
    expect(parseJsonBody('{"total":0.1000000000000000055511151231257827}')).toEqual({ total: '0.1000000000000000055511151231257827' });
  });

  it('answers malformed_json for bad JSON, invalid UTF-8, empty bodies, duplicate keys and absurd nesting', () => {
    for (const body of ['{"a":', 'webhook_id=1', '', '   ', '{"a":1,"a":2}', '['.repeat(100_000)]) {
      expect(() => parseJsonBody(Buffer.from(body))).toThrow(expect.objectContaining({ code: 'malformed_json' }));
    }
    expect(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(expect.objectContaining({ code: 'malformed_json' }));
  });

  it('skips a leading byte order mark', () => {
    expect(parseJsonBody(Buffer.from('\ufeff{"a":1}'))).toEqual({ a: 1 });
  });
});

describe('readWithSchema', () => {
  it('names the failing field paths but never the values', () => {
    const schema = z.object({ customer: z.object({ phone: z.string() }), id: IdField });
    try {
      readWithSchema(schema, { customer: { phone: 555123 }, id: '' }, 'The test order');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError.code).toBe('bad_request');
      expect(appError.message).toContain('customer.phone');
      expect(appError.message).not.toContain('555123');
    }
  });
});

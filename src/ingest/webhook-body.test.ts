import fc from 'fast-check';
import { isSafeNumber, parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { IdField, parseJsonBody, parseJsonKeepingDigits, readWithSchema } from './webhook-body.ts';

/** What lossless-json alone answers: the value, or the error's class and message. */
const readLosslessly = (text: string): { value: unknown } | { error: string } => {
  try {
    return { value: parse(text, null, (number) => (isSafeNumber(number) ? Number(number) : number)) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
};

const readQuickly = (text: string): { value: unknown } | { error: string } => {
  try {
    return { value: parseJsonKeepingDigits(text) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
};

/** Numbers of every kind a body may hold: huge ids, long decimals, exponents, and malformed ones. */
const numberText = fc.oneof(
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('1e400', '-0', '0.1000000000000000055511151231257827', '9007199254740993', '9007199254740992.0', '01', '-', '1.', '00000000000000000000001', '12345678901234567890abc'),
);

/** JSON texts, valid or not, with numbers spliced in anywhere (inside strings too). */
const jsonText = fc.oneof(
  fc.json(),
  fc.tuple(fc.json(), fc.array(fc.tuple(fc.nat(), numberText), { maxLength: 5 })).map(([text, inserts]) =>
    inserts.reduce((result, [at, number]) => {
      const position = at % (result.length + 1);

      return result.slice(0, position) + number + result.slice(position);
    }, text),
  ),
  fc.array(fc.constantFrom('"a"', '"b"', '1', '12345678901234567890', ':', ',', '{', '}', '[', ']', ' ', '"x\\\\"', '"\\""', 'null', '-1e999'), { maxLength: 20 }).map((parts) => parts.join('')),
  fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), numberText), { maxLength: 4 }).map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`),
);

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

  it('reads any text exactly as the lossless parser alone does: same value, or same error', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        expect(readQuickly(text)).toEqual(readLosslessly(text));
      }),
      { numRuns: 3_000 },
    );
  });

  it('keeps digits inside strings as they are and refuses a number where a key belongs', () => {
    expect(parseJsonBody('{"note":"ref 12345678901234567890:1","id":12345678901234567890}')).toEqual({ note: 'ref 12345678901234567890:1', id: '12345678901234567890' });
    expect(parseJsonBody('{"a":"\\\\","b":[-12345678901234567890,1e400]}')).toEqual({ a: '\\', b: ['-12345678901234567890', '1e400'] });
    for (const body of ['{12345678901234567890:1}', '{"a":1,12345678901234567890:2}', '[00000000000000000001]']) {
      expect(() => parseJsonBody(body)).toThrow(expect.objectContaining({ code: 'malformed_json' }));
    }
    // A key given twice with the same value is accepted, as by lossless-json.
    expect(parseJsonBody('{"a":1,"a":1}')).toEqual({ a: 1 });
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

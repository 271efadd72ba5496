/*
 * YouCan signs PHP's `json_encode` of the decoded payload, which may differ from the bytes sent.
 * Checking that signature means re-encoding a body whose signature is not yet known, so this runs
 * on whatever anyone sends: one pass over the bytes into a byte buffer, no parse tree, no strings
 * per character. Parsing and re-serializing instead cost ~50× a rejected generic webhook.
 */

const HEX = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;

/** `json_encode`'s short escapes (default flags): the letter after the backslash, by ASCII code, else 0. */
const SHORT_ESCAPES = new Uint8Array(128);
for (const [unit, letter] of [[0x08, 'b'], [0x09, 't'], [0x0a, 'n'], [0x0c, 'f'], [0x0d, 'r'], [0x22, '"'], [0x2f, '/'], [0x5c, '\\']] as const) {
  SHORT_ESCAPES[unit] = letter.charCodeAt(0);
}

/** What the letter after a backslash stands for in JSON. */
const DECODED_ESCAPES: Readonly<Record<number, number>> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09 };

/** A JSON number as PHP writes it back: integers unchanged, floats shortest with at least `.0`. */
export const toPhpNumberText = (text: string): string => {
  if (/^-?\d+$/.test(text)) return text;
  const shortest = String(Number(text));
  if (/^-?\d+$/.test(shortest)) return `${shortest}.0`;

  return shortest.replace(/^(-?\d+)e/, '$1.0e');
};

const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;

const isNumberByte = (byte: number): boolean => isDigit(byte) || byte === 0x2d || byte === 0x2b || byte === 0x2e || byte === 0x65 || byte === 0x45;

const isWhitespace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

const isStructural = (byte: number): boolean => byte === 0x7b || byte === 0x7d || byte === 0x5b || byte === 0x5d || byte === 0x3a || byte === 0x2c;

const hexValue = (byte: number): number => {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;

  return -1;
};

const isContinuation = (byte: number): boolean => (byte & 0xc0) === 0x80;

/** `\uXXXX` in lower-case hex at `at`; the new end. */
const writeUnicodeEscape = (out: Buffer, at: number, unit: number): number => {
  out[at] = BACKSLASH;
  out[at + 1] = 0x75;
  out[at + 2] = HEX[(unit >> 12) & 15] as number;
  out[at + 3] = HEX[(unit >> 8) & 15] as number;
  out[at + 4] = HEX[(unit >> 4) & 15] as number;
  out[at + 5] = HEX[unit & 15] as number;

  return at + 6;
};

/** Writes one UTF-16 code unit of a string as `json_encode` does at `at`; the new end. */
const writeCodeUnit = (out: Buffer, at: number, unit: number): number => {
  const short = unit < 0x80 ? (SHORT_ESCAPES[unit] as number) : 0;
  if (short !== 0) {
    out[at] = BACKSLASH;
    out[at + 1] = short;

    return at + 2;
  }
  if (unit >= 0x20 && unit < 0x80) {
    out[at] = unit;

    return at + 1;
  }

  return writeUnicodeEscape(out, at, unit);
};

/**
 * Formatting a float costs ~0.5 µs; an order has a few dozen. Beyond this many, the body is not an
 * order YouCan sent, and the re-encoded form is not worth computing.
 */
const MAX_FLOATS = 5_000;

const [TRUE, FALSE, NULL] = ['true', 'false', 'null'].map((literal) => Buffer.from(literal)) as [Buffer, Buffer, Buffer];

/**
 * The body as PHP's `json_encode` of the decoded payload writes it: no whitespace between tokens,
 * floats re-formatted, and in strings `/` as `\/`, every non-ASCII character as lower-case `\uXXXX`
 * escapes (surrogate pairs above U+FFFF), other escapes normalized. Null when the bytes are not JSON
 * as far as one pass can tell (an unterminated string, a bad escape or UTF-8, an unknown token), or
 * hold more floats than any order. One loop over bytes, no allocation per character.
 */
export const reencodeLikePhp = (body: Buffer): Buffer | null => {
  // No token grows more than 6×: a 2-byte character becomes a 6-byte escape, "1e20" 23 characters.
  let out = Buffer.allocUnsafe(body.length * 6 + 32);
  let length = 0;
  let floats = 0;

  let index = 0;
  const end = body.length;
  while (index < end) {
    const byte = body[index] as number;
    if (isWhitespace(byte)) {
      index++;
    } else if (isStructural(byte)) {
      out[length++] = byte;
      index++;
    } else if (byte === QUOTE) {
      out[length++] = QUOTE;
      index++;
      for (;;) {
        if (index >= end) return null;
        const inner = body[index] as number;
        if (inner === QUOTE) {
          out[length++] = QUOTE;
          index++;
          break;
        }
        if (inner < 0x80 && inner >= 0x20 && inner !== BACKSLASH && inner !== SLASH) {
          out[length++] = inner;
          index++;
        } else if (inner < 0x20) {
          return null;
        } else if (inner === SLASH) {
          length = writeCodeUnit(out, length, SLASH);
          index++;
        } else if (inner === BACKSLASH) {
          const letter = index + 1 < end ? (body[index + 1] as number) : 0;
          if (letter === 0x75) {
            if (index + 6 > end) return null;
            let unit = 0;
            for (let offset = 2; offset < 6; offset++) {
              const value = hexValue(body[index + offset] as number);
              if (value < 0) return null;
              unit = (unit << 4) | value;
            }
            length = writeCodeUnit(out, length, unit);
            index += 6;
          } else {
            const decoded = DECODED_ESCAPES[letter];
            if (decoded === undefined) return null;
            length = writeCodeUnit(out, length, decoded);
            index += 2;
          }
        } else {
          // UTF-8 decoded by hand; bytes that are not well-formed UTF-8 were never json_decoded by PHP.
          const second = index + 1 < end ? (body[index + 1] as number) : 0;
          if (inner >= 0xc2 && inner <= 0xdf && isContinuation(second)) {
            length = writeUnicodeEscape(out, length, ((inner & 0x1f) << 6) | (second & 0x3f));
            index += 2;
            continue;
          }
          const third = index + 2 < end ? (body[index + 2] as number) : 0;
          if (
            inner >= 0xe0 && inner <= 0xef && isContinuation(second) && isContinuation(third) &&
            !(inner === 0xe0 && second < 0xa0) && !(inner === 0xed && second > 0x9f)
          ) {
            length = writeUnicodeEscape(out, length, ((inner & 0x0f) << 12) | ((second & 0x3f) << 6) | (third & 0x3f));
            index += 3;
            continue;
          }
          const fourth = index + 3 < end ? (body[index + 3] as number) : 0;
          if (
            inner >= 0xf0 && inner <= 0xf4 && isContinuation(second) && isContinuation(third) && isContinuation(fourth) &&
            !(inner === 0xf0 && second < 0x90) && !(inner === 0xf4 && second > 0x8f)
          ) {
            const codePoint = (((inner & 0x07) << 18) | ((second & 0x3f) << 12) | ((third & 0x3f) << 6) | (fourth & 0x3f)) - 0x10000;
            length = writeUnicodeEscape(out, length, 0xd800 + (codePoint >> 10));
            length = writeUnicodeEscape(out, length, 0xdc00 + (codePoint & 0x3ff));
            index += 4;
            continue;
          }

          return null;
        }
      }
    } else if (isNumberByte(byte)) {
      const start = index;
      let isInteger = true;
      while (index < end && isNumberByte(body[index] as number)) {
        const numberByte = body[index] as number;
        if (!isDigit(numberByte) && !(numberByte === 0x2d && index === start)) isInteger = false;
        index++;
      }
      if (isInteger) {
        for (let copied = start; copied < index; copied++) out[length++] = body[copied] as number;
      } else {
        if (++floats > MAX_FLOATS) return null;
        const text = toPhpNumberText(body.toString('latin1', start, index));
        if (length + text.length > out.length) {
          const grown = Buffer.allocUnsafe(out.length * 2 + text.length);
          out.copy(grown, 0, 0, length);
          out = grown;
        }
        length += out.write(text, length, 'latin1');
      }
    } else {
      const literal = byte === 0x74 ? TRUE : byte === 0x66 ? FALSE : byte === 0x6e ? NULL : null;
      if (literal === null || index + literal.length > end) return null;
      for (let offset = 0; offset < literal.length; offset++) {
        if (body[index + offset] !== literal[offset]) return null;
        out[length++] = literal[offset] as number;
      }
      index += literal.length;
    }
  }

  return out.subarray(0, length);
};

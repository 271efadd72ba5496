import { describe, expect, it } from 'vitest';
import { storableJson, storableJsonText, storableText, storableValue } from './storable-text.ts';

describe('storable text', () => {
  it('removes NUL and replaces each unpaired surrogate with U+FFFD, keeping pairs and everything else', () => {
    expect(storableText('Sa\u0000ra')).toBe('Sara');
    expect(storableText('a\ud800b')).toBe('a\ufffdb');
    expect(storableText('a\udc00b')).toBe('a\ufffdb');
    expect(storableText('\udfff\ud800')).toBe('\ufffd\ufffd');
    expect(storableText('end\ud83d')).toBe('end\ufffd');
    expect(storableText('😀 فاطمة \u200d')).toBe('😀 فاطمة \u200d');
    const untouched = 'plain text';
    expect(storableText(untouched)).toBe(untouched);
  });

  it('cleans every string of a parsed value, keys included, and leaves numbers, booleans and other objects alone', () => {
    class Exact {
      constructor(readonly digits: string) {}
    }
    const exact = new Exact('9007199254740993');
    const cleaned = storableValue({ 'k\u0000ey': ['x\ud800', 1, true, null, { deep: 'a\u0000b' }], exact });
    expect(cleaned).toEqual({ key: ['x\ufffd', 1, true, null, { deep: 'ab' }], exact });
    expect(cleaned.exact).toBe(exact);
  });

  it('walks a parsed JSON value only when its text holds an escape that may need cleaning', () => {
    const parsed = { name: 'plain' };
    expect(storableJson('{"name":"plain"}', parsed)).toBe(parsed);
    expect(storableJson('{"name":"a\\u0000b"}', JSON.parse('{"name":"a\\u0000b"}'))).toEqual({ name: 'ab' });
    expect(storableJson('{"name":"a\\uD800b"}', JSON.parse('{"name":"a\\uD800b"}'))).toEqual({ name: 'a\ufffdb' });
    // A valid pair written as escapes stays the character it spells.
    expect(storableJson('{"name":"\\ud83d\\ude00"}', JSON.parse('{"name":"\\ud83d\\ude00"}'))).toEqual({ name: '😀' });
  });

  it('writes JSON text with every string storable, and the plain text when nothing needs cleaning', () => {
    const clean = { number: '#1001', items: [{ name: 'عود 🌙' }] };
    expect(storableJsonText(clean)).toBe(JSON.stringify(clean));
    expect(JSON.parse(storableJsonText({ number: 'a\u0000b', items: [{ name: 'x\ud800y' }] }))).toEqual({ number: 'ab', items: [{ name: 'x\ufffdy' }] });
  });
});

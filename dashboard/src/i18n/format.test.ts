import { describe, expect, it } from 'vitest';
import { formattersFor } from './format.ts';

describe('formatters', () => {
  it('writes durations in full words, never "35 ث" or "(2 س)" (docs/glossary.md)', () => {
    expect(formattersFor('ar').duration(35)).toBe('35 ثانية');
    expect(formattersFor('ar').duration(7200)).toBe('ساعتان');
    expect(formattersFor('ar').duration(540)).toBe('9 دقائق');
    expect(formattersFor('fr').duration(35)).toBe('35\u00A0secondes');
    expect(formattersFor('en').duration(90)).toBe('1.5 minutes');
  });
});

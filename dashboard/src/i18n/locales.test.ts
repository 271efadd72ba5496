import { describe, expect, it } from 'vitest';
import { buildResources, LANGUAGES } from './i18n.ts';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

const flatten = (value: unknown, prefix = ''): string[] =>
  value && typeof value === 'object'
    ? Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key))
    : [prefix];

const keysOf = (language: string): Map<string, Set<string>> => {
  const resources = buildResources()[language] ?? {};
  const keys = new Map<string, Set<string>>();
  for (const [namespace, tree] of Object.entries(resources)) {
    for (const key of flatten(tree)) {
      const base = `${namespace}:${key.replace(PLURAL_SUFFIX, '')}`;
      const suffix = PLURAL_SUFFIX.exec(key)?.[1];
      if (!keys.has(base)) keys.set(base, new Set());
      if (suffix) keys.get(base)!.add(suffix);
    }
  }

  return keys;
};

describe('translations', () => {
  const all = Object.fromEntries(LANGUAGES.map((language) => [language, keysOf(language)]));
  const union = new Set(LANGUAGES.flatMap((language) => [...all[language]!.keys()]));

  it.each(LANGUAGES)('has every key of every namespace in %s', (language) => {
    const missing = [...union].filter((key) => !all[language]!.has(key));
    expect(missing).toEqual([]);
  });

  it.each(LANGUAGES)('has every plural form %s needs for each counted string', (language) => {
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories.filter((category) => category !== 'zero' || language === 'ar');
    const incomplete: string[] = [];
    for (const [key, forms] of all[language]!) {
      if (forms.size === 0) continue;
      for (const category of categories) if (!forms.has(category)) incomplete.push(`${key}_${category}`);
    }
    expect(incomplete).toEqual([]);
  });

  it('has no empty string in any language', () => {
    const empty: string[] = [];
    for (const language of LANGUAGES) {
      const walk = (value: unknown, path: string) => {
        if (typeof value === 'string') { if (value.trim() === '') empty.push(`${language}:${path}`); return; }
        for (const [key, inner] of Object.entries((value ?? {}) as Record<string, unknown>)) walk(inner, path ? `${path}.${key}` : key);
      };
      walk(buildResources()[language], '');
    }
    expect(empty).toEqual([]);
  });
});

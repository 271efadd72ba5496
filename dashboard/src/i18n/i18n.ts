import i18next, { type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../api/types.ts';

export const LANGUAGES: Language[] = ['ar', 'en', 'fr'];
export const DEFAULT_LANGUAGE: Language = 'en';

/** Every `locales/<language>/<namespace>.json`, bundled: no translation is fetched at run time. */
const files = import.meta.glob<{ default: Record<string, unknown> }>('./locales/*/*.json', { eager: true });

export const buildResources = (): Resource => {
  const resources: Resource = {};
  for (const [file, module] of Object.entries(files)) {
    const match = /\.\/locales\/(\w+)\/([\w-]+)\.json$/.exec(file);
    if (!match) continue;
    const [, language, namespace] = match as unknown as [string, string, string];
    resources[language] ??= {};
    (resources[language] as Record<string, unknown>)[namespace] = module.default;
  }

  return resources;
};

export const NAMESPACES = [...new Set(Object.keys(files).map((file) => /\/([\w-]+)\.json$/.exec(file)?.[1] ?? 'common'))];

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as string[]).includes(value);

export const directionOf = (language: Language): 'rtl' | 'ltr' => (language === 'ar' ? 'rtl' : 'ltr');

/** `?lang=` in the address wins over the user's saved language, which wins over the browser's. */
export const languageFromQuery = (search: string): Language | null => {
  const value = new URLSearchParams(search).get('lang');

  return isLanguage(value) ? value : null;
};

export const browserLanguage = (): Language => {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag?.slice(0, 2).toLowerCase();
    if (isLanguage(base)) return base;
  }

  return DEFAULT_LANGUAGE;
};

/** Sets `<html lang dir>`: right-to-left for Arabic, always one of the two. */
export const applyDocumentLanguage = (language: Language): void => {
  document.documentElement.lang = language;
  document.documentElement.dir = directionOf(language);
};

export const initI18n = async (language: Language): Promise<typeof i18next> => {
  if (!i18next.isInitialized) {
    await i18next.use(initReactI18next).init({
      resources: buildResources(),
      lng: language,
      fallbackLng: false,
      ns: NAMESPACES,
      defaultNS: 'common',
      interpolation: { escapeValue: false }, // React escapes every string it renders
      returnNull: false,
      saveMissing: false,
    });
  } else if (i18next.language !== language) {
    await i18next.changeLanguage(language);
  }
  applyDocumentLanguage(language);

  return i18next;
};

export const changeLanguage = async (language: Language): Promise<void> => {
  await i18next.changeLanguage(language);
  applyDocumentLanguage(language);
};

/** A `?lang=` seen in the address holds for the rest of the visit, until the user picks a language. */
let languageOverride: Language | null = null;

export const rememberLanguageOverride = (language: Language | null): void => {
  languageOverride = language;
};

export const currentLanguageOverride = (): Language | null => languageOverride;

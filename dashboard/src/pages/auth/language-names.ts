import type { Language } from '../../api/types.ts';

/** Each language in its own name, as a merchant looks for it whatever the page's language. */
export const NATIVE_LANGUAGE_NAMES: Record<Language, string> = { ar: 'العربية', en: 'English', fr: 'Français' };

import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { updateProfile } from '../api/account.ts';
import { SESSION_QUERY_KEY, useSession } from '../api/session.ts';
import type { Language } from '../api/types.ts';
import { changeLanguage, LANGUAGES, rememberLanguageOverride } from '../i18n/i18n.ts';

const NATIVE_NAMES: Record<Language, string> = { ar: 'العربية', en: 'English', fr: 'Français' };

/** Picks the interface language; a signed-in user's choice is saved on the user (never a cookie). */
export const LanguageSwitcher = () => {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const client = useQueryClient();
  const choose = async (language: Language) => {
    rememberLanguageOverride(session.data ? null : language);
    await changeLanguage(language);
    if (session.data) {
      await updateProfile({ language });
      await client.invalidateQueries({ queryKey: SESSION_QUERY_KEY });
    }
  };

  return (
    <label className="language-switcher">
      <span className="visually-hidden">{t('language')}</span>
      <select value={i18n.language} onChange={(event) => void choose(event.target.value as Language)}>
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {NATIVE_NAMES[language]}
          </option>
        ))}
      </select>
    </label>
  );
};

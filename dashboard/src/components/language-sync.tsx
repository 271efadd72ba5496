import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { useSession } from '../api/session.ts';
import {
  applyDocumentLanguage, browserLanguage, currentLanguageOverride, isLanguage, languageFromQuery, rememberLanguageOverride,
} from '../i18n/i18n.ts';

/** Keeps the interface language on `?lang=`, else the signed-in user's saved language, else the browser's. */
export const LanguageSync = () => {
  const { i18n } = useTranslation();
  const location = useLocation();
  const session = useSession();
  const fromQuery = languageFromQuery(location.search);
  if (fromQuery) rememberLanguageOverride(fromQuery);
  const saved = session.data?.user.language;
  const wanted = currentLanguageOverride() ?? (isLanguage(saved) ? saved : null) ?? (session.isPending ? null : browserLanguage());

  useEffect(() => {
    if (!wanted) return;
    if (i18n.language !== wanted) void i18n.changeLanguage(wanted);
    applyDocumentLanguage(wanted);
  }, [wanted, i18n]);

  return null;
};

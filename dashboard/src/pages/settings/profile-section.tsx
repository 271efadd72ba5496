import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { updateProfile } from '../../api/account.ts';
import { SESSION_QUERY_KEY, useRefreshSession, useSignedInSession } from '../../api/session.ts';
import type { Language, Session } from '../../api/types.ts';
import { AreaFormError } from '../../components/area-error.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { Card } from '../../components/page.tsx';
import { changeLanguage, isLanguage, LANGUAGES, rememberLanguageOverride } from '../../i18n/i18n.ts';
import { NATIVE_LANGUAGE_NAMES } from '../auth/language-names.ts';

/** Name and language, saved on the user; a new language applies to the interface at once. */
export const ProfileSection = () => {
  const { t } = useTranslation('settings');
  const session = useSignedInSession();
  const refreshSession = useRefreshSession();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [name, setName] = useState(session.user.name);
  const [language, setLanguage] = useState<Language>(isLanguage(session.user.language) ? session.user.language : 'en');
  // A language saved while `?lang=` is in the address is applied once the address has lost it:
  // LanguageSync re-reads `?lang=` on every render and would put the old language back.
  const [languageToApply, setLanguageToApply] = useState<Language | null>(null);
  const hasLanguageInAddress = params.has('lang');
  useEffect(() => {
    if (!languageToApply || hasLanguageInAddress) return;
    setLanguageToApply(null);
    rememberLanguageOverride(null);
    void changeLanguage(languageToApply);
  }, [languageToApply, hasLanguageInAddress]);
  const save = useMutation({
    mutationFn: updateProfile,
    onSuccess: async (user) => {
      // The answer is the saved user: show it at once (LanguageSync reads the saved language here).
      client.setQueryData<Session | null>(SESSION_QUERY_KEY, (session) => (session ? { ...session, user } : session));
      if (isLanguage(user.language)) {
        if (hasLanguageInAddress) {
          const withoutLanguage = new URLSearchParams(params);
          withoutLanguage.delete('lang');
          setParams(withoutLanguage, { replace: true });
        }
        // The saved choice now wins over any ?lang= seen in this visit.
        setLanguageToApply(user.language);
      }
      await refreshSession();
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ name: name.trim(), language });
  };
  const edited = () => {
    if (save.isSuccess || save.isError) save.reset();
  };

  return (
    <Card title={t('profile.title')}>
      <form onSubmit={onSubmit} className="settings-form">
        <p className="settings-readonly">
          <span className="settings-readonly-label">{t('profile.email')}</span>
          <span dir="ltr">{session.user.email}</span>
        </p>
        <TextField
          label={t('profile.name')}
          name="name"
          autoComplete="name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => {
            edited();
            setName(event.target.value);
          }}
        />
        <SelectField
          label={t('profile.language')}
          hint={t('profile.languageHint')}
          name="language"
          value={language}
          onChange={(event) => {
            edited();
            setLanguage(event.target.value as Language);
          }}
        >
          {LANGUAGES.map((option) => (
            <option key={option} value={option} lang={option}>
              {NATIVE_LANGUAGE_NAMES[option]}
            </option>
          ))}
        </SelectField>
        <AreaFormError error={save.error} namespace="settings" />
        <div className="row">
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {save.isPending ? t('common:saving') : t('common:save')}
          </button>
          {save.isSuccess ? <span className="settings-saved" role="status">{t('common:saved')}</span> : null}
        </div>
      </form>
    </Card>
  );
};

import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate } from 'react-router';
import { sendVerificationEmail, signUp } from '../../api/auth.ts';
import { useRefreshSession, useSession } from '../../api/session.ts';
import type { Language } from '../../api/types.ts';
import { AreaFormError } from '../../components/area-error.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { Loading } from '../../components/states.tsx';
import { isLanguage, LANGUAGES } from '../../i18n/i18n.ts';
import { AuthFrame, AuthNotice } from './auth-frame.tsx';
import { MINIMUM_PASSWORD_LENGTH } from './auth-rules.ts';
import { NATIVE_LANGUAGE_NAMES } from './language-names.ts';

export default function SignUpPage() {
  const { t, i18n } = useTranslation('auth');
  const session = useSession();
  const refreshSession = useRefreshSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // Follows the interface language until the merchant picks another one here.
  const [chosenLanguage, setChosenLanguage] = useState<Language | null>(null);
  const language: Language = chosenLanguage ?? (isLanguage(i18n.language) ? i18n.language : 'en');
  const signingUp = useRef(false);
  const submit = useMutation({
    mutationFn: signUp,
    onSuccess: async (answer) => {
      signingUp.current = true;
      // Without required verification better-auth signs the new user in at once (a token comes back).
      if ((answer as { token?: string | null } | undefined)?.token) await refreshSession();
    },
  });
  const resend = useMutation({ mutationFn: sendVerificationEmail });

  if (session.data && !signingUp.current) return <Navigate to="/" replace />;

  if (submit.isSuccess) {
    const sentTo = email.trim();

    return (
      <AuthFrame title={t('signUp.checkTitle')}>
        <p>{t('signUp.checkBody', { email: sentTo })}</p>
        <p className="muted">{t('signUp.checkHint')}</p>
        {resend.isSuccess ? <AuthNotice tone="good">{t('verify.sentAgain', { email: sentTo })}</AuthNotice> : null}
        <AreaFormError error={resend.error} namespace="auth" />
        <div className="auth-actions">
          <button type="button" className="button" disabled={resend.isPending} onClick={() => resend.mutate(sentTo)}>
            {resend.isPending ? t('verify.sending') : t('verify.sendAgain')}
          </button>
          {session.data ? (
            <Link className="button button-primary" to="/setup">{t('signUp.continue')}</Link>
          ) : (
            <Link className="button button-quiet" to="/sign-in">{t('signUp.toSignIn')}</Link>
          )}
        </div>
      </AuthFrame>
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate({ name: name.trim(), email: email.trim(), password, language });
  };

  return (
    <AuthFrame title={t('signUp.title')}>
      {session.isPending ? (
        <Loading />
      ) : (
        <>
          <form onSubmit={onSubmit}>
            <TextField label={t('fields.name')} name="name" autoComplete="name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
            <TextField label={t('fields.email')} type="email" name="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
            <TextField
              label={t('fields.password')}
              type="password"
              name="new-password"
              autoComplete="new-password"
              required
              minLength={MINIMUM_PASSWORD_LENGTH}
              maxLength={256}
              hint={t('fields.passwordHint', { count: MINIMUM_PASSWORD_LENGTH })}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            <SelectField
              label={t('fields.language')}
              hint={t('fields.languageHint')}
              name="language"
              value={language}
              onChange={(event) => setChosenLanguage(event.target.value as Language)}
            >
              {LANGUAGES.map((option) => (
                <option key={option} value={option} lang={option}>
                  {NATIVE_LANGUAGE_NAMES[option]}
                </option>
              ))}
            </SelectField>
            <AreaFormError error={submit.error} namespace="auth" />
            <button type="submit" className="button button-primary" disabled={submit.isPending}>
              {submit.isPending ? t('signUp.submitting') : t('signUp.submit')}
            </button>
          </form>
          <nav className="auth-links" aria-label={t('otherPages')}>
            <span>
              {t('signUp.haveAccount')} <Link to="/sign-in">{t('signUp.signIn')}</Link>
            </span>
          </nav>
        </>
      )}
    </AuthFrame>
  );
}

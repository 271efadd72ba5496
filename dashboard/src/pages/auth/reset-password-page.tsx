import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { resetPassword } from '../../api/auth.ts';
import { ApiError } from '../../api/client.ts';
import { AreaFormError } from '../../components/area-error.tsx';
import { TextField } from '../../components/field.tsx';
import { AuthFrame, AuthNotice } from './auth-frame.tsx';
import { MINIMUM_PASSWORD_LENGTH } from './auth-rules.ts';

/** Codes that mean "this link is spent or too old": the way out is a new link. */
const LINK_ERRORS = new Set(['invalid_token', 'token_expired']);

const ExpiredLink = ({ code }: { code: string }) => {
  const { t, i18n } = useTranslation('auth');
  const key = `auth:errors.${code}`;

  return (
    <>
      <p className="form-error" role="alert">
        {i18n.exists(key) ? t(key) : t('reset.linkInvalid')}
      </p>
      <p>{t('reset.askAgain')}</p>
      <div className="auth-actions">
        <Link className="button button-primary" to="/forgot-password">{t('reset.newLink')}</Link>
      </div>
    </>
  );
};

/**
 * The reset email's link goes through /api/auth/reset-password/<token>, which redirects here with
 * `?token=` when the token is good or `?error=INVALID_TOKEN` when it expired or was used.
 */
export default function ResetPasswordPage() {
  const { t } = useTranslation('auth');
  const [params] = useSearchParams();
  const token = params.get('token');
  const linkError = params.get('error');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const submit = useMutation({ mutationFn: resetPassword });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (password !== repeated) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    if (token) submit.mutate({ token, newPassword: password });
  };

  if (linkError || !token) {
    return (
      <AuthFrame title={t('reset.title')}>
        <ExpiredLink code={(linkError ?? 'invalid_token').toLowerCase()} />
      </AuthFrame>
    );
  }

  if (submit.isSuccess) {
    return (
      <AuthFrame title={t('reset.doneTitle')}>
        <AuthNotice tone="good">{t('reset.doneBody')}</AuthNotice>
        <div className="auth-actions">
          <Link className="button button-primary" to="/sign-in">{t('reset.toSignIn')}</Link>
        </div>
      </AuthFrame>
    );
  }

  if (submit.error instanceof ApiError && LINK_ERRORS.has(submit.error.code)) {
    return (
      <AuthFrame title={t('reset.title')}>
        <ExpiredLink code={submit.error.code} />
      </AuthFrame>
    );
  }

  return (
    <AuthFrame title={t('reset.title')}>
      <form onSubmit={onSubmit}>
        <TextField
          label={t('reset.newPassword')}
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
        <TextField
          label={t('reset.repeatPassword')}
          type="password"
          name="repeat-password"
          autoComplete="new-password"
          required
          error={mismatch ? t('reset.mismatch') : null}
          value={repeated}
          onChange={(event) => setRepeated(event.target.value)}
        />
        <AreaFormError error={submit.error} namespace="auth" />
        <button type="submit" className="button button-primary" disabled={submit.isPending}>
          {submit.isPending ? t('reset.submitting') : t('reset.submit')}
        </button>
      </form>
    </AuthFrame>
  );
}

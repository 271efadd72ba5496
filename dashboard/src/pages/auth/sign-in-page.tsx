import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { sendVerificationEmail, signIn } from '../../api/auth.ts';
import { ApiError } from '../../api/client.ts';
import { SESSION_QUERY_KEY, useRefreshSession, useSession } from '../../api/session.ts';
import { AreaFormError } from '../../components/area-error.tsx';
import { TextField } from '../../components/field.tsx';
import { Loading } from '../../components/states.tsx';
import { AuthFrame, AuthNotice } from './auth-frame.tsx';
import { safeNextPath } from './auth-rules.ts';

export default function SignInPage() {
  const { t } = useTranslation('auth');
  const session = useSession();
  const refreshSession = useRefreshSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // Once this page signs the user in, it chooses where to go (not the signed-in redirect below).
  const signingIn = useRef(false);
  const submit = useMutation({
    mutationFn: signIn,
    onSuccess: async () => {
      signingIn.current = true;
      await refreshSession();
      navigate(next, { replace: true });
    },
  });
  const resend = useMutation({ mutationFn: sendVerificationEmail });
  const client = useQueryClient();
  const justDeleted = params.get('deleted') === '1';
  // After an account deletion the cached session is stale: read it again before trusting it.
  const [sessionChecked, setSessionChecked] = useState(!justDeleted);
  useEffect(() => {
    if (!justDeleted) return;
    // Nothing of the deleted account stays in this tab's memory for whoever signs in next.
    client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_QUERY_KEY[0] });
    void refreshSession().finally(() => setSessionChecked(true));
  }, []); // once, on arrival from the deletion

  if (sessionChecked && session.data && !signingIn.current) return <Navigate to="/" replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    resend.reset();
    submit.mutate({ email: email.trim(), password });
  };
  const notVerified = submit.error instanceof ApiError && submit.error.code === 'email_not_verified';

  return (
    <AuthFrame title={t('signIn.title')}>
      {session.isPending || !sessionChecked ? (
        <Loading />
      ) : (
        <>
          {justDeleted ? <AuthNotice tone="good">{t('signIn.accountDeleted')}</AuthNotice> : null}
          {params.get('reset') === '1' ? <AuthNotice tone="good">{t('signIn.passwordChanged')}</AuthNotice> : null}
          <form onSubmit={onSubmit}>
            <TextField
              label={t('fields.email')}
              type="email"
              name="email"
              autoComplete="email"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
            <TextField
              label={t('fields.password')}
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            <AreaFormError error={submit.error} namespace="auth" />
            {notVerified ? (
              <div className="auth-inline-action">
                {resend.isSuccess ? (
                  <AuthNotice tone="good">{t('verify.sentAgain', { email: email.trim() })}</AuthNotice>
                ) : (
                  <button type="button" className="button" disabled={resend.isPending} onClick={() => resend.mutate(email.trim())}>
                    {resend.isPending ? t('verify.sending') : t('verify.sendAgain')}
                  </button>
                )}
                <AreaFormError error={resend.error} namespace="auth" />
              </div>
            ) : null}
            <button type="submit" className="button button-primary" disabled={submit.isPending}>
              {submit.isPending ? t('signIn.submitting') : t('signIn.submit')}
            </button>
          </form>
          <nav className="auth-links" aria-label={t('otherPages')}>
            <Link to="/forgot-password">{t('signIn.forgot')}</Link>
            <span>
              {t('signIn.noAccount')} <Link to="/sign-up">{t('signIn.signUp')}</Link>
            </span>
          </nav>
        </>
      )}
    </AuthFrame>
  );
}

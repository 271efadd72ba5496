import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useSession } from '../../api/session.ts';
import { Loading } from '../../components/states.tsx';
import { AuthFrame, AuthNotice } from './auth-frame.tsx';
import { ResendVerification } from './resend-verification.tsx';

/**
 * Where the verification email's link lands: better-auth verifies the token at
 * /api/auth/verify-email and redirects here with `verified=1`, or with `error=<CODE>` (e.g.
 * TOKEN_EXPIRED, INVALID_TOKEN) appended to the same address on failure. The link signs nobody in
 * (a link that did would let an attacker sign a victim in to the attacker's account), so a visitor
 * without a session is asked to sign in next.
 */
export default function VerifyEmailPage() {
  const { t, i18n } = useTranslation('auth');
  const [params] = useSearchParams();
  const session = useSession();
  const error = params.get('error');
  const signedInEmail = session.data?.user.email ?? null;

  if (session.isPending) {
    return (
      <AuthFrame title={t('verify.title')}>
        <Loading />
      </AuthFrame>
    );
  }

  // The error wins: better-auth keeps `verified=1` from the callback address when it adds `error`.
  if (error) {
    const key = `auth:errors.${error.toLowerCase()}`;

    return (
      <AuthFrame title={t('verify.failedTitle')}>
        <p className="form-error" role="alert">
          {i18n.exists(key) ? t(key) : t('verify.failedBody')}
        </p>
        <p>{signedInEmail ? t('verify.askAgainSignedIn', { email: signedInEmail }) : t('verify.askAgain')}</p>
        <ResendVerification email={signedInEmail} />
        {signedInEmail ? null : (
          <p className="auth-links">
            <Link to="/sign-in">{t('verify.toSignIn')}</Link>
          </p>
        )}
      </AuthFrame>
    );
  }

  if (params.get('verified') === '1' || session.data?.user.emailVerified) {
    return (
      <AuthFrame title={t('verify.doneTitle')}>
        <AuthNotice tone="good">{t('verify.doneBody')}</AuthNotice>
        <div className="auth-actions">
          {session.data ? (
            <Link className="button button-primary" to="/setup">{t('verify.continue')}</Link>
          ) : (
            <Link className="button button-primary" to={`/sign-in?next=${encodeURIComponent('/setup')}`}>{t('verify.signInToContinue')}</Link>
          )}
        </div>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame title={t('verify.title')}>
      <p>{signedInEmail ? t('verify.pendingSignedIn', { email: signedInEmail }) : t('verify.pending')}</p>
      <ResendVerification email={signedInEmail} />
      {signedInEmail ? null : (
        <p className="auth-links">
          <Link to="/sign-in">{t('verify.toSignIn')}</Link>
        </p>
      )}
    </AuthFrame>
  );
}

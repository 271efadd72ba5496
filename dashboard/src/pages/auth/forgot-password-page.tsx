import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { requestPasswordReset } from '../../api/auth.ts';
import { AreaFormError } from '../../components/area-error.tsx';
import { TextField } from '../../components/field.tsx';
import { AuthFrame, AuthNotice } from './auth-frame.tsx';

export default function ForgotPasswordPage() {
  const { t } = useTranslation('auth');
  const [email, setEmail] = useState('');
  const submit = useMutation({ mutationFn: requestPasswordReset });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate(email.trim());
  };

  return (
    <AuthFrame title={t('forgot.title')}>
      {submit.isSuccess ? (
        // Worded the same whether or not the address has an account: nobody learns who is a customer.
        <AuthNotice tone="good">
          <p>{t('forgot.sent', { email: email.trim() })}</p>
          <p className="muted">{t('forgot.sentHint')}</p>
        </AuthNotice>
      ) : (
        <form onSubmit={onSubmit}>
          <p className="muted">{t('forgot.intro')}</p>
          <TextField label={t('fields.email')} type="email" name="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
          <AreaFormError error={submit.error} namespace="auth" />
          <button type="submit" className="button button-primary" disabled={submit.isPending}>
            {submit.isPending ? t('forgot.submitting') : t('forgot.submit')}
          </button>
        </form>
      )}
      <nav className="auth-links" aria-label={t('otherPages')}>
        <Link to="/sign-in">{t('forgot.backToSignIn')}</Link>
      </nav>
    </AuthFrame>
  );
}

import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { sendVerificationEmail } from '../../api/auth.ts';
import { AreaFormError } from '../../components/area-error.tsx';
import { TextField } from '../../components/field.tsx';
import { AuthNotice } from './auth-frame.tsx';

/**
 * Sends the verification link again: to the signed-in user's address when it is known, else to the
 * address typed here (better-auth answers the same whether or not such an account exists).
 */
export const ResendVerification = ({ email, label }: { email?: string | null; label?: string }) => {
  const { t } = useTranslation('auth');
  const [typed, setTyped] = useState('');
  const resend = useMutation({ mutationFn: sendVerificationEmail });
  const address = (email ?? typed).trim();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (address) resend.mutate(address);
  };

  return (
    <form className="resend-verification" onSubmit={onSubmit}>
      {email ? null : (
        <TextField label={t('fields.email')} type="email" name="email" autoComplete="email" required value={typed} onChange={(event) => setTyped(event.target.value)} />
      )}
      {resend.isSuccess ? <AuthNotice tone="good">{t('verify.sentAgain', { email: address })}</AuthNotice> : null}
      <AreaFormError error={resend.error} namespace="auth" />
      <div>
        <button type="submit" className="button" disabled={resend.isPending}>
          {resend.isPending ? t('verify.sending') : (label ?? t('verify.sendNew'))}
        </button>
      </div>
    </form>
  );
};

import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { deleteAccount } from '../../api/account.ts';
import { ApiError, rememberCsrfToken } from '../../api/client.ts';
import { AreaFormError } from '../../components/area-error.tsx';
import { CheckboxField, TextField } from '../../components/field.tsx';
import { Card } from '../../components/page.tsx';
import { isLanguage, rememberLanguageOverride } from '../../i18n/i18n.ts';

/** Deletes the account and everything in it, after the password again and an explicit "I understand". */
export const DeleteAccountSection = () => {
  const { t, i18n } = useTranslation('settings');
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [understood, setUnderstood] = useState(false);
  const remove = useMutation({
    mutationFn: deleteAccount,
    onSuccess: () => {
      // The sign-in page reads the session again (now gone) and drops what this tab still holds.
      rememberCsrfToken(null);
      // Signed out, the page would fall back to the browser's language: keep the merchant's.
      if (isLanguage(i18n.language)) rememberLanguageOverride(i18n.language);
      navigate('/sign-in?deleted=1', { replace: true });
    },
  });
  // A wrong password is a 401 `wrong_password`; a lapsed session is a 401 `unauthorized`, shown as an error of the form.
  const wrongPassword = remove.error instanceof ApiError && remove.error.code === 'wrong_password';
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (understood && password) remove.mutate(password);
  };

  return (
    <Card title={t('delete.title')} className="settings-danger">
      <form onSubmit={onSubmit} className="settings-form">
        <p>{t('delete.intro')}</p>
        <p className="muted">{t('delete.exportFirst')}</p>
        <TextField
          label={t('delete.password')}
          type="password"
          name="current-password"
          autoComplete="current-password"
          required
          value={password}
          error={wrongPassword ? t('delete.wrongPassword') : null}
          onChange={(event) => {
            if (wrongPassword) remove.reset();
            setPassword(event.target.value);
          }}
        />
        <CheckboxField label={t('delete.understand')} name="understand" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} />
        {wrongPassword ? null : <AreaFormError error={remove.error} namespace="settings" />}
        <div>
          <button type="submit" className="button button-danger" disabled={!understood || !password || remove.isPending}>
            {remove.isPending ? t('delete.deleting') : t('delete.submit')}
          </button>
        </div>
      </form>
    </Card>
  );
};

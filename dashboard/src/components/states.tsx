import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';

/** Shown while a page's data loads; announced to screen readers. */
export const Loading = ({ label }: { label?: string }) => {
  const { t } = useTranslation();

  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('loading')}</span>
    </div>
  );
};

/** The message of an API error in the user's language when we know its code, else the server's words. */
export const useErrorMessage = () => {
  const { t, i18n } = useTranslation();

  return (error: unknown): string => {
    if (error instanceof ApiError) {
      const key = `errors.${error.code}`;
      return i18n.exists(key) ? t(key) : error.message;
    }

    return t('errors.unexpected');
  };
};

export const ErrorState = ({ error, onRetry }: { error: unknown; onRetry?: () => void }) => {
  const { t } = useTranslation();
  const message = useErrorMessage();

  return (
    <div className="state state-error" role="alert">
      <p>{message(error)}</p>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          {t('retry')}
        </button>
      ) : null}
    </div>
  );
};

export const EmptyState = ({ title, children }: { title: string; children?: ReactNode }) => (
  <div className="state state-empty">
    <p className="state-title">{title}</p>
    {children}
  </div>
);

/** An inline error under a form, from the API's {error:{code,message}}. */
export const FormError = ({ error }: { error: unknown }) => {
  const message = useErrorMessage();
  if (!error) return null;

  return (
    <p className="form-error" role="alert">
      {message(error)}
    </p>
  );
};

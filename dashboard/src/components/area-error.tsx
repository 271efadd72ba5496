import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { useErrorMessage } from './states.tsx';

/**
 * Like useErrorMessage, but an area's own wording comes first: `<namespace>:errors.<code>` (better-auth
 * codes arrive lowercased; the verify and reset links carry them in capitals), then the shared
 * `errors.<code>`, then the server's message. A 429 is "too many attempts" whatever its body says.
 */
export const useAreaErrorMessage = (namespace: string) => {
  const { t, i18n } = useTranslation(namespace);
  const shared = useErrorMessage();

  return (error: unknown): string => {
    if (error instanceof ApiError) {
      if (error.status === 429) return t('common:errors.rate_limited');
      const key = `${namespace}:errors.${error.code.toLowerCase()}`;
      if (i18n.exists(key)) return t(key);
    }

    return shared(error);
  };
};

/** An inline form error worded by an area's namespace first (see useAreaErrorMessage). */
export const AreaFormError = ({ error, namespace }: { error: unknown; namespace: string }) => {
  const message = useAreaErrorMessage(namespace);
  if (!error) return null;

  return (
    <p className="form-error" role="alert">
      {message(error)}
    </p>
  );
};

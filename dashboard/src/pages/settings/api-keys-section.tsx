import { useMutation, useQueryClient } from '@tanstack/react-query';
import { KeyRound } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  API_KEY_SCOPES,
  API_KEYS_QUERY_KEY,
  createApiKey,
  DEFAULT_API_KEY_SCOPES,
  revokeApiKey,
  useApiKeys,
  type ApiKey,
  type ApiKeyScope,
  type CreatedApiKey,
} from '../../api/api-keys.ts';
import { AreaFormError } from '../../components/area-error.tsx';
import { CopyField } from '../../components/copy-button.tsx';
import { CheckboxField, TextField } from '../../components/field.tsx';
import { Card } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { useFormat } from '../../i18n/format.ts';

/** Locale keys cannot hold ':' (i18next's namespace separator). */
const scopeKey = (scope: ApiKeyScope): string => scope.replace(':', '_');

/** The key, once: after "done" (or leaving the page) nobody can read it again, not even the server. */
const NewKey = ({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) => {
  const { t } = useTranslation('settings');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);

  return (
    <div className="settings-new-key" aria-labelledby="new-key-title">
      <h3 id="new-key-title" ref={heading} tabIndex={-1}>
        {t('apiKeys.createdTitle', { name: created.name })}
      </h3>
      <p className="settings-warning">
        <strong>{t('apiKeys.onlyOnce')}</strong>
      </p>
      <CopyField label={t('apiKeys.keyLabel')} value={created.key} />
      <p className="muted">{t('apiKeys.howToUse')}</p>
      <div>
        <button type="button" className="button" onClick={onDone}>
          {t('apiKeys.copiedDone')}
        </button>
      </div>
    </div>
  );
};

const KeyRow = ({ apiKey }: { apiKey: ApiKey }) => {
  const { t } = useTranslation('settings');
  const format = useFormat();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const confirmation = useRef<HTMLDivElement>(null);
  // Keyboard and screen-reader users land on the question, not on a button that has vanished.
  useEffect(() => {
    if (confirming) confirmation.current?.focus();
  }, [confirming]);
  const revoke = useMutation({
    mutationFn: () => revokeApiKey(apiKey.id),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: API_KEYS_QUERY_KEY });
    },
  });

  return (
    <tr>
      <td>{apiKey.name}</td>
      <td>
        <code dir="ltr">{`${apiKey.prefix}…`}</code>
      </td>
      <td>{apiKey.scopes.map((scope) => t(`apiKeys.scopeNames.${scopeKey(scope)}`)).join(', ')}</td>
      <td>{format.date(apiKey.createdAt)}</td>
      <td>{apiKey.lastUsedAt ? format.dateTime(apiKey.lastUsedAt) : t('apiKeys.neverUsed')}</td>
      <td>
        {confirming ? (
          <div className="settings-confirm" role="group" aria-label={t('apiKeys.confirmLabel', { name: apiKey.name })} tabIndex={-1} ref={confirmation}>
            <p>{t('apiKeys.confirm', { name: apiKey.name })}</p>
            <div className="row">
              <button type="button" className="button button-danger button-small" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
                {revoke.isPending ? t('apiKeys.revoking') : t('apiKeys.revokeNow')}
              </button>
              <button type="button" className="button button-small" onClick={() => { revoke.reset(); setConfirming(false); }}>
                {t('common:cancel')}
              </button>
            </div>
            <AreaFormError error={revoke.error} namespace="settings" />
          </div>
        ) : (
          <button type="button" className="button button-small" onClick={() => setConfirming(true)} aria-label={t('apiKeys.revokeLabel', { name: apiKey.name })}>
            {t('apiKeys.revoke')}
          </button>
        )}
      </td>
    </tr>
  );
};

/** API keys for integrations: list, create (the key is shown once), revoke with confirmation. */
export const ApiKeysSection = () => {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const keys = useApiKeys();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<readonly ApiKeyScope[]>(DEFAULT_API_KEY_SCOPES);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const create = useMutation({
    mutationFn: createApiKey,
    onSuccess: async (key) => {
      setCreated(key);
      setName('');
      setScopes(DEFAULT_API_KEY_SCOPES);
      await client.invalidateQueries({ queryKey: API_KEYS_QUERY_KEY });
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (scopes.length === 0) return;
    create.mutate({ name: name.trim(), scopes });
  };
  const toggle = (scope: ApiKeyScope, isChecked: boolean) =>
    setScopes((current) => API_KEY_SCOPES.filter((each) => (each === scope ? isChecked : current.includes(each))));

  return (
    <Card title={t('apiKeys.title')}>
      <div className="stack settings-stack">
        <p className="muted">{t('apiKeys.intro')}</p>
        {created ? <NewKey created={created} onDone={() => setCreated(null)} /> : null}
        {keys.isPending ? <Loading /> : null}
        {keys.isError ? <ErrorState error={keys.error} onRetry={() => void keys.refetch()} /> : null}
        {keys.data && keys.data.length === 0 ? (
          <EmptyState title={t('apiKeys.emptyTitle')}>
            <p className="muted">{t('apiKeys.emptyBody')}</p>
          </EmptyState>
        ) : null}
        {keys.data && keys.data.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('apiKeys.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('apiKeys.columns.name')}</th>
                  <th scope="col">{t('apiKeys.columns.prefix')}</th>
                  <th scope="col">{t('apiKeys.scopesColumn')}</th>
                  <th scope="col">{t('apiKeys.columns.created')}</th>
                  <th scope="col">{t('apiKeys.columns.lastUsed')}</th>
                  <th scope="col"><span className="visually-hidden">{t('apiKeys.columns.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {keys.data.map((apiKey) => (
                  <KeyRow key={apiKey.id} apiKey={apiKey} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <form onSubmit={onSubmit} className="settings-inline-form">
          <TextField
            label={t('apiKeys.name')}
            hint={t('apiKeys.nameHint')}
            name="api-key-name"
            autoComplete="off"
            required
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
          <fieldset className="fieldset">
            <legend>{t('apiKeys.scopesLegend')}</legend>
            <p className="field-hint">{t('apiKeys.scopesHint')}</p>
            {API_KEY_SCOPES.map((scope) => (
              <CheckboxField
                key={scope}
                name="api-key-scopes"
                value={scope}
                label={t(`apiKeys.scopes.${scopeKey(scope)}`)}
                checked={scopes.includes(scope)}
                onChange={(event) => toggle(scope, event.target.checked)}
              />
            ))}
            {scopes.length === 0 ? (
              <p className="field-error" role="alert">
                {t('apiKeys.scopesRequired')}
              </p>
            ) : null}
          </fieldset>
          <AreaFormError error={create.error} namespace="settings" />
          <div>
            <button type="submit" className="button button-primary" disabled={create.isPending || scopes.length === 0}>
              <KeyRound size={16} aria-hidden="true" />
              <span>{create.isPending ? t('apiKeys.creating') : t('apiKeys.create')}</span>
            </button>
          </div>
        </form>
      </div>
    </Card>
  );
};

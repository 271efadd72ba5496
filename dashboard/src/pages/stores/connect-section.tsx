import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  fieldErrorsFrom,
  generateWebhookSecret,
  MAXIMUM_WEBHOOK_SECRETS,
  MINIMUM_WEBHOOK_SECRET_LENGTH,
  SECRET_SOURCE,
  useUpdateStore,
  type Store,
} from '../../api/stores.ts';
import { CopyButton, CopyField } from '../../components/copy-button.tsx';
import { TextField } from '../../components/field.tsx';
import { FormError } from '../../components/states.tsx';

const Steps = ({ store }: { store: Store }) => {
  const { t } = useTranslation('stores');
  const steps = t(`connect.steps.${store.platform}`, { returnObjects: true }) as unknown;

  return (
    <ol className="connect-steps">
      {Array.isArray(steps) ? steps.map((step, index) => <li key={index}>{String(step)}</li>) : null}
    </ol>
  );
};

/** Shopify answers no secret until the merchant pastes the one Shopify signs with. */
const PasteFirstSecret = ({ store }: { store: Store }) => {
  const { t } = useTranslation('stores');
  const update = useUpdateStore(store.id);
  const [secret, setSecret] = useState('');
  const errors = fieldErrorsFrom(update.error, ['webhookSecrets']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ webhookSecrets: [secret.trim()] }, { onSuccess: () => setSecret('') });
  };

  return (
    <form className="secret-paste" onSubmit={submit}>
      <p className="notice-warning" role="note">{t('connect.secretMissing', { platform: t(`platforms.${store.platform}`) })}</p>
      <TextField
        label={t('connect.pasteSecret', { platform: t(`platforms.${store.platform}`) })}
        hint={t(`create.platformSecretHint.${store.platform}`)}
        required
        minLength={MINIMUM_WEBHOOK_SECRET_LENGTH}
        autoComplete="off"
        spellCheck={false}
        dir="ltr"
        value={secret}
        error={errors.fields.webhookSecrets ?? null}
        onChange={(event) => setSecret(event.target.value)}
      />
      {errors.rest.length > 0 ? <FormError error={update.error} /> : null}
      <div className="row">
        <button type="submit" className="button button-primary" disabled={update.isPending}>
          {update.isPending ? t('common:saving') : t('connect.saveSecret')}
        </button>
      </div>
    </form>
  );
};

/** Rotation: add the new secret (it becomes the current one), and remove the old one once the platform uses the new one. */
const SecretRotation = ({ store }: { store: Store }) => {
  const { t } = useTranslation('stores');
  const update = useUpdateStore(store.id);
  const [secret, setSecret] = useState('');
  const errors = fieldErrorsFrom(update.error, ['webhookSecrets']);
  const source = SECRET_SOURCE[store.platform];
  const full = store.webhookSecrets.length >= MAXIMUM_WEBHOOK_SECRETS;

  const add = (event: FormEvent) => {
    event.preventDefault();
    const value = secret.trim();
    if (!value) return;
    update.mutate({ webhookSecrets: [value, ...store.webhookSecrets.filter((existing) => existing !== value)] }, { onSuccess: () => setSecret('') });
  };
  const remove = (old: string) => update.mutate({ webhookSecrets: store.webhookSecrets.filter((existing) => existing !== old) });

  return (
    <details className="secret-rotation">
      <summary>{t('connect.rotation.title')}</summary>
      <div className="stack">
        <p className="muted">{t(`connect.rotation.explain.${source}`)}</p>
        <ul className="secret-list">
          {store.webhookSecrets.map((existing, index) => (
            <li key={existing} className="secret-item">
              <code dir="ltr">{existing}</code>
              <span className="secret-item-actions">
                {index === 0 ? <span className="badge badge-good">{t('connect.rotation.current')}</span> : null}
                <CopyButton value={existing} label={t('connect.rotation.copy', { position: index + 1 })} />
                <button
                  type="button"
                  className="button button-small"
                  disabled={store.webhookSecrets.length <= 1 || update.isPending}
                  onClick={() => remove(existing)}
                  aria-label={t('connect.rotation.removeLabel', { position: index + 1 })}
                >
                  {t('connect.rotation.remove')}
                </button>
              </span>
            </li>
          ))}
        </ul>
        <form onSubmit={add} className="stack">
          <TextField
            label={t('connect.rotation.newSecret')}
            hint={full ? t('connect.rotation.full', { maximum: MAXIMUM_WEBHOOK_SECRETS }) : t(`connect.rotation.newHint.${source}`)}
            required
            minLength={MINIMUM_WEBHOOK_SECRET_LENGTH}
            autoComplete="off"
            spellCheck={false}
            dir="ltr"
            disabled={full}
            value={secret}
            error={errors.fields.webhookSecrets ?? null}
            onChange={(event) => setSecret(event.target.value)}
          />
          {errors.rest.length > 0 ? <FormError error={update.error} /> : null}
          <div className="row">
            {source !== 'platform' ? (
              <button type="button" className="button" disabled={full} onClick={() => setSecret(generateWebhookSecret(store.platform))}>
                {t('connect.rotation.generate')}
              </button>
            ) : null}
            <button type="submit" className="button button-primary" disabled={full || update.isPending}>
              {t('connect.rotation.add')}
            </button>
          </div>
        </form>
      </div>
    </details>
  );
};

/** Where to paste the webhook URL and secret, for this store's platform. */
export const ConnectSection = ({ store }: { store: Store }) => {
  const { t } = useTranslation('stores');
  const source = SECRET_SOURCE[store.platform];

  return (
    <section className="card store-section" id="connect" aria-labelledby="connect-title">
      <h2 className="card-title" id="connect-title">{t('connect.title')}</h2>
      <p className="muted">{t(`connect.intro.${source}`, { platform: t(`platforms.${store.platform}`) })}</p>
      <CopyField label={t('connect.webhookUrl')} value={store.webhookUrl} />
      {store.webhookSecret === null ? (
        <PasteFirstSecret store={store} />
      ) : source !== 'url' ? (
        <CopyField label={t('connect.secret')} value={store.webhookSecret} />
      ) : (
        <p className="muted">{t('connect.tokenInUrl')}</p>
      )}
      <h3 className="section-subtitle">{t('connect.stepsTitle', { platform: t(`platforms.${store.platform}`) })}</h3>
      <Steps store={store} />
      {store.platform === 'generic' ? (
        <div className="muted">
          <p>{t('connect.genericMore')}</p>
          <ul className="row link-list">
            <li><a href="/api/v1/openapi.json">{t('connect.openapi')}</a></li>
            <li><a href="https://www.standardwebhooks.com/" rel="noreferrer" target="_blank">{t('connect.standardWebhooks')}</a></li>
          </ul>
        </div>
      ) : null}
      {store.webhookSecret !== null ? <SecretRotation store={store} /> : null}
    </section>
  );
};

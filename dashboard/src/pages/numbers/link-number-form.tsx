import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { NUMBER_PROVIDERS, useCreateNumber, type CreateNumberInput, type NumberProvider } from '../../api/numbers.ts';
import { fieldErrorsFrom } from '../../api/stores.ts';
import { toInternationalPhone } from '../../api/test-order.ts';
import { TextField } from '../../components/field.tsx';
import { FormError } from '../../components/states.tsx';

const CLOUD_FIELDS = ['phoneNumberId', 'accessToken', 'appSecret', 'verifyToken', 'businessAccountId'] as const;
type CloudField = (typeof CLOUD_FIELDS)[number];
const KNOWN_FIELDS = ['phone', ...CLOUD_FIELDS.map((field) => `cloud.${field}`)];

/** Any text works as Meta's verify token; a random one saves the merchant inventing it. */
const randomVerifyToken = (): string => Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, '0')).join('');

/** Adds a WhatsApp number: linked device (recommended), Cloud API credentials, or the simulator. */
export const LinkNumberForm = ({ onCancel }: { onCancel?: () => void }) => {
  const { t } = useTranslation('numbers');
  const navigate = useNavigate();
  const create = useCreateNumber();
  const [provider, setProvider] = useState<NumberProvider>('linked');
  const [phone, setPhone] = useState('');
  const [phoneProblem, setPhoneProblem] = useState<string | null>(null);
  const [cloud, setCloud] = useState<Record<CloudField, string>>(() => ({
    phoneNumberId: '',
    accessToken: '',
    appSecret: '',
    verifyToken: randomVerifyToken(),
    businessAccountId: '',
  }));
  const apiErrors = fieldErrorsFrom(create.error, KNOWN_FIELDS);
  const simulatorDisabled =
    create.error instanceof ApiError && create.error.code === 'bad_request' && provider === 'simulator' && /simulator/i.test(create.error.message);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPhoneProblem(null);
    const input: CreateNumberInput = { provider };
    if (provider === 'cloud') {
      const international = toInternationalPhone(phone);
      if (!international) {
        setPhoneProblem(t('link.phoneInvalid'));
        return;
      }
      input.phone = international;
      input.cloud = {
        phoneNumberId: cloud.phoneNumberId.trim(),
        accessToken: cloud.accessToken.trim(),
        appSecret: cloud.appSecret.trim(),
        verifyToken: cloud.verifyToken.trim(),
        ...(cloud.businessAccountId.trim() ? { businessAccountId: cloud.businessAccountId.trim() } : {}),
      };
    }
    try {
      const created = await create.mutateAsync(input);
      navigate(`/numbers/${encodeURIComponent(created.id)}`);
    } catch {
      // shown below from create.error
    }
  };

  const cloudInput = (field: CloudField, type: 'text' | 'password' = 'text') => (
    <TextField
      label={t(`link.cloud.${field}`)}
      hint={t(`link.cloud.${field}Hint`)}
      type={type}
      autoComplete="off"
      spellCheck={false}
      dir="ltr"
      required={field !== 'businessAccountId'}
      inputMode={field === 'phoneNumberId' || field === 'businessAccountId' ? 'numeric' : undefined}
      value={cloud[field]}
      error={apiErrors.fields[`cloud.${field}`] ?? null}
      onChange={(event) => setCloud((current) => ({ ...current, [field]: event.target.value }))}
    />
  );

  return (
    <form className="link-number-form" onSubmit={(event) => void submit(event)} aria-labelledby="link-number-title">
      <h2 id="link-number-title">{t('link.title')}</h2>
      <fieldset className="provider-choice">
        <legend>{t('link.providerQuestion')}</legend>
        {NUMBER_PROVIDERS.map((option) => (
          <label key={option} className={`provider-option${provider === option ? ' provider-option-selected' : ''}`}>
            <input type="radio" name="provider" value={option} checked={provider === option} onChange={() => setProvider(option)} />
            <span className="provider-option-text">
              <span className="provider-option-title">
                {t(`providers.${option}.title`)}
                {option === 'linked' ? <span className="badge badge-good">{t('link.recommended')}</span> : null}
              </span>
              <span className="provider-option-description">{t(`providers.${option}.description`)}</span>
            </span>
          </label>
        ))}
      </fieldset>

      {provider === 'linked' ? <p className="muted">{t('link.linkedNext')}</p> : null}
      {provider === 'simulator' ? <p className="muted">{t('link.simulatorNext')}</p> : null}
      {provider === 'cloud' ? (
        <div className="stack">
          <p className="muted">{t('link.cloud.intro')}</p>
          <TextField
            label={t('link.cloud.phone')}
            hint={t('link.cloud.phoneHint')}
            type="tel"
            autoComplete="tel"
            dir="ltr"
            required
            value={phone}
            error={phoneProblem ?? apiErrors.fields.phone ?? null}
            onChange={(event) => setPhone(event.target.value)}
          />
          {cloudInput('phoneNumberId')}
          {cloudInput('businessAccountId')}
          {cloudInput('accessToken', 'password')}
          {cloudInput('appSecret', 'password')}
          {cloudInput('verifyToken')}
        </div>
      ) : null}

      {simulatorDisabled ? (
        <p className="form-error" role="alert">{t('link.simulatorDisabled')}</p>
      ) : apiErrors.rest.length > 0 || (create.error && Object.keys(apiErrors.fields).length === 0) ? (
        <FormError error={create.error} />
      ) : null}
      <div className="row">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? t('link.submitting') : t(`link.submit.${provider}`)}
        </button>
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            {t('common:cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
};

import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useNumbers } from '../../api/numbers.ts';
import { fieldErrorsFrom, MINIMUM_WEBHOOK_SECRET_LENGTH, SECRET_SOURCE, useCreateStore, type CreateStoreInput } from '../../api/stores.ts';
import { isLanguage } from '../../i18n/i18n.ts';
import type { Language, Platform } from '../../api/types.ts';
import { TextField } from '../../components/field.tsx';
import { FormError } from '../../components/states.tsx';
import { browserTimezone, CountryField, countryFromTimezone, LanguageSelect, NumberSelect, PlatformSelect, TimezoneSelect } from './store-fields.tsx';

const KNOWN_FIELDS = ['name', 'platform', 'whatsappNumberId', 'defaultCountry', 'timezone', 'language', 'webhookSecret'];

/** Connects a store: name, platform, sending number, country, timezone, language (and the platform's secret when it makes one). */
export const CreateStoreForm = ({ onCancel }: { onCancel?: () => void }) => {
  const { t, i18n } = useTranslation('stores');
  const navigate = useNavigate();
  const create = useCreateStore();
  const numbers = useNumbers();
  const [name, setName] = useState('');
  const [platform, setPlatform] = useState<Platform>('shopify');
  // undefined until the merchant picks: a single number is then the obvious choice.
  const [numberId, setNumberId] = useState<string | null | undefined>(undefined);
  const [country, setCountry] = useState<string | null>(() => countryFromTimezone(browserTimezone()));
  const [timezone, setTimezone] = useState(browserTimezone);
  const [language, setLanguage] = useState<Language>(isLanguage(i18n.language) ? i18n.language : 'ar');
  const [secret, setSecret] = useState('');
  const errors = fieldErrorsFrom(create.error, KNOWN_FIELDS);
  const chosenNumber = numberId !== undefined ? numberId : numbers.data?.length === 1 ? (numbers.data[0]?.id ?? null) : null;
  const takesPlatformSecret = SECRET_SOURCE[platform] === 'platform';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input: CreateStoreInput = {
      name: name.trim(),
      platform,
      whatsappNumberId: chosenNumber,
      defaultCountry: country,
      timezone,
      language,
      ...(takesPlatformSecret && secret.trim() ? { webhookSecret: secret.trim() } : {}),
    };
    try {
      const created = await create.mutateAsync(input);
      navigate(`/stores/${encodeURIComponent(created.id)}`);
    } catch {
      // shown below from create.error
    }
  };

  return (
    <form className="create-store-form card" onSubmit={(event) => void submit(event)} aria-labelledby="create-store-title">
      <h2 id="create-store-title" className="card-title">{t('create.title')}</h2>
      <TextField label={t('fields.name')} hint={t('fields.nameHint')} required maxLength={200} value={name} error={errors.fields.name ?? null} onChange={(event) => setName(event.target.value)} />
      <PlatformSelect value={platform} onChange={(value) => setPlatform(value as Platform)} />
      {numbers.isError ? (
        <FormError error={numbers.error} />
      ) : (
        <NumberSelect numbers={numbers.data ?? []} value={chosenNumber} onChange={setNumberId} error={errors.fields.whatsappNumberId ?? null} />
      )}
      {numbers.data && numbers.data.length === 0 ? (
        <p className="muted">
          <Link to="/numbers?link=1">{t('create.linkNumberFirst')}</Link>
        </p>
      ) : null}
      <CountryField value={country} onChange={setCountry} error={errors.fields.defaultCountry ?? null} />
      <TimezoneSelect value={timezone} onChange={setTimezone} error={errors.fields.timezone ?? null} />
      <LanguageSelect label={t('fields.language')} value={language} onChange={setLanguage} error={errors.fields.language ?? null} />
      {takesPlatformSecret ? (
        <TextField
          label={t('create.platformSecret', { platform: t(`platforms.${platform}`) })}
          hint={t(`create.platformSecretHint.${platform}`)}
          autoComplete="off"
          spellCheck={false}
          dir="ltr"
          minLength={MINIMUM_WEBHOOK_SECRET_LENGTH}
          value={secret}
          error={errors.fields.webhookSecret ?? null}
          onChange={(event) => setSecret(event.target.value)}
        />
      ) : null}
      {errors.rest.length > 0 || (create.error && Object.keys(errors.fields).length === 0) ? <FormError error={create.error} /> : null}
      <div className="row">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? t('create.submitting') : t('create.submit')}
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

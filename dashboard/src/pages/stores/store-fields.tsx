import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhatsappNumber } from '../../api/numbers.ts';
import { PLATFORMS, type Language } from '../../api/types.ts';
import { SelectField, TextField } from '../../components/field.tsx';

/** The markets Akked is built for first; any other country is typed as its ISO code. */
export const MAIN_COUNTRIES = ['SA', 'AE', 'KW', 'QA', 'BH', 'OM', 'EG', 'JO', 'IQ', 'LB', 'PS', 'MA', 'DZ', 'TN', 'LY', 'FR'];
const OTHER_COUNTRY = 'other';

export const browserTimezone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};

const COUNTRY_OF_TIMEZONE: Record<string, string> = {
  'Asia/Riyadh': 'SA', 'Asia/Dubai': 'AE', 'Asia/Kuwait': 'KW', 'Asia/Qatar': 'QA', 'Asia/Bahrain': 'BH', 'Asia/Muscat': 'OM',
  'Africa/Cairo': 'EG', 'Asia/Amman': 'JO', 'Asia/Baghdad': 'IQ', 'Asia/Beirut': 'LB', 'Asia/Gaza': 'PS', 'Asia/Hebron': 'PS',
  'Africa/Casablanca': 'MA', 'Africa/Algiers': 'DZ', 'Africa/Tunis': 'TN', 'Africa/Tripoli': 'LY', 'Europe/Paris': 'FR',
};

/** A first guess at the store's country from the merchant's own timezone (they can change it). */
export const countryFromTimezone = (timezone: string): string | null => COUNTRY_OF_TIMEZONE[timezone] ?? null;

/** Every IANA zone the browser knows, plus UTC (which Intl leaves out of its list) and the current value. */
export const timezoneOptions = (current: string): string[] => {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const all = new Set(['UTC', ...zones]);
  if (current) all.add(current);

  return [...all];
};

export const LanguageSelect = ({ value, onChange, label, error }: { value: Language; onChange: (language: Language) => void; label: string; error?: string | null }) => {
  const { t } = useTranslation('stores');

  return (
    <SelectField label={label} hint={t('fields.languageHint')} value={value} error={error ?? null} onChange={(event) => onChange(event.target.value as Language)}>
      <option value="ar">{t('languages.ar')}</option>
      <option value="en">{t('languages.en')}</option>
      <option value="fr">{t('languages.fr')}</option>
    </SelectField>
  );
};

export const PlatformSelect = ({ value, onChange }: { value: string; onChange: (platform: string) => void }) => {
  const { t } = useTranslation('stores');

  return (
    <SelectField label={t('fields.platform')} value={value} onChange={(event) => onChange(event.target.value)}>
      {PLATFORMS.map((platform) => (
        <option key={platform} value={platform}>
          {t(`platforms.${platform}`)}
        </option>
      ))}
    </SelectField>
  );
};

export const TimezoneSelect = ({ value, onChange, error }: { value: string; onChange: (timezone: string) => void; error?: string | null }) => {
  const { t } = useTranslation('stores');
  // ~420 zones: the same option elements are reused between renders, so React skips them.
  const options = useMemo(
    () =>
      timezoneOptions(value).map((zone) => (
        <option key={zone} value={zone}>
          {zone.replace(/_/g, ' ')}
        </option>
      )),
    [value],
  );

  return (
    <SelectField label={t('fields.timezone')} hint={t('fields.timezoneHint')} value={value} error={error ?? null} onChange={(event) => onChange(event.target.value)}>
      {options}
    </SelectField>
  );
};

/** The store's default country: a list of the main markets with their names in the user's language, or an ISO code. */
export const CountryField = ({ value, onChange, error }: { value: string | null; onChange: (country: string | null) => void; error?: string | null }) => {
  const { t, i18n } = useTranslation('stores');
  const [typing, setTyping] = useState(() => value !== null && !MAIN_COUNTRIES.includes(value));
  const names = useMemo(() => {
    try {
      return new Intl.DisplayNames([i18n.language], { type: 'region' });
    } catch {
      return null;
    }
  }, [i18n.language]);
  const collator = useMemo(() => new Intl.Collator(i18n.language), [i18n.language]);
  const nameOf = (code: string) => names?.of(code) ?? code;
  const sorted = [...MAIN_COUNTRIES].sort((first, second) => collator.compare(nameOf(first), nameOf(second)));
  const selected = typing ? OTHER_COUNTRY : (value ?? '');

  return (
    <div className="country-field">
      <SelectField
        label={t('fields.country')}
        hint={t('fields.countryHint')}
        value={selected}
        error={typing ? null : (error ?? null)}
        onChange={(event) => {
          const choice = event.target.value;
          if (choice === OTHER_COUNTRY) {
            setTyping(true);
            onChange(null);
            return;
          }
          setTyping(false);
          onChange(choice === '' ? null : choice);
        }}
      >
        <option value="">{t('fields.countryNone')}</option>
        {sorted.map((code) => (
          <option key={code} value={code}>
            {nameOf(code)}
          </option>
        ))}
        <option value={OTHER_COUNTRY}>{t('fields.countryOther')}</option>
      </SelectField>
      {typing ? (
        <TextField
          label={t('fields.countryCode')}
          hint={t('fields.countryCodeHint')}
          value={value ?? ''}
          maxLength={2}
          autoComplete="off"
          dir="ltr"
          pattern="[A-Za-z]{2}"
          error={error ?? null}
          onChange={(event) => onChange(event.target.value.trim().toUpperCase() || null)}
        />
      ) : null}
    </div>
  );
};

/** The WhatsApp number that sends the store's messages; "none" is allowed (messages wait as failed). */
export const NumberSelect = ({
  numbers,
  value,
  onChange,
  error,
}: {
  numbers: WhatsappNumber[];
  value: string | null;
  onChange: (numberId: string | null) => void;
  error?: string | null;
}) => {
  const { t } = useTranslation('stores');
  const { t: common } = useTranslation();

  return (
    <SelectField
      label={t('fields.number')}
      hint={numbers.length === 0 ? t('fields.numberNone') : t('fields.numberHint')}
      value={value ?? ''}
      error={error ?? null}
      onChange={(event) => onChange(event.target.value || null)}
    >
      <option value="">{t('fields.numberUnset')}</option>
      {numbers.map((number) => (
        <option key={number.id} value={number.id}>
          {`${number.phone ? `\u2066${number.phone}\u2069` : t('fields.numberUnlinked')} · ${common(`status.number.${number.status}`)}`}
        </option>
      ))}
    </SelectField>
  );
};

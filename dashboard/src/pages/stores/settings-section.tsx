import { Minus, Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhatsappNumber } from '../../api/numbers.ts';
import { fieldErrorsFrom, TEMPLATE_VARIABLES, useUpdateStore, type Store, type TemplateVariable, type UpdateStoreInput } from '../../api/stores.ts';
import type { Language } from '../../api/types.ts';
import { CheckboxField, SelectField, TextField } from '../../components/field.tsx';
import { FormError } from '../../components/states.tsx';
import { useFormat } from '../../i18n/format.ts';
import { CountryField, LanguageSelect, NumberSelect, TimezoneSelect } from './store-fields.tsx';

/** Field paths as the API names them in validation messages (`body.settings.<path>: ...`). */
export const SETTINGS_FIELDS = [
  'name', 'whatsappNumberId', 'defaultCountry', 'timezone', 'language',
  'codOnly', 'minimumTotal', 'sendDelayMinutes',
  'quietHours', 'quietHours.start', 'quietHours.end',
  'reminders', 'reminders.count', 'reminders.afterMinutes',
  'autoCancelAfterMinutes',
  'cloudFallback', 'cloudFallback.whatsappNumberId', 'cloudFallback.templateName', 'cloudFallback.languageCode', 'cloudFallback.parameters',
];

type Draft = {
  name: string;
  whatsappNumberId: string | null;
  defaultCountry: string | null;
  timezone: string;
  language: Language;
  codOnly: boolean;
  minimumTotal: string;
  sendDelayMinutes: string;
  quietHoursOn: boolean;
  quietStart: string;
  quietEnd: string;
  reminderCount: string;
  reminderAfterMinutes: string;
  autoCancelOn: boolean;
  autoCancelAfterMinutes: string;
  fallbackOn: boolean;
  fallbackNumberId: string;
  fallbackTemplateName: string;
  fallbackLanguageCode: string;
  fallbackParameters: TemplateVariable[];
};

const draftOf = (store: Store): Draft => ({
  name: store.name,
  whatsappNumberId: store.whatsappNumberId,
  defaultCountry: store.defaultCountry,
  timezone: store.timezone,
  language: store.language,
  codOnly: store.settings.codOnly,
  minimumTotal: store.settings.minimumTotal ?? '',
  sendDelayMinutes: String(store.settings.sendDelayMinutes),
  quietHoursOn: store.settings.quietHours !== null,
  quietStart: store.settings.quietHours?.start ?? '22:00',
  quietEnd: store.settings.quietHours?.end ?? '08:00',
  reminderCount: String(store.settings.reminders.count),
  reminderAfterMinutes: String(store.settings.reminders.afterMinutes),
  autoCancelOn: store.settings.autoCancelAfterMinutes !== null,
  autoCancelAfterMinutes: String(store.settings.autoCancelAfterMinutes ?? 1440),
  fallbackOn: store.settings.cloudFallback !== null,
  fallbackNumberId: store.settings.cloudFallback?.whatsappNumberId ?? '',
  fallbackTemplateName: store.settings.cloudFallback?.templateName ?? '',
  fallbackLanguageCode: store.settings.cloudFallback?.languageCode ?? store.language,
  fallbackParameters: store.settings.cloudFallback?.parameters ?? ['customer_name', 'order_number', 'total', 'items'],
});

/** A whole number, else NaN (sent as null): the browser's own checks usually stop that first, the API's message otherwise. */
const whole = (text: string): number => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN);

const toRequest = (draft: Draft): UpdateStoreInput => ({
  name: draft.name.trim(),
  whatsappNumberId: draft.whatsappNumberId,
  defaultCountry: draft.defaultCountry,
  timezone: draft.timezone,
  language: draft.language,
  settings: {
    codOnly: draft.codOnly,
    minimumTotal: draft.minimumTotal.trim() === '' ? null : draft.minimumTotal.trim(),
    sendDelayMinutes: whole(draft.sendDelayMinutes),
    quietHours: draft.quietHoursOn ? { start: draft.quietStart, end: draft.quietEnd } : null,
    reminders: { count: whole(draft.reminderCount), afterMinutes: whole(draft.reminderAfterMinutes) },
    autoCancelAfterMinutes: draft.autoCancelOn ? whole(draft.autoCancelAfterMinutes) : null,
    cloudFallback: draft.fallbackOn
      ? {
          whatsappNumberId: draft.fallbackNumberId,
          templateName: draft.fallbackTemplateName.trim(),
          languageCode: draft.fallbackLanguageCode.trim(),
          parameters: draft.fallbackParameters,
        }
      : null,
  },
});

const MinutesHint = ({ minutes, text }: { minutes: string; text: string }) => {
  const format = useFormat();
  const value = whole(minutes);

  return (
    <>
      {text}
      {Number.isFinite(value) && value >= 60 ? ` (${format.duration(value * 60)})` : null}
    </>
  );
};

const FallbackParameters = ({ value, onChange, error }: { value: TemplateVariable[]; onChange: (parameters: TemplateVariable[]) => void; error?: string }) => {
  const { t } = useTranslation('stores');

  return (
    <fieldset className="fieldset">
      <legend>{t('settings.fallback.parameters')}</legend>
      <p className="field-hint">{t('settings.fallback.parametersHint')}</p>
      <ol className="parameter-list">
        {value.map((parameter, index) => (
          <li key={index} className="row">
            <SelectField
              label={t('settings.fallback.parameter', { position: index + 1 })}
              value={parameter}
              onChange={(event) => onChange(value.map((current, position) => (position === index ? (event.target.value as TemplateVariable) : current)))}
            >
              {TEMPLATE_VARIABLES.map((variable) => (
                <option key={variable} value={variable}>
                  {t(`templates.variables.${variable}`)}
                </option>
              ))}
            </SelectField>
            <button
              type="button"
              className="button button-small"
              aria-label={t('settings.fallback.removeParameter', { position: index + 1 })}
              onClick={() => onChange(value.filter((_current, position) => position !== index))}
            >
              <Minus size={16} aria-hidden="true" />
            </button>
          </li>
        ))}
      </ol>
      {value.length < 10 ? (
        <button type="button" className="button button-small" onClick={() => onChange([...value, 'customer_name'])}>
          <Plus size={16} aria-hidden="true" />
          {t('settings.fallback.addParameter')}
        </button>
      ) : null}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
    </fieldset>
  );
};

/** Every store setting of DESIGN.md §5.3, saved in one PATCH; the API's validation messages land at their field. */
export const SettingsSection = ({ store, numbers }: { store: Store; numbers: WhatsappNumber[] }) => {
  const { t } = useTranslation('stores');
  const update = useUpdateStore(store.id);
  const [draft, setDraft] = useState(() => draftOf(store));
  const [saved, setSaved] = useState(false);
  const errors = fieldErrorsFrom(update.error, SETTINGS_FIELDS);
  const field = (path: string) => errors.fields[path] ?? null;
  const set = <Key extends keyof Draft>(key: Key, value: Draft[Key]) => {
    setSaved(false);
    setDraft((current) => ({ ...current, [key]: value }));
  };
  const cloudNumbers = numbers.filter((number) => number.provider === 'cloud');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    update.mutate(toRequest(draft), {
      onSuccess: (updated) => {
        setDraft(draftOf(updated));
        setSaved(true);
      },
    });
  };

  return (
    <section className="card store-section" id="settings" aria-labelledby="settings-title">
      <h2 className="card-title" id="settings-title">{t('settings.title')}</h2>
      <form onSubmit={submit} className="settings-form">
        <fieldset className="fieldset">
          <legend>{t('settings.groups.store')}</legend>
          <TextField label={t('fields.name')} required maxLength={200} value={draft.name} error={field('name')} onChange={(event) => set('name', event.target.value)} />
          <NumberSelect numbers={numbers} value={draft.whatsappNumberId} onChange={(value) => set('whatsappNumberId', value)} error={field('whatsappNumberId')} />
          <LanguageSelect label={t('fields.language')} value={draft.language} onChange={(value) => set('language', value)} error={field('language')} />
          <TimezoneSelect value={draft.timezone} onChange={(value) => set('timezone', value)} error={field('timezone')} />
          <CountryField value={draft.defaultCountry} onChange={(value) => set('defaultCountry', value)} error={field('defaultCountry')} />
        </fieldset>

        <fieldset className="fieldset">
          <legend>{t('settings.groups.which')}</legend>
          <CheckboxField label={t('settings.codOnly')} hint={t('settings.codOnlyHint')} checked={draft.codOnly} onChange={(event) => set('codOnly', event.target.checked)} />
          <TextField
            label={t('settings.minimumTotal')}
            hint={t('settings.minimumTotalHint')}
            inputMode="decimal"
            dir="ltr"
            value={draft.minimumTotal}
            error={field('minimumTotal')}
            onChange={(event) => set('minimumTotal', event.target.value)}
          />
        </fieldset>

        <fieldset className="fieldset">
          <legend>{t('settings.groups.when')}</legend>
          <TextField
            label={t('settings.sendDelayMinutes')}
            hint={<MinutesHint minutes={draft.sendDelayMinutes} text={t('settings.sendDelayMinutesHint')} />}
            type="number"
            min={0}
            max={10080}
            step={1}
            required
            value={draft.sendDelayMinutes}
            error={field('sendDelayMinutes')}
            onChange={(event) => set('sendDelayMinutes', event.target.value)}
          />
          <CheckboxField
            label={t('settings.quietHours')}
            hint={t('settings.quietHoursHint', { timezone: draft.timezone })}
            checked={draft.quietHoursOn}
            onChange={(event) => set('quietHoursOn', event.target.checked)}
          />
          {draft.quietHoursOn ? (
            <div className="field-pair">
              <TextField label={t('settings.quietStart')} type="time" required value={draft.quietStart} error={field('quietHours.start')} onChange={(event) => set('quietStart', event.target.value)} />
              <TextField label={t('settings.quietEnd')} type="time" required value={draft.quietEnd} error={field('quietHours.end')} onChange={(event) => set('quietEnd', event.target.value)} />
            </div>
          ) : null}
          {field('quietHours') ? <p className="field-error" role="alert">{field('quietHours')}</p> : null}
        </fieldset>

        <fieldset className="fieldset">
          <legend>{t('settings.groups.noAnswer')}</legend>
          <div className="field-pair">
            <TextField
              label={t('settings.reminderCount')}
              hint={t('settings.reminderCountHint')}
              type="number"
              min={0}
              max={5}
              step={1}
              required
              value={draft.reminderCount}
              error={field('reminders.count')}
              onChange={(event) => set('reminderCount', event.target.value)}
            />
            <TextField
              label={t('settings.reminderAfterMinutes')}
              hint={<MinutesHint minutes={draft.reminderAfterMinutes} text={t('settings.reminderAfterMinutesHint')} />}
              type="number"
              min={5}
              max={10080}
              step={1}
              required
              value={draft.reminderAfterMinutes}
              error={field('reminders.afterMinutes')}
              onChange={(event) => set('reminderAfterMinutes', event.target.value)}
            />
          </div>
          {field('reminders') ? <p className="field-error" role="alert">{field('reminders')}</p> : null}
          <CheckboxField label={t('settings.autoCancel')} hint={t('settings.autoCancelHint')} checked={draft.autoCancelOn} onChange={(event) => set('autoCancelOn', event.target.checked)} />
          {draft.autoCancelOn ? (
            <TextField
              label={t('settings.autoCancelAfterMinutes')}
              hint={<MinutesHint minutes={draft.autoCancelAfterMinutes} text={t('settings.autoCancelAfterMinutesHint')} />}
              type="number"
              min={10}
              max={43200}
              step={1}
              required
              value={draft.autoCancelAfterMinutes}
              error={field('autoCancelAfterMinutes')}
              onChange={(event) => set('autoCancelAfterMinutes', event.target.value)}
            />
          ) : null}
        </fieldset>

        {cloudNumbers.length > 0 || draft.fallbackOn ? (
          <fieldset className="fieldset">
            <legend>{t('settings.groups.fallback')}</legend>
            <CheckboxField label={t('settings.fallback.enable')} hint={t('settings.fallback.hint')} checked={draft.fallbackOn} onChange={(event) => set('fallbackOn', event.target.checked)} />
            {draft.fallbackOn ? (
              <>
                <SelectField
                  label={t('settings.fallback.number')}
                  required
                  value={draft.fallbackNumberId}
                  error={field('cloudFallback.whatsappNumberId')}
                  onChange={(event) => set('fallbackNumberId', event.target.value)}
                >
                  <option value="">{t('settings.fallback.chooseNumber')}</option>
                  {cloudNumbers.map((number) => (
                    <option key={number.id} value={number.id}>
                      {number.phone ? `\u2066${number.phone}\u2069` : number.id}
                    </option>
                  ))}
                </SelectField>
                <TextField
                  label={t('settings.fallback.templateName')}
                  hint={t('settings.fallback.templateNameHint')}
                  required
                  dir="ltr"
                  autoComplete="off"
                  value={draft.fallbackTemplateName}
                  error={field('cloudFallback.templateName')}
                  onChange={(event) => set('fallbackTemplateName', event.target.value)}
                />
                <TextField
                  label={t('settings.fallback.languageCode')}
                  hint={t('settings.fallback.languageCodeHint')}
                  required
                  dir="ltr"
                  autoComplete="off"
                  value={draft.fallbackLanguageCode}
                  error={field('cloudFallback.languageCode')}
                  onChange={(event) => set('fallbackLanguageCode', event.target.value)}
                />
                <FallbackParameters value={draft.fallbackParameters} onChange={(value) => set('fallbackParameters', value)} error={field('cloudFallback.parameters') ?? undefined} />
              </>
            ) : null}
            {field('cloudFallback') ? <p className="field-error" role="alert">{field('cloudFallback')}</p> : null}
          </fieldset>
        ) : null}

        {errors.rest.length > 0 || (update.error && Object.keys(errors.fields).length === 0) ? <FormError error={update.error} /> : null}
        {Object.keys(errors.fields).length > 0 ? <p className="form-error" role="alert">{t('settings.fixFields')}</p> : null}
        <div className="row">
          <button type="submit" className="button button-primary" disabled={update.isPending}>
            {update.isPending ? t('common:saving') : t('settings.save')}
          </button>
          <span role="status" className="save-status">{saved ? t('common:saved') : ''}</span>
        </div>
      </form>
    </section>
  );
};

import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldErrorsFrom, VISIBLE_WRITE_BACK_FIELDS, WRITE_BACK_FIELDS, useUpdateStore, type Store } from '../../api/stores.ts';
import { ConfirmAction } from '../../components/confirm-action.tsx';
import { TextField } from '../../components/field.tsx';
import { FormError } from '../../components/states.tsx';

const emptyValues = (fields: string[]): Record<string, string> => Object.fromEntries(fields.map((field) => [field, '']));

/**
 * The store's API credentials, so confirmations and cancellations are written back. Write-only: the
 * fields always start empty (the API never returns a token); the API only says whether some are saved.
 */
export const WriteBackSection = ({ store }: { store: Store }) => {
  const { t } = useTranslation('stores');
  const save = useUpdateStore(store.id);
  const remove = useUpdateStore(store.id);
  const fields = WRITE_BACK_FIELDS[store.platform] ?? [];
  const [values, setValues] = useState(() => emptyValues(fields));
  const [saved, setSaved] = useState(false);
  const errors = fieldErrorsFrom(save.error, fields.map((field) => `writeBack.${field}`));
  const { writeBack } = store;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const credentials = Object.fromEntries(fields.map((field) => [field, (values[field] ?? '').trim()]));
    save.mutate(
      { writeBack: credentials },
      {
        onSuccess: () => {
          setValues(emptyValues(fields));
          setSaved(true);
        },
      },
    );
  };

  return (
    <section className="card store-section" id="write-back" aria-labelledby="write-back-title">
      <h2 className="card-title" id="write-back-title">{t('writeBack.title')}</h2>
      {!writeBack.supported || fields.length === 0 ? (
        <p className="muted">{t('writeBack.unsupported')}</p>
      ) : (
        <div className="stack">
          <p className="muted">{t(`writeBack.what.${store.platform}`)}</p>
          {writeBack.configured ? (
            <div className="write-back-saved" role="status">
              <span className="badge badge-good">{t('writeBack.savedBadge')}</span>
              <span>
                {writeBack.shopDomain || writeBack.storeUrl
                  ? t('writeBack.savedFor', { place: writeBack.shopDomain ?? writeBack.storeUrl })
                  : t('writeBack.saved')}
              </span>
            </div>
          ) : (
            <p className="write-back-missing">{t('writeBack.notSaved')}</p>
          )}
          <form onSubmit={submit} className="stack" autoComplete="off">
            <p className="field-hint">{t(`writeBack.where.${store.platform}`)}</p>
            {fields.map((field) => (
              <TextField
                key={field}
                label={t(`writeBack.fields.${store.platform}.${field}`)}
                hint={t(`writeBack.fieldHints.${store.platform}.${field}`)}
                type={VISIBLE_WRITE_BACK_FIELDS.has(field) ? (field === 'storeUrl' ? 'url' : 'text') : 'password'}
                autoComplete={VISIBLE_WRITE_BACK_FIELDS.has(field) ? 'off' : 'new-password'}
                spellCheck={false}
                dir="ltr"
                required
                placeholder={writeBack.configured && !VISIBLE_WRITE_BACK_FIELDS.has(field) ? t('writeBack.keepPlaceholder') : undefined}
                value={values[field] ?? ''}
                error={errors.fields[`writeBack.${field}`] ?? null}
                onChange={(event) => {
                  setSaved(false);
                  setValues((current) => ({ ...current, [field]: event.target.value }));
                }}
              />
            ))}
            {errors.rest.length > 0 || (save.error && Object.keys(errors.fields).length === 0) ? <FormError error={save.error} /> : null}
            <div className="row">
              <button type="submit" className="button button-primary" disabled={save.isPending}>
                {save.isPending ? t('common:saving') : writeBack.configured ? t('writeBack.replace') : t('writeBack.save')}
              </button>
              <span role="status" className="save-status">{saved ? t('common:saved') : ''}</span>
            </div>
          </form>
          {writeBack.configured ? (
            <ConfirmAction
              label={t('writeBack.remove')}
              confirmLabel={t('writeBack.removeConfirm')}
              pending={remove.isPending}
              error={remove.error}
              onConfirm={() => remove.mutateAsync({ writeBack: null })}
            >
              <p>{t('writeBack.removeExplanation')}</p>
            </ConfirmAction>
          ) : null}
        </div>
      )}
    </section>
  );
};

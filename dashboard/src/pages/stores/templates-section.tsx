import { RotateCcw } from 'lucide-react';
import { useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  fieldErrorsFrom,
  STORE_LANGUAGES,
  TEMPLATE_KINDS,
  TEMPLATE_VARIABLES,
  useUpdateStore,
  type Store,
  type StoreTemplateChanges,
  type TemplateKind,
} from '../../api/stores.ts';
import { currencyDigits, currencyForCountry } from '../../api/test-order.ts';
import type { Language } from '../../api/types.ts';
import { FormError } from '../../components/states.tsx';
import { directionOf } from '../../i18n/i18n.ts';
import { DEFAULT_TEMPLATES, renderPreview, unknownVariables, type PreviewOrder } from './template-preview.ts';

/** Per language and kind, the merchant's text, or null while the kind follows Akked's default. */
type Drafts = Record<Language, Record<TemplateKind, string | null>>;

const overrideOf = (store: Store, language: Language, kind: TemplateKind): string | null => store.templates[language]?.[kind] ?? null;

const draftsOf = (store: Store): Drafts => {
  const drafts = {} as Drafts;
  for (const language of STORE_LANGUAGES) {
    drafts[language] = {} as Record<TemplateKind, string | null>;
    for (const kind of TEMPLATE_KINDS) drafts[language][kind] = overrideOf(store, language, kind);
  }

  return drafts;
};

const isSameText = (first: string, second: string): boolean => first.trim() === second.trim();

/**
 * The override a kind would have once saved, null for none. The default's own text is no override:
 * the kind then keeps following Akked's default, including later improvements of it. An override
 * left untouched stays, even one that reads like the default.
 */
const overrideAfterSave = (draft: string | null, override: string | null, language: Language, kind: TemplateKind): string | null => {
  if (draft === null) return null;
  if (override !== null && isSameText(draft, override)) return override;

  return isSameText(draft, DEFAULT_TEMPLATES[language][kind]) ? null : draft;
};

/** Only what changed is sent (the API merges overrides per kind); null removes an override. */
const changedTemplates = (store: Store, drafts: Drafts): StoreTemplateChanges => {
  const changes: StoreTemplateChanges = {};
  for (const language of STORE_LANGUAGES) {
    for (const kind of TEMPLATE_KINDS) {
      const override = overrideOf(store, language, kind);
      const next = overrideAfterSave(drafts[language][kind], override, language, kind);
      if (next === override) continue;
      changes[language] = { ...changes[language], [kind]: next };
    }
  }

  return changes;
};

/** A sample order in the tab's language, priced in the store's currency. */
const useSampleOrder = (store: Store, language: Language): PreviewOrder => {
  const { t } = useTranslation('stores');
  const currency = currencyForCountry(store.defaultCountry);

  return useMemo(() => ({
    customerName: t('templates.sample.customer', { lng: language }),
    number: '#1042',
    total: (249).toFixed(currencyDigits(currency)),
    currency,
    items: [
      { name: t('templates.sample.firstItem', { lng: language }), variant: t('templates.sample.firstVariant', { lng: language }), quantity: 2 },
      { name: t('templates.sample.secondItem', { lng: language }), variant: null, quantity: 1 },
    ],
    storeName: store.name,
  }), [t, language, currency, store.name]);
};

type EditorProps = {
  language: Language;
  kind: TemplateKind;
  value: string;
  /** Whether, once saved, this kind follows Akked's default (then there is nothing to reset). */
  isDefault: boolean;
  onChange: (value: string) => void;
  onReset: () => void;
  order: PreviewOrder;
  error: string | null;
};

/** One message: variable chips that insert at the cursor, the text, and the message as the customer reads it. */
const TemplateEditor = ({ language, kind, value, isDefault, onChange, onReset, order, error }: EditorProps) => {
  const { t } = useTranslation('stores');
  const id = useId();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const unknown = unknownVariables(value);
  const preview = useMemo(() => renderPreview(value, order, language), [value, order, language]);

  const insert = (variable: string) => {
    const element = textarea.current;
    const token = `{{${variable}}}`;
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? value.length;
    onChange(`${value.slice(0, start)}${token}${value.slice(end)}`);
    // After React writes the new value, put the cursor right after the inserted variable.
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + token.length, start + token.length);
    });
  };
  const describedBy = [`${id}-chips`, unknown.length > 0 ? `${id}-unknown` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');

  return (
    <div className="template-editor">
      <div className="template-editor-input">
        <label htmlFor={id} className="template-label">{t(`templates.kinds.${kind}`)}</label>
        <p className="field-hint">{t(`templates.kindHints.${kind}`)}</p>
        <div className="variable-chips" id={`${id}-chips`} role="group" aria-label={t('templates.variablesLabel')}>
          {TEMPLATE_VARIABLES.map((variable) => (
            <button
              key={variable}
              type="button"
              className="chip"
              title={t(`templates.variables.${variable}`)}
              aria-label={t('templates.insert', { variable: t(`templates.variables.${variable}`) })}
              onClick={() => insert(variable)}
            >
              <code dir="ltr">{`{{${variable}}}`}</code>
            </button>
          ))}
        </div>
        <textarea
          id={id}
          ref={textarea}
          className={error ? 'template-textarea field-invalid-input' : 'template-textarea'}
          dir={directionOf(language)}
          lang={language}
          rows={Math.min(16, Math.max(4, value.split('\n').length + 1))}
          maxLength={1000}
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.value)}
        />
        {unknown.length > 0 ? (
          <p className="field-error" id={`${id}-unknown`}>
            {t('templates.unknownVariables', { variables: unknown.map((name) => `{{${name}}}`).join(' ') })}
          </p>
        ) : null}
        {error ? <p className="field-error" id={`${id}-error`} role="alert">{error}</p> : null}
        <div className="row">
          <button type="button" className="button button-small" disabled={isDefault} onClick={onReset}>
            <RotateCcw size={16} aria-hidden="true" />
            {t('templates.reset')}
          </button>
        </div>
      </div>
      <figure className="template-preview">
        <figcaption>{t('templates.preview')}</figcaption>
        <div className="message-bubble" dir={directionOf(language)} lang={language} aria-live="polite" data-testid={`preview-${language}-${kind}`}>
          {preview}
        </div>
      </figure>
    </div>
  );
};

/** The store's messages per language and kind, with a live preview on a sample order. */
export const TemplatesSection = ({ store }: { store: Store }) => {
  const { t } = useTranslation('stores');
  const update = useUpdateStore(store.id);
  const [drafts, setDrafts] = useState(() => draftsOf(store));
  const [language, setLanguage] = useState<Language>(store.language);
  const [saved, setSaved] = useState(false);
  const tabIds = useId();
  const order = useSampleOrder(store, language);
  const fieldPaths = STORE_LANGUAGES.flatMap((code) => TEMPLATE_KINDS.map((kind) => `templates.${code}.${kind}`));
  const errors = fieldErrorsFrom(update.error, fieldPaths);
  const changes = changedTemplates(store, drafts);
  const hasChanges = Object.keys(changes).length > 0;
  const languageHasError = (code: Language) => TEMPLATE_KINDS.some((kind) => errors.fields[`templates.${code}.${kind}`]);

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    // In right-to-left pages the arrow keys follow the visual order.
    const direction = document.documentElement.dir === 'rtl' ? -step : step;
    const index = (STORE_LANGUAGES.indexOf(language) + direction + STORE_LANGUAGES.length) % STORE_LANGUAGES.length;
    const next = STORE_LANGUAGES[index] ?? language;
    setLanguage(next);
    document.getElementById(`${tabIds}-tab-${next}`)?.focus();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    update.mutate(
      { templates: changes },
      {
        onSuccess: (updated) => {
          setDrafts(draftsOf(updated));
          setSaved(true);
        },
        onError: (error) => {
          // Show the first language with a problem.
          const problems = fieldErrorsFrom(error, fieldPaths).fields;
          const first = STORE_LANGUAGES.find((code) => TEMPLATE_KINDS.some((kind) => problems[`templates.${code}.${kind}`]));
          if (first) setLanguage(first);
        },
      },
    );
  };

  return (
    <section className="card store-section" id="templates" aria-labelledby="templates-title">
      <h2 className="card-title" id="templates-title">{t('templates.title')}</h2>
      <p className="muted">{t('templates.intro')}</p>
      <form onSubmit={submit} className="templates-form">
        <div className="tabs" role="tablist" aria-label={t('templates.languagesLabel')}>
          {STORE_LANGUAGES.map((code) => (
            <button
              key={code}
              type="button"
              role="tab"
              id={`${tabIds}-tab-${code}`}
              aria-selected={language === code}
              aria-controls={`${tabIds}-panel`}
              tabIndex={language === code ? 0 : -1}
              className={`tab${language === code ? ' tab-selected' : ''}`}
              onClick={() => setLanguage(code)}
              onKeyDown={onTabKey}
            >
              {t(`languages.${code}`)}
              {languageHasError(code) ? (
                <>
                  <span className="tab-error" aria-hidden="true">!</span>
                  <span className="visually-hidden">{t('templates.tabHasError')}</span>
                </>
              ) : null}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`${tabIds}-panel`} aria-labelledby={`${tabIds}-tab-${language}`} className="stack">
          {TEMPLATE_KINDS.map((kind) => {
            const draft = drafts[language][kind];
            const setDraft = (value: string | null) => {
              setSaved(false);
              setDrafts((current) => ({ ...current, [language]: { ...current[language], [kind]: value } }));
            };

            // Reset sets null rather than the default's text, so saving removes the override.

            return (
              <TemplateEditor
                key={`${language}-${kind}`}
                language={language}
                kind={kind}
                value={draft ?? DEFAULT_TEMPLATES[language][kind]}
                isDefault={overrideAfterSave(draft, overrideOf(store, language, kind), language, kind) === null}
                order={order}
                error={errors.fields[`templates.${language}.${kind}`] ?? null}
                onChange={setDraft}
                onReset={() => setDraft(null)}
              />
            );
          })}
        </div>
        {errors.rest.length > 0 || (update.error && Object.keys(errors.fields).length === 0) ? <FormError error={update.error} /> : null}
        <div className="row">
          <button type="submit" className="button button-primary" disabled={!hasChanges || update.isPending}>
            {update.isPending ? t('common:saving') : t('templates.save')}
          </button>
          <span role="status" className="save-status">{saved ? t('common:saved') : ''}</span>
        </div>
      </form>
    </section>
  );
};

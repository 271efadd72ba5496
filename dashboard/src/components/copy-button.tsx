import { Check, Copy } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies a value (webhook URL, secret, API key) and says so for a moment. */
export const CopyButton = ({ value, label }: { value: string; label?: string }) => {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard refused (insecure context): select-and-copy by hand remains possible.
      return;
    }
    setCopied(true);
    window.setTimeout(() => setCopied(false), 2000);
  };

  return (
    <button type="button" className="button button-small" onClick={copy} aria-label={label ?? t('copy')}>
      {copied ? <Check size={16} aria-hidden="true" /> : <Copy size={16} aria-hidden="true" />}
      <span>{copied ? t('copied') : t('copy')}</span>
    </button>
  );
};

/** A read-only value with its copy button (webhook URL, secret). */
export const CopyField = ({ label, value }: { label: string; value: string }) => (
  <div className="copy-field">
    <span className="copy-field-label">{label}</span>
    <div className="copy-field-row">
      <code className="copy-field-value" dir="ltr">{value}</code>
      <CopyButton value={value} label={`${label}`} />
    </div>
  </div>
);

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from './states.tsx';

type ConfirmActionProps = {
  /** The button that asks, e.g. "Delete this number". */
  label: string;
  /** What will happen, in plain words; shown before anything is done. */
  children: ReactNode;
  /** The button that does it, e.g. "Yes, delete it". */
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  pending: boolean;
  error: unknown;
};

/**
 * A destructive action behind an explicit second step: the first button only opens the
 * explanation, and focus moves to it so keyboard and screen-reader users hear what will happen.
 */
export const ConfirmAction = ({ label, children, confirmLabel, onConfirm, pending, error }: ConfirmActionProps) => {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const id = useId();
  useEffect(() => {
    if (open) panel.current?.focus();
  }, [open]);

  if (!open) {
    return (
      <button type="button" className="button button-danger confirm-action-open" onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  }

  return (
    <div className="confirm-action" role="group" aria-labelledby={`${id}-label`} tabIndex={-1} ref={panel}>
      <p className="confirm-action-label" id={`${id}-label`}>{label}</p>
      <div className="confirm-action-body">{children}</div>
      <FormError error={error} />
      <div className="row">
        <button type="button" className="button button-danger" disabled={pending} onClick={() => void onConfirm().catch(() => undefined)}>
          {confirmLabel}
        </button>
        <button type="button" className="button" disabled={pending} onClick={() => setOpen(false)}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
};

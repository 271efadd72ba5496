import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

type FieldProps = { label: string; hint?: ReactNode; error?: string | null };

const describedBy = (id: string, hint: unknown, error: unknown) =>
  [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;

const FieldFrame = ({ id, label, hint, error, children }: FieldProps & { id: string; children: ReactNode }) => (
  <div className={`field${error ? ' field-invalid' : ''}`}>
    <label htmlFor={id}>{label}</label>
    {children}
    {hint ? <p className="field-hint" id={`${id}-hint`}>{hint}</p> : null}
    {error ? <p className="field-error" id={`${id}-error`} role="alert">{error}</p> : null}
  </div>
);

/** A labelled input with its hint and error wired for assistive technology. */
export const TextField = ({ label, hint, error, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) => {
  const id = useId();

  return (
    <FieldFrame id={id} label={label} hint={hint} error={error ?? null}>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...input} />
    </FieldFrame>
  );
};

export const SelectField = ({ label, hint, error, children, ...select }: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) => {
  const id = useId();

  return (
    <FieldFrame id={id} label={label} hint={hint} error={error ?? null}>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...select}>
        {children}
      </select>
    </FieldFrame>
  );
};

export const TextAreaField = ({ label, hint, error, ...textarea }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) => {
  const id = useId();

  return (
    <FieldFrame id={id} label={label} hint={hint} error={error ?? null}>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...textarea} />
    </FieldFrame>
  );
};

export const CheckboxField = ({ label, hint, ...input }: { label: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) => {
  const id = useId();

  return (
    <div className="field field-checkbox">
      <input id={id} type="checkbox" aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      <label htmlFor={id}>{label}</label>
      {hint ? <p className="field-hint" id={`${id}-hint`}>{hint}</p> : null}
    </div>
  );
};

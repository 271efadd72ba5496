import { useEffect, type ReactNode } from 'react';

/** A page: its heading (also the document title) and optional actions beside it. */
export const Page = ({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) => {
  useEffect(() => {
    document.title = `${title} · Akked`;
  }, [title]);

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{title}</h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
};

export const Card = ({ title, children, className }: { title?: string; children: ReactNode; className?: string }) => (
  <div className={`card${className ? ` ${className}` : ''}`}>
    {title ? <h2 className="card-title">{title}</h2> : null}
    {children}
  </div>
);

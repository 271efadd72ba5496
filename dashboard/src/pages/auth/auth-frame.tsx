import '../../styles/auth.css';
import { useEffect, type ReactNode } from 'react';
import { LanguageSwitcher } from '../../components/language-switcher.tsx';

/** The frame of every signed-out page: the brand, the language switcher, the page's heading. */
export const AuthFrame = ({ title, children }: { title: string; children: ReactNode }) => {
  useEffect(() => {
    document.title = `${title} · Akked`;
  }, [title]);

  return (
    <main className="auth">
      <div className="auth-card">
        <header className="auth-header">
          <span className="brand">Akked</span>
          <LanguageSwitcher />
        </header>
        <h1 className="auth-title">{title}</h1>
        {children}
      </div>
    </main>
  );
};

/** A short confirmation or notice inside the card, announced to screen readers. */
export const AuthNotice = ({ tone = 'info', children }: { tone?: 'info' | 'good'; children: ReactNode }) => (
  <div className={`auth-notice auth-notice-${tone}`} role="status">
    {children}
  </div>
);

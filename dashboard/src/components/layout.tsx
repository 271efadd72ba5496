import { BarChart3, CreditCard, Menu, Package, Settings, Smartphone, Store, X } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useNavigate } from 'react-router';
import { signOut } from '../api/auth.ts';
import { useRefreshSession, useSignedInSession } from '../api/session.ts';
import { LanguageSwitcher } from './language-switcher.tsx';

const NAVIGATION = [
  { to: '/', key: 'nav.overview', icon: BarChart3, end: true },
  { to: '/orders', key: 'nav.orders', icon: Package, end: false },
  { to: '/stores', key: 'nav.stores', icon: Store, end: false },
  { to: '/numbers', key: 'nav.numbers', icon: Smartphone, end: false },
  { to: '/billing', key: 'nav.billing', icon: CreditCard, end: false },
  { to: '/settings', key: 'nav.settings', icon: Settings, end: false },
] as const;

/** The signed-in frame: navigation (a menu on narrow screens), language, account, sign-out. */
export const Layout = ({ children }: { children: ReactNode }) => {
  const { t } = useTranslation();
  const session = useSignedInSession();
  const refreshSession = useRefreshSession();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const leave = async () => {
    await signOut();
    await refreshSession();
    navigate('/sign-in');
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">{t('skipToContent')}</a>
      <header className="topbar">
        <button
          type="button"
          className="button button-icon menu-button"
          aria-expanded={menuOpen}
          aria-controls="navigation"
          onClick={() => setMenuOpen((open) => !open)}
        >
          {menuOpen ? <X size={20} aria-hidden="true" /> : <Menu size={20} aria-hidden="true" />}
          <span className="visually-hidden">{t('nav.menu')}</span>
        </button>
        <span className="brand">Akked</span>
        <div className="topbar-end">
          <span className="credits" title={t('credits.balanceTitle')}>
            {t('credits.balance', { count: session.account.creditBalance })}
          </span>
          <LanguageSwitcher />
          <button type="button" className="button button-quiet" onClick={() => void leave()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <nav id="navigation" className={`sidebar${menuOpen ? ' sidebar-open' : ''}`} aria-label={t('nav.label')}>
        <ul>
          {NAVIGATION.map(({ to, key, icon: Icon, end }) => (
            <li key={to}>
              <NavLink to={to} end={end} onClick={() => setMenuOpen(false)}>
                <Icon size={18} aria-hidden="true" />
                <span>{t(key)}</span>
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
};

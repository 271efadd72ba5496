import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Page } from '../components/page.tsx';

export default function NotFoundPage() {
  const { t } = useTranslation();

  return (
    <main className="auth">
      <Page title={t('notFound.title')}>
        <p>{t('notFound.body')}</p>
        <p>
          <Link to="/">{t('notFound.home')}</Link>
        </p>
      </Page>
    </main>
  );
}

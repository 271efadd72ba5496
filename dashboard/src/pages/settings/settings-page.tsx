import '../../styles/settings.css';
import { useTranslation } from 'react-i18next';
import { Page } from '../../components/page.tsx';
import { ApiKeysSection } from './api-keys-section.tsx';
import { DeleteAccountSection } from './delete-account-section.tsx';
import { ExportSection } from './export-section.tsx';
import { ProfileSection } from './profile-section.tsx';

/** Profile and language, API keys, the data export and account deletion (DESIGN.md §5.5). */
export default function SettingsPage() {
  const { t } = useTranslation('settings');

  return (
    <Page title={t('title')}>
      <ProfileSection />
      <ApiKeysSection />
      <ExportSection />
      <DeleteAccountSection />
    </Page>
  );
}

import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useNumbers } from '../../api/numbers.ts';
import { useDeleteStore, useStore, type Store } from '../../api/stores.ts';
import { ConfirmAction } from '../../components/confirm-action.tsx';
import { Page } from '../../components/page.tsx';
import { ErrorState, FormError, Loading } from '../../components/states.tsx';
import '../../styles/stores.css';
import { ConnectSection } from './connect-section.tsx';
import { SettingsSection } from './settings-section.tsx';
import { TemplatesSection } from './templates-section.tsx';
import { TestOrderSection } from './test-order-section.tsx';
import { WriteBackSection } from './write-back-section.tsx';

const SECTIONS = ['connect', 'settings', 'templates', 'write-back', 'test-order', 'delete'] as const;

const DeleteSection = ({ store }: { store: Store }) => {
  const { t } = useTranslation('stores');
  const navigate = useNavigate();
  const remove = useDeleteStore(store.id);

  return (
    <section className="card store-section" id="delete" aria-labelledby="delete-title">
      <h2 className="card-title" id="delete-title">{t('delete.title')}</h2>
      <ConfirmAction
        label={t('delete.button')}
        confirmLabel={t('delete.confirm')}
        pending={remove.isPending}
        error={remove.error}
        onConfirm={async () => {
          await remove.mutateAsync();
          navigate('/stores');
        }}
      >
        <p>{t('delete.explanation', { name: store.name })}</p>
      </ConfirmAction>
    </section>
  );
};

export default function StorePage() {
  const { t } = useTranslation('stores');
  const { id = '' } = useParams();
  const store = useStore(id);
  const numbers = useNumbers();

  if (store.isPending) return <Page title={t('titleOne')}><Loading /></Page>;
  if (store.isError) {
    return (
      <Page title={t('titleOne')}>
        <ErrorState error={store.error} onRetry={() => void store.refetch()} />
        <p><Link to="/stores">{t('backToList')}</Link></p>
      </Page>
    );
  }
  const current = store.data;

  return (
    <Page title={current.name} actions={<Link className="button" to="/stores">{t('backToList')}</Link>}>
      <p className="muted store-platform">{t(`platforms.${current.platform}`)}</p>
      <nav className="section-nav" aria-label={t('sectionsLabel')}>
        <ul>
          {SECTIONS.map((section) => (
            <li key={section}>
              <a href={`#${section}`}>{t(`sections.${section}`)}</a>
            </li>
          ))}
        </ul>
      </nav>
      <ConnectSection store={current} />
      {numbers.isError ? <FormError error={numbers.error} /> : null}
      {numbers.isPending ? (
        <Loading />
      ) : (
        // Keyed by the store: opening another store starts its forms from what that store has saved.
        <SettingsSection key={`settings-${current.id}`} store={current} numbers={numbers.data ?? []} />
      )}
      <TemplatesSection key={`templates-${current.id}`} store={current} />
      <WriteBackSection store={current} />
      <TestOrderSection store={current} />
      <DeleteSection store={current} />
    </Page>
  );
}

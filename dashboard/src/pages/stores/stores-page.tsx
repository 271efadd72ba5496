import { Plus } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useNumbers, type WhatsappNumber } from '../../api/numbers.ts';
import { useStoreOrderCount, useStores, type Store } from '../../api/stores.ts';
import { Page } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { useFormat } from '../../i18n/format.ts';
import '../../styles/stores.css';
import { CreateStoreForm } from './create-store-form.tsx';

const OrderCount = ({ storeId }: { storeId: string }) => {
  const count = useStoreOrderCount(storeId);
  const format = useFormat();
  // The count is a nicety: without it the list still works.
  if (count.data === undefined) return <span aria-hidden="true">—</span>;

  return <>{format.number(count.data)}</>;
};

const StoreNumber = ({ number }: { number: WhatsappNumber | undefined }) => {
  const { t } = useTranslation('stores');
  if (!number) return <span className="muted">{t('list.noNumber')}</span>;

  return (
    <span className="row">
      {number.phone ? <span dir="ltr">{number.phone}</span> : <span>{t('fields.numberUnlinked')}</span>}
      <StatusBadge kind="number" status={number.status} />
    </span>
  );
};

const StoresTable = ({ stores, numbers }: { stores: Store[]; numbers: WhatsappNumber[] }) => {
  const { t } = useTranslation('stores');

  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{t('list.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('list.name')}</th>
            <th scope="col">{t('list.platform')}</th>
            <th scope="col">{t('list.number')}</th>
            <th scope="col">{t('list.orders')}</th>
          </tr>
        </thead>
        <tbody>
          {stores.map((store) => (
            <tr key={store.id}>
              <td>
                <Link to={`/stores/${encodeURIComponent(store.id)}`}>{store.name}</Link>
              </td>
              <td>{t(`platforms.${store.platform}`)}</td>
              <td>
                <StoreNumber number={numbers.find((number) => number.id === store.whatsappNumberId)} />
              </td>
              <td>
                <OrderCount storeId={store.id} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

export default function StoresPage() {
  const { t } = useTranslation('stores');
  const stores = useStores();
  const numbers = useNumbers();
  const [search, setSearch] = useSearchParams();
  const creating = search.get('new') === '1';
  const setCreating = (open: boolean) => setSearch(open ? { new: '1' } : {}, { replace: true });

  const body = () => {
    if (stores.isPending) return <Loading />;
    if (stores.isError) return <ErrorState error={stores.error} onRetry={() => void stores.refetch()} />;
    if (creating) return <CreateStoreForm onCancel={() => setCreating(false)} />;
    if (stores.data.length === 0) {
      return (
        <EmptyState title={t('empty.title')}>
          <p>{t('empty.body')}</p>
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            <Plus size={18} aria-hidden="true" />
            {t('connectStore')}
          </button>
        </EmptyState>
      );
    }

    return <StoresTable stores={stores.data} numbers={numbers.data ?? []} />;
  };

  return (
    <Page
      title={t('title')}
      actions={
        !creating && stores.data && stores.data.length > 0 ? (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            <Plus size={18} aria-hidden="true" />
            {t('connectStore')}
          </button>
        ) : null
      }
    >
      {body()}
    </Page>
  );
}

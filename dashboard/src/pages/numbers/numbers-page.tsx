import { Plus } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useNumbers, type WhatsappNumber } from '../../api/numbers.ts';
import { Page } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { useFormat } from '../../i18n/format.ts';
import '../../styles/numbers.css';
import { LinkNumberForm } from './link-number-form.tsx';

const lastChange = (number: WhatsappNumber): string => number.history[0]?.at ?? number.createdAt;

const NumbersTable = ({ numbers }: { numbers: WhatsappNumber[] }) => {
  const { t } = useTranslation('numbers');
  const format = useFormat();

  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{t('list.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('list.phone')}</th>
            <th scope="col">{t('list.provider')}</th>
            <th scope="col">{t('list.status')}</th>
            <th scope="col">{t('list.lastChange')}</th>
          </tr>
        </thead>
        <tbody>
          {numbers.map((number) => (
            <tr key={number.id}>
              <td>
                <Link to={`/numbers/${encodeURIComponent(number.id)}`}>
                  {number.phone ? <span dir="ltr">{number.phone}</span> : t('notLinkedYet')}
                </Link>
              </td>
              <td>{t(`providers.${number.provider}.short`)}</td>
              <td>
                <StatusBadge kind="number" status={number.status} />
              </td>
              <td>
                <time dateTime={lastChange(number)}>{format.dateTime(lastChange(number))}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

export default function NumbersPage() {
  const { t } = useTranslation('numbers');
  const numbers = useNumbers();
  const [search, setSearch] = useSearchParams();
  const linking = search.get('link') === '1';
  const setLinking = (open: boolean) => setSearch(open ? { link: '1' } : {}, { replace: true });

  const body = () => {
    if (numbers.isPending) return <Loading />;
    if (numbers.isError) return <ErrorState error={numbers.error} onRetry={() => void numbers.refetch()} />;
    if (linking) return <LinkNumberForm onCancel={() => setLinking(false)} />;
    if (numbers.data.length === 0) {
      return (
        <EmptyState title={t('empty.title')}>
          <p>{t('empty.why')}</p>
          <p className="muted">{t('empty.how')}</p>
          <button type="button" className="button button-primary" onClick={() => setLinking(true)}>
            <Plus size={18} aria-hidden="true" />
            {t('linkNumber')}
          </button>
        </EmptyState>
      );
    }

    return <NumbersTable numbers={numbers.data} />;
  };

  return (
    <Page
      title={t('title')}
      actions={
        !linking && numbers.data && numbers.data.length > 0 ? (
          <button type="button" className="button button-primary" onClick={() => setLinking(true)}>
            <Plus size={18} aria-hidden="true" />
            {t('linkNumber')}
          </button>
        ) : null
      }
    >
      {body()}
    </Page>
  );
}

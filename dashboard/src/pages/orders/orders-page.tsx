import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import {
  ORDER_STATUSES, toOrderListQuery, useApplyOrderChange, useOrderList, useOrderStream, useRefreshFirstPage, type OrderFilters, type OrderSummary,
} from '../../api/orders.ts';
import { useStores } from '../../api/stores.ts';
import { SelectField, TextField } from '../../components/field.tsx';
import { Page } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { useFormat } from '../../i18n/format.ts';
import { LiveIndicator } from './live-indicator.tsx';
import '../../styles/orders.css';

const FILTER_NAMES = ['storeId', 'status', 'q', 'from', 'to'] as const satisfies readonly (keyof OrderFilters)[];
const SEARCH_DELAY_MS = 350;
/** Bursts of new orders are read once, not once per order. */
const REFRESH_DELAY_MS = 300;

const readFilters = (search: URLSearchParams): OrderFilters => ({
  storeId: search.get('storeId') ?? '',
  status: search.get('status') ?? '',
  q: search.get('q') ?? '',
  from: search.get('from') ?? '',
  to: search.get('to') ?? '',
});

/** Orders, newest first: filters and search live in the address, so a reload or a shared link keeps them. */
export default function OrdersPage() {
  const { t } = useTranslation('orders');
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = readFilters(searchParams);
  const query = toOrderListQuery(filters);
  const list = useOrderList(query);
  const stores = useStores();
  const storeNames = new Map((stores.data ?? []).map((store) => [store.id, store.name]));

  const setFilter = (name: keyof OrderFilters, value: string, replace = false) => {
    setSearchParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace },
    );
  };
  const clearFilters = () => {
    setSearchParams((previous) => {
      const next = new URLSearchParams(previous);
      for (const name of FILTER_NAMES) next.delete(name);
      return next;
    });
  };

  const [searchDraft, setSearchDraft] = useState(filters.q);
  useEffect(() => {
    setSearchDraft(filters.q);
  }, [filters.q]);
  useEffect(() => {
    if (searchDraft === filters.q) return undefined;
    const timer = window.setTimeout(() => setFilter('q', searchDraft.trim() ? searchDraft : '', true), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
    // setFilter is rebuilt each render; the draft alone decides when to search.
  }, [searchDraft]);

  const applyChange = useApplyOrderChange(query);
  const refreshFirstPage = useRefreshFirstPage(query);
  const refreshTimer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(refreshTimer.current), []);
  const streamState = useOrderStream((change) => {
    if (!applyChange(change)) return;
    window.clearTimeout(refreshTimer.current);
    refreshTimer.current = window.setTimeout(() => {
      // A failed background read leaves the list as it was; the next event or a reload catches up.
      refreshFirstPage().catch(() => undefined);
    }, REFRESH_DELAY_MS);
  });

  const hasFilters = FILTER_NAMES.some((name) => filters[name] !== '');
  const orders = list.data?.pages.flatMap((page) => page.data) ?? [];

  return (
    <Page title={t('list.title')} actions={<LiveIndicator state={streamState} />}>
      <form className="orders-filters" role="search" aria-label={t('list.filters')} onSubmit={(event) => event.preventDefault()}>
        <TextField
          label={t('list.search')}
          hint={t('list.searchHint')}
          type="search"
          name="q"
          value={searchDraft}
          maxLength={100}
          autoComplete="off"
          onChange={(event) => setSearchDraft(event.target.value)}
        />
        <SelectField label={t('list.store')} name="storeId" value={filters.storeId} onChange={(event) => setFilter('storeId', event.target.value)}>
          <option value="">{t('list.allStores')}</option>
          {(stores.data ?? []).map((store) => (
            <option key={store.id} value={store.id}>{store.name}</option>
          ))}
          {filters.storeId && !storeNames.has(filters.storeId) ? <option value={filters.storeId}>{t('list.unknownStore')}</option> : null}
        </SelectField>
        <SelectField label={t('list.status')} name="status" value={filters.status} onChange={(event) => setFilter('status', event.target.value)}>
          <option value="">{t('list.allStatuses')}</option>
          {ORDER_STATUSES.map((status) => (
            <option key={status} value={status}>{t(`common:status.order.${status}`)}</option>
          ))}
        </SelectField>
        <TextField label={t('list.from')} type="date" name="from" value={filters.from} max={filters.to || undefined} onChange={(event) => setFilter('from', event.target.value)} />
        <TextField label={t('list.to')} type="date" name="to" value={filters.to} min={filters.from || undefined} onChange={(event) => setFilter('to', event.target.value)} />
        {hasFilters ? (
          <div className="orders-filters-clear">
            <button type="button" className="button" onClick={clearFilters}>{t('list.clearFilters')}</button>
          </div>
        ) : null}
      </form>

      {list.isPending ? <Loading label={t('list.loading')} /> : null}
      {list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.isSuccess && orders.length === 0 ? (
        hasFilters ? (
          <EmptyState title={t('list.noMatchTitle')}>
            <p>{t('list.noMatchBody')}</p>
            <button type="button" className="button" onClick={clearFilters}>{t('list.clearFilters')}</button>
          </EmptyState>
        ) : (
          <EmptyState title={t('list.emptyTitle')}>
            <p>{t('list.emptyBody')}</p>
            <div className="row">
              <Link className="button button-primary" to="/setup">{t('list.emptySetup')}</Link>
              <Link className="button" to="/stores">{t('list.emptyStores')}</Link>
            </div>
          </EmptyState>
        )
      ) : null}
      {orders.length > 0 ? (
        <>
          <OrderTable orders={orders} storeNames={storeNames} />
          {list.isFetchNextPageError ? <ErrorState error={list.error} /> : null}
          {list.hasNextPage ? (
            <div className="orders-more">
              <button type="button" className="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                {list.isFetchingNextPage ? t('list.loadingMore') : t('list.loadMore')}
              </button>
            </div>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

/** A table on wide screens; below 760 px each row is laid out as a card (orders.css), same markup. */
const OrderTable = ({ orders, storeNames }: { orders: OrderSummary[]; storeNames: Map<string, string> }) => {
  const { t } = useTranslation('orders');
  const format = useFormat();

  return (
    <div className="table-wrap orders-table-wrap">
      <table className="orders-table">
        <caption className="visually-hidden">{t('list.caption', { count: orders.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('list.columns.number')}</th>
            <th scope="col">{t('list.columns.customer')}</th>
            <th scope="col">{t('list.columns.phone')}</th>
            <th scope="col">{t('list.columns.store')}</th>
            <th scope="col">{t('list.columns.total')}</th>
            <th scope="col">{t('list.columns.status')}</th>
            <th scope="col">{t('list.columns.created')}</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <tr key={order.id} data-order-id={order.id}>
              <td data-label={t('list.columns.number')} className="orders-number">
                <Link to={`/orders/${encodeURIComponent(order.id)}`}><bdi>{order.number}</bdi></Link>
              </td>
              <td data-label={t('list.columns.customer')}>{order.customerName ? <bdi>{order.customerName}</bdi> : <span className="muted">{t('list.noName')}</span>}</td>
              <td data-label={t('list.columns.phone')}>
                {order.customerPhone ? <bdi dir="ltr">{order.customerPhone}</bdi> : <span className="muted">{t(`phoneProblems.${order.phoneProblem ?? 'missing'}`, { defaultValue: t('phoneProblems.missing') })}</span>}
              </td>
              <td data-label={t('list.columns.store')}>{storeNames.has(order.storeId) ? <bdi>{storeNames.get(order.storeId)}</bdi> : <span className="muted">{t('list.unknownStore')}</span>}</td>
              <td data-label={t('list.columns.total')} className="orders-total">{format.money(order.total, order.currency)}</td>
              <td data-label={t('list.columns.status')}>
                <StatusBadge kind="order" status={order.status} />
              </td>
              <td data-label={t('list.columns.created')}>
                <time dateTime={order.createdAt}>{format.dateTime(order.createdAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

import { TriangleAlert } from 'lucide-react';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { fillDays, NUMBER_NEEDS_ATTENTION, useAnalytics, type ChartDay } from '../../api/analytics.ts';
import { useNumbers, type WhatsappNumber } from '../../api/numbers.ts';
import { useStores } from '../../api/stores.ts';
import { useSignedInSession } from '../../api/session.ts';
import { SelectField } from '../../components/field.tsx';
import { Card, Page } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { useFormat } from '../../i18n/format.ts';
import '../../styles/overview.css';

// recharts is large: it loads with the charts, never with the first paint.
const OverviewCharts = lazy(() => import('./overview-charts.tsx'));

const RANGES = [7, 30, 90] as const;
type Range = (typeof RANGES)[number];

const readRange = (value: string | null): Range => {
  const days = Number(value);
  return (RANGES as readonly number[]).includes(days) ? (days as Range) : 30;
};

const startOfToday = (): Date => {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
};

/** Today at a glance, the trend over 7/30/90 days, and whether every WhatsApp number can send. */
export default function OverviewPage() {
  const { t } = useTranslation('overview');
  const [searchParams, setSearchParams] = useSearchParams();
  const range = readRange(searchParams.get('days'));
  const storeId = searchParams.get('storeId') ?? '';
  // Computed once per visit so the query keys stay put while the page is open.
  const today = useMemo(startOfToday, []);
  const rangeStart = useMemo(() => new Date(today.getFullYear(), today.getMonth(), today.getDate() - (range - 1)), [today, range]);
  const store = storeId ? { storeId } : {};
  const todayFigures = useAnalytics({ ...store, from: today.toISOString() });
  const trend = useAnalytics({ ...store, from: rangeStart.toISOString() });
  const stores = useStores();
  const numbers = useNumbers();

  const setParam = (name: string, value: string) => {
    setSearchParams((previous) => {
      const next = new URLSearchParams(previous);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });
  };

  return (
    <Page title={t('title')}>
      <SetupCard storesCount={stores.data?.length} numbersCount={numbers.data?.length} />

      <div className="overview-filters">
        <SelectField label={t('filters.range')} name="days" value={String(range)} onChange={(event) => setParam('days', event.target.value === '30' ? '' : event.target.value)}>
          {RANGES.map((days) => (
            <option key={days} value={days}>{t('filters.lastDays', { count: days })}</option>
          ))}
        </SelectField>
        <SelectField label={t('filters.store')} name="storeId" value={storeId} onChange={(event) => setParam('storeId', event.target.value)}>
          <option value="">{t('filters.allStores')}</option>
          {(stores.data ?? []).map((option) => (
            <option key={option.id} value={option.id}>{option.name}</option>
          ))}
        </SelectField>
      </div>

      <section aria-labelledby="overview-today">
        <h2 id="overview-today">{t('today.title')}</h2>
        {todayFigures.isPending ? <Loading /> : null}
        {todayFigures.isError ? <ErrorState error={todayFigures.error} onRetry={() => void todayFigures.refetch()} /> : null}
        {todayFigures.data ? <TodayFigures analytics={todayFigures.data} /> : null}
      </section>

      <section aria-labelledby="overview-trend" className="stack">
        <h2 id="overview-trend">{t('trend.title', { count: range })}</h2>
        {trend.isPending ? <Loading /> : null}
        {trend.isError ? <ErrorState error={trend.error} onRetry={() => void trend.refetch()} /> : null}
        {trend.data ? <Trend days={fillDays(trend.data.perDay, new Date(trend.data.from), new Date(trend.data.to))} total={trend.data.totals.all} rate={trend.data.confirmationRate} /> : null}
      </section>

      <NumbersHealth numbers={numbers} />
    </Page>
  );
}

type AnalyticsData = NonNullable<ReturnType<typeof useAnalytics>['data']>;

const Stat = ({ label, value, hint }: { label: string; value: string; hint?: string }) => (
  <div className="card stat">
    <span className="stat-label">{label}</span>
    <span className="stat-value">{value}</span>
    {hint ? <span className="muted overview-stat-hint">{hint}</span> : null}
  </div>
);

const TodayFigures = ({ analytics }: { analytics: AnalyticsData }) => {
  const { t } = useTranslation('overview');
  const format = useFormat();
  const session = useSignedInSession();
  const { totals } = analytics;
  const awaiting = totals.sent + totals.delivered + totals.read;

  return (
    <div className="overview-stats">
      <Stat label={t('today.orders')} value={format.number(totals.all)} />
      <Stat label={t('today.confirmed')} value={format.number(totals.confirmed)} />
      <Stat label={t('today.cancelled')} value={format.number(totals.cancelled)} />
      <Stat label={t('today.awaiting')} value={format.number(awaiting)} />
      <Stat
        label={t('today.confirmationRate')}
        value={analytics.confirmationRate === null ? t('notYet') : format.percent(analytics.confirmationRate)}
        hint={t('today.confirmationRateHint')}
      />
      <Stat
        label={t('today.medianReply')}
        value={analytics.medianTimeToReplySeconds === null ? t('notYet') : format.duration(analytics.medianTimeToReplySeconds)}
        hint={t('today.medianReplyHint')}
      />
      <Stat label={t('today.creditsUsed')} value={format.number(analytics.creditsUsed)} />
      <Stat label={t('today.creditBalance')} value={format.number(session.account.creditBalance)} />
    </div>
  );
};

const Trend = ({ days, total, rate }: { days: ChartDay[]; total: number; rate: number | null }) => {
  const { t } = useTranslation('overview');
  const format = useFormat();
  if (total === 0) {
    return (
      <EmptyState title={t('trend.emptyTitle')}>
        <p>{t('trend.emptyBody')}</p>
        <Link to="/orders">{t('trend.emptyLink')}</Link>
      </EmptyState>
    );
  }
  const busiest = days.reduce((best, day) => (day.received > best.received ? day : best), days[0]!);
  const decided = days.reduce((sum, day) => ({ confirmed: sum.confirmed + day.confirmed, cancelled: sum.cancelled + day.cancelled }), { confirmed: 0, cancelled: 0 });

  return (
    <>
      <p className="overview-summary">
        {t('trend.summary', {
          orders: format.number(total),
          confirmed: format.number(decided.confirmed),
          cancelled: format.number(decided.cancelled),
          rate: rate === null ? t('notYet') : format.percent(rate),
          busiestDay: format.date(`${busiest.date}T12:00:00Z`),
          busiestCount: format.number(busiest.received),
        })}
      </p>
      <Suspense fallback={<Loading label={t('trend.loadingCharts')} />}>
        <OverviewCharts days={days} />
      </Suspense>
      <details className="overview-table">
        <summary>{t('trend.showTable')}</summary>
        <div className="table-wrap">
          <table>
            <caption>{t('trend.tableCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('trend.day')}</th>
                <th scope="col">{t('series.received')}</th>
                <th scope="col">{t('series.confirmed')}</th>
                <th scope="col">{t('series.cancelled')}</th>
                <th scope="col">{t('series.noResponse')}</th>
                <th scope="col">{t('series.failed')}</th>
                <th scope="col">{t('series.confirmationRate')}</th>
              </tr>
            </thead>
            <tbody>
              {days.map((day) => (
                <tr key={day.date}>
                  <th scope="row"><time dateTime={day.date}>{format.date(`${day.date}T12:00:00Z`)}</time></th>
                  <td>{format.number(day.received)}</td>
                  <td>{format.number(day.confirmed)}</td>
                  <td>{format.number(day.cancelled)}</td>
                  <td>{format.number(day.noResponse)}</td>
                  <td>{format.number(day.failed)}</td>
                  <td>{day.confirmationRate === null ? t('notYet') : format.percent(day.confirmationRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
};

const NumbersHealth = ({ numbers }: { numbers: ReturnType<typeof useNumbers> }) => {
  const { t } = useTranslation('overview');

  return (
    <Card title={t('numbers.title')}>
      {numbers.isPending ? <Loading /> : null}
      {numbers.isError ? <ErrorState error={numbers.error} onRetry={() => void numbers.refetch()} /> : null}
      {numbers.data?.length === 0 ? (
        <EmptyState title={t('numbers.emptyTitle')}>
          <Link className="button button-primary" to="/numbers">{t('numbers.emptyLink')}</Link>
        </EmptyState>
      ) : null}
      {numbers.data && numbers.data.length > 0 ? (
        <ul className="overview-numbers">
          {numbers.data.map((number) => <NumberRow key={number.id} number={number} />)}
        </ul>
      ) : null}
    </Card>
  );
};

const NumberRow = ({ number }: { number: WhatsappNumber }) => {
  const { t } = useTranslation('overview');
  const needsAttention = NUMBER_NEEDS_ATTENTION.has(number.status);

  return (
    <li className={`overview-number${needsAttention ? ' overview-number-alert' : ''}`}>
      <div className="overview-number-line">
        <Link to={`/numbers/${encodeURIComponent(number.id)}`}>
          {number.phone ? <bdi dir="ltr">{number.phone}</bdi> : t('numbers.noPhone')}
        </Link>
        <span className="muted">{t(`numbers.providers.${number.provider}`)}</span>
        <StatusBadge kind="number" status={number.status} />
      </div>
      {needsAttention ? (
        <p className="overview-number-warning">
          <TriangleAlert size={16} aria-hidden="true" />
          <span>{t(`numbers.warnings.${number.status}`)}</span>
        </p>
      ) : null}
    </li>
  );
};

/** Offered while something of the first run is missing: never forced, every page still opens. */
const SetupCard = ({ storesCount, numbersCount }: { storesCount: number | undefined; numbersCount: number | undefined }) => {
  const { t } = useTranslation('overview');
  const session = useSignedInSession();
  const missing = [
    session.user.emailVerified ? null : 'verifyEmail',
    numbersCount === 0 ? 'linkNumber' : null,
    storesCount === 0 ? 'connectStore' : null,
  ].filter((step): step is string => step !== null);
  if (missing.length === 0) return null;

  return (
    <Card title={t('setup.title')} className="overview-setup">
      <p>{t('setup.body')}</p>
      <ul>
        {missing.map((step) => <li key={step}>{t(`setup.steps.${step}`)}</li>)}
      </ul>
      <Link className="button button-primary" to="/setup">{t('setup.action')}</Link>
    </Card>
  );
};

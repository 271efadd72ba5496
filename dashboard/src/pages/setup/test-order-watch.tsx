import { Check, Circle, LoaderCircle } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ApiOrderStatus } from '../../api/orders.ts';
import { ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import type { useWatchedOrder } from './setup-data.ts';

const STAGES = ['sent', 'delivered', 'read', 'confirmed'] as const;

/** How many of the stages an order has passed: a reply (confirm or cancel) implies it was read. */
const stagesReached = (status: ApiOrderStatus): number => {
  switch (status) {
    case 'sent': return 1;
    case 'delivered': return 2;
    case 'read': return 3;
    case 'cancelled': return 3;
    case 'confirmed': return 4;
    default: return 0;
  }
};

/** The test order's journey, live: sent → delivered → read → confirmed, and what to do next. */
export const TestOrderWatch = ({ order }: { order: ReturnType<typeof useWatchedOrder> }) => {
  const { t } = useTranslation('setup');
  if (order.isPending) return <Loading />;
  if (order.isError) return <ErrorState error={order.error} onRetry={() => void order.refetch()} />;
  const { status } = order.data;
  const reached = stagesReached(status);
  const stopped = status === 'failed' || status === 'skipped' || status === 'no_response';

  return (
    <div className="setup-watch">
      <p className="row">
        <span>{t('watch.order', { number: order.data.number })}</span>
        <StatusBadge kind="order" status={status} />
      </p>
      <ol className="setup-watch-stages">
        {STAGES.map((stage, index) => {
          const state = index < reached ? 'done' : index === reached && !stopped && status !== 'cancelled' ? 'current' : 'waiting';
          const Icon = state === 'done' ? Check : state === 'current' ? LoaderCircle : Circle;

          return (
            <li key={stage} className={`setup-watch-stage setup-watch-${state}`}>
              <Icon size={18} aria-hidden="true" />
              <span>{t(`watch.stages.${stage}`)}</span>
              <span className="visually-hidden">{t(`watch.state.${state}`)}</span>
            </li>
          );
        })}
      </ol>
      <div className="setup-watch-now" role="status" aria-live="polite">
        <p>{t(`watch.now.${status}`, { defaultValue: t('watch.now.waiting') })}</p>
        {order.data.failureReason ? <p className="muted">{t('watch.reason', { reason: order.data.failureReason })}</p> : null}
      </div>
      <p>
        <Link to={`/orders/${encodeURIComponent(order.data.id)}`}>{t('watch.openOrder')}</Link>
      </p>
    </div>
  );
};

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { AlertCircle, Check, CheckCheck, Clock, ExternalLink } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import {
  decideOrder, RESENDABLE_STATUSES, resendOrder, useOrder, useOrderStream, useRefreshOrder, type OrderDetail, type OrderEvent, type OrderMessage,
} from '../../api/orders.ts';
import { useStores } from '../../api/stores.ts';
import { useAreaErrorMessage } from '../../components/area-error.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { Card, Page } from '../../components/page.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { useFormat } from '../../i18n/format.ts';
import { LiveIndicator } from './live-indicator.tsx';
import '../../styles/orders.css';

/** One order: customer, items, the WhatsApp thread, the timeline, and what the merchant can do. */
export default function OrderPage() {
  const { t } = useTranslation('orders');
  const { id = '' } = useParams();
  const order = useOrder(id);
  const refreshOrder = useRefreshOrder();
  const streamState = useOrderStream((change) => {
    if (change.orderId === id) void refreshOrder(id);
  });

  // The number is isolated (FSI…PDI) so "#A12" keeps its order inside an Arabic title.
  const title = order.data ? t('detail.title', { number: `\u2068${order.data.number}\u2069` }) : t('detail.loadingTitle');

  return (
    <Page title={title} actions={<LiveIndicator state={streamState} />}>
      <p>
        <Link to="/orders">{t('detail.back')}</Link>
      </p>
      {order.isPending ? <Loading label={t('detail.loading')} /> : null}
      {order.isError ? <ErrorState error={order.error} onRetry={order.error instanceof ApiError && order.error.status === 404 ? undefined : () => void order.refetch()} /> : null}
      {order.data ? <OrderView order={order.data} /> : null}
    </Page>
  );
}

const OrderView = ({ order }: { order: OrderDetail }) => {
  const { t } = useTranslation('orders');
  const format = useFormat();
  const stores = useStores();
  const storeName = stores.data?.find((store) => store.id === order.storeId)?.name;

  return (
    <div className="order-detail">
      <Card title={t('detail.statusTitle')} className="order-status-card">
        <div className="order-status-line">
          <StatusBadge kind="order" status={order.status} />
          <span className="muted">{t('detail.updated', { at: format.dateTime(order.updatedAt) })}</span>
        </div>
        {order.failureReason ? <FailureReason reason={order.failureReason} phoneProblem={order.phoneProblem} /> : null}
        {order.customerInitiatedLink ? <CustomerInitiatedLink link={order.customerInitiatedLink} /> : null}
        <OrderActions order={order} />
      </Card>

      <Card title={t('detail.customerTitle')}>
        <dl className="order-facts">
          <dt>{t('detail.name')}</dt>
          <dd>{order.customerName ? <bdi>{order.customerName}</bdi> : <span className="muted">{t('list.noName')}</span>}</dd>
          <dt>{t('detail.phone')}</dt>
          <dd>
            {order.customerPhone ? <bdi dir="ltr">{order.customerPhone}</bdi> : <span className="muted">{t(`phoneProblems.${order.phoneProblem ?? 'missing'}`, { defaultValue: t('phoneProblems.missing') })}</span>}
            {order.customerPhoneRaw && order.customerPhoneRaw !== order.customerPhone ? (
              <span className="muted order-raw-phone">{t('detail.phoneAsTyped')} <bdi dir="ltr">{order.customerPhoneRaw}</bdi></span>
            ) : null}
          </dd>
          <dt>{t('detail.address')}</dt>
          <dd><ShippingAddress address={order.shippingAddress} /></dd>
        </dl>
      </Card>

      <Card title={t('detail.orderTitle')}>
        <dl className="order-facts">
          <dt>{t('detail.store')}</dt>
          <dd>{storeName ? <bdi>{storeName}</bdi> : <span className="muted">{t('list.unknownStore')}</span>}</dd>
          <dt>{t('detail.placedAt')}</dt>
          <dd><time dateTime={order.platformCreatedAt}>{format.dateTime(order.platformCreatedAt)}</time></dd>
          <dt>{t('detail.receivedAt')}</dt>
          <dd><time dateTime={order.createdAt}>{format.dateTime(order.createdAt)}</time></dd>
          <dt>{t('detail.payment')}</dt>
          <dd>
            {order.paymentMethod ? <bdi>{order.paymentMethod}</bdi> : null}
            <span className={`badge ${order.isCod ? 'badge-good' : 'badge-neutral'} order-cod`}>{order.isCod ? t('detail.cod') : t('detail.notCod')}</span>
          </dd>
          <dt>{t('detail.code')}</dt>
          <dd><code dir="ltr">{order.code}</code></dd>
        </dl>
        <OrderItems order={order} />
      </Card>

      <Card title={t('thread.title')} className="order-thread-card">
        <MessageThread messages={order.messages} />
      </Card>

      <Card title={t('timeline.title')}>
        <Timeline events={order.events} />
      </Card>
    </div>
  );
};

/** Why an order was not (or could not be) asked, in the merchant's words. */
const FailureReason = ({ reason, phoneProblem }: { reason: string; phoneProblem: string | null }) => {
  const { t, i18n } = useTranslation('orders');
  const known = i18n.exists(`orders:reasons.${reason}`);

  return (
    <div className="order-reason" role="note">
      <AlertCircle size={18} aria-hidden="true" />
      <div>
        <p className="order-reason-text">{known ? t(`reasons.${reason}`) : t('reasons.unknown', { reason })}</p>
        {reason === 'invalid_phone' && phoneProblem ? <p className="muted">{t(`phoneProblems.${phoneProblem}`, { defaultValue: '' })}</p> : null}
      </div>
    </div>
  );
};

const WA_ME = /^https:\/\/wa\.me\/\d+(\?.*)?$/;

/** The link for the store's thank-you page when WhatsApp refused to let the number write first. */
const CustomerInitiatedLink = ({ link }: { link: string }) => {
  const { t } = useTranslation('orders');
  const isWaMe = WA_ME.test(link);

  return (
    <div className="order-wa-link">
      <p className="order-wa-link-title">{t('detail.customerLinkTitle')}</p>
      <p className="muted">{t('detail.customerLinkHint')}</p>
      <div className="copy-field-row">
        <code className="copy-field-value" dir="ltr">{link}</code>
        <CopyButton value={link} label={t('detail.copyCustomerLink')} />
        {isWaMe ? (
          <a className="button button-small" href={link} target="_blank" rel="noopener noreferrer">
            <ExternalLink size={16} aria-hidden="true" />
            <span>{t('detail.openLink')}</span>
          </a>
        ) : null}
      </div>
    </div>
  );
};

type Action = 'resend' | 'confirmed' | 'cancelled';

/** Resend (one credit) and manual confirm/cancel, each asked once more before it is sent. */
const OrderActions = ({ order }: { order: OrderDetail }) => {
  const { t } = useTranslation('orders');
  const errorMessage = useAreaErrorMessage('orders');
  const client = useQueryClient();
  const refreshOrder = useRefreshOrder();
  const [asking, setAsking] = useState<Action | null>(null);
  const [done, setDone] = useState<Action | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmButton.current?.focus();
  }, [asking]);

  const action = useMutation({
    mutationFn: async (chosen: Action): Promise<void> => {
      if (chosen === 'resend') await resendOrder(order.id);
      else await decideOrder(order.id, chosen);
    },
    onSuccess: async (_answer, chosen) => {
      setAsking(null);
      setDone(chosen);
      await Promise.all([refreshOrder(order.id), client.invalidateQueries({ queryKey: ['orders', 'list'] })]);
    },
  });
  const ask = (chosen: Action) => {
    action.reset();
    setDone(null);
    setAsking(chosen);
  };
  const canResend = RESENDABLE_STATUSES.has(order.status);

  return (
    <div className="order-actions">
      <div className="row">
        {canResend ? (
          <button type="button" className="button" disabled={action.isPending} onClick={() => ask('resend')}>{t('actions.resend')}</button>
        ) : null}
        {order.status !== 'confirmed' ? (
          <button type="button" className="button" disabled={action.isPending} onClick={() => ask('confirmed')}>{t('actions.confirm')}</button>
        ) : null}
        {order.status !== 'cancelled' ? (
          <button type="button" className="button" disabled={action.isPending} onClick={() => ask('cancelled')}>{t('actions.cancel')}</button>
        ) : null}
      </div>
      {asking ? (
        <div className="order-confirm" role="group" aria-labelledby="order-confirm-question">
          <p id="order-confirm-question">{t(`actions.ask.${asking}`)}</p>
          <div className="row">
            <button
              ref={confirmButton}
              type="button"
              className={`button ${asking === 'cancelled' ? 'button-danger' : 'button-primary'}`}
              disabled={action.isPending}
              onClick={() => action.mutate(asking)}
            >
              {action.isPending ? t('actions.sending') : t(`actions.yes.${asking}`)}
            </button>
            <button type="button" className="button" disabled={action.isPending} onClick={() => setAsking(null)}>{t('actions.keep')}</button>
          </div>
        </div>
      ) : null}
      {action.isError ? <p className="form-error" role="alert">{errorMessage(action.error)}</p> : null}
      {done ? <p className="order-done" role="status">{t(`actions.done.${done}`)}</p> : null}
    </div>
  );
};

const textOf = (value: unknown): string | null => {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);

  return null;
};

const recordOf = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

const useCountryName = () => {
  const { i18n } = useTranslation();

  return (code: string): string => {
    try {
      return new Intl.DisplayNames([i18n.language], { type: 'region' }).of(code.toUpperCase()) ?? code;
    } catch {
      return code;
    }
  };
};

/** The stored normalized address (DESIGN.md §5.4): every line the customer typed, as text. */
const ShippingAddress = ({ address }: { address: Record<string, unknown> | null }) => {
  const { t } = useTranslation('orders');
  const countryName = useCountryName();
  const fields = recordOf(address);
  const line1 = textOf(fields.line1);
  const line2 = textOf(fields.line2);
  const city = textOf(fields.city);
  const region = textOf(fields.region);
  const postalCode = textOf(fields.postalCode);
  const countryCode = textOf(fields.countryCode);
  const cityLine = [city, region, postalCode].filter((part): part is string => part !== null);
  if (!line1 && !line2 && cityLine.length === 0 && !countryCode) return <span className="muted">{t('detail.noAddress')}</span>;

  return (
    <address className="order-address">
      {line1 ? <span dir="auto">{line1}</span> : null}
      {line2 ? <span dir="auto">{line2}</span> : null}
      {cityLine.length > 0 ? <span dir="auto">{cityLine.join(t('detail.addressSeparator'))}</span> : null}
      {countryCode ? <span>{countryName(countryCode)}</span> : null}
    </address>
  );
};

const OrderItems = ({ order }: { order: OrderDetail }) => {
  const { t } = useTranslation('orders');
  const format = useFormat();
  const items = order.items.map((item) => {
    const fields = recordOf(item);
    const quantity = Number(fields.quantity);

    return {
      name: textOf(fields.name),
      variant: textOf(fields.variant),
      sku: textOf(fields.sku),
      quantity: Number.isFinite(quantity) ? quantity : null,
      unitPrice: textOf(fields.unitPrice),
    };
  });

  return (
    <div className="table-wrap order-items">
      <table>
        <caption className="visually-hidden">{t('items.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('items.name')}</th>
            <th scope="col">{t('items.quantity')}</th>
            <th scope="col">{t('items.unitPrice')}</th>
          </tr>
        </thead>
        <tbody>
          {items.length === 0 ? (
            <tr><td colSpan={3} className="muted">{t('items.none')}</td></tr>
          ) : (
            items.map((item, index) => (
              // Items have no id of their own; their position in the order is stable.
              <tr key={index}>
                <td>
                  <span className="order-item-name" dir={item.name ? 'auto' : undefined}>{item.name ?? t('items.unnamed')}</span>
                  {item.variant ? <span className="muted order-item-variant" dir="auto">{item.variant}</span> : null}
                  {item.sku ? <span className="muted order-item-variant">{t('items.sku', { sku: item.sku })}</span> : null}
                </td>
                <td>{item.quantity === null ? '' : format.number(item.quantity)}</td>
                <td>{item.unitPrice === null ? '' : format.money(item.unitPrice, order.currency)}</td>
              </tr>
            ))
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>{t('items.total')}</th>
            <td className="order-total">{format.money(order.total, order.currency)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
};

/** WhatsApp's ticks: ✓ sent, ✓✓ delivered, blue ✓✓ read; each with its words for screen readers. */
const Ticks = ({ message }: { message: OrderMessage }) => {
  const { t } = useTranslation('orders');
  const label = t(`common:status.message.${message.status}`, { defaultValue: message.status });
  const icon = {
    queued: <Clock size={16} aria-hidden="true" />,
    sent: <Check size={16} aria-hidden="true" />,
    delivered: <CheckCheck size={16} aria-hidden="true" />,
    read: <CheckCheck size={16} aria-hidden="true" />,
    failed: <AlertCircle size={16} aria-hidden="true" />,
  }[message.status];
  if (!icon) return null;

  return (
    <span className={`ticks ticks-${message.status}`} role="img" aria-label={label} title={label}>
      {icon}
    </span>
  );
};

const MessageThread = ({ messages }: { messages: OrderMessage[] }) => {
  const { t, i18n } = useTranslation('orders');
  const format = useFormat();
  if (messages.length === 0) return <p className="muted">{t('thread.empty')}</p>;

  return (
    <ol className="thread">
      {messages.map((message) => {
        const kindKey = `orders:messageKinds.${message.kind}`;
        const reasonKey = message.error ? `orders:reasons.${message.error}` : null;

        return (
          <li key={message.id} className={`bubble bubble-${message.direction}${message.status === 'failed' ? ' bubble-failed' : ''}`}>
            <p className="bubble-meta">
              <span className="bubble-kind">{i18n.exists(kindKey) ? t(kindKey) : message.kind}</span>
              <span className="visually-hidden">{t(`thread.direction.${message.direction}`)}</span>
            </p>
            {message.text === null ? <p className="bubble-text muted">{t('thread.textRemoved')}</p> : <p className="bubble-text" dir="auto">{message.text}</p>}
            <p className="bubble-footer">
              <time dateTime={message.createdAt}>{format.dateTime(message.createdAt)}</time>
              {message.direction === 'outbound' ? <Ticks message={message} /> : null}
            </p>
            {message.error ? (
              <p className="bubble-error">{reasonKey && i18n.exists(reasonKey) ? t(reasonKey) : t('reasons.unknown', { reason: message.error })}</p>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
};

const Timeline = ({ events }: { events: OrderEvent[] }) => {
  const { t, i18n } = useTranslation('orders');
  const format = useFormat();
  if (events.length === 0) return <p className="muted">{t('timeline.empty')}</p>;
  const causeText = (cause: string): string => {
    if (i18n.exists(`orders:causes.${cause}`)) return t(`causes.${cause}`);
    if (i18n.exists(`orders:reasons.${cause}`)) return t(`reasons.${cause}`);

    return t('causes.unknown', { cause });
  };

  return (
    <ol className="timeline">
      {events.map((event, index) => (
        // Events carry no id; they never reorder (sorted by time by the API).
        <li key={`${event.at}-${index}`} className="timeline-event">
          <time dateTime={event.at} className="timeline-time">{format.dateTime(event.at)}</time>
          <StatusBadge kind="order" status={event.status} />
          <span className="timeline-cause">{causeText(event.cause)}</span>
        </li>
      ))}
    </ol>
  );
};

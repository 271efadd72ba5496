import { CheckCircle2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { canRelink, RELINKABLE_STATUSES, useDeleteNumber, useNumber, useRelinkNumber, type WhatsappNumber } from '../../api/numbers.ts';
import { ConfirmAction } from '../../components/confirm-action.tsx';
import { CopyField } from '../../components/copy-button.tsx';
import { Card, Page } from '../../components/page.tsx';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { useFormat } from '../../i18n/format.ts';
import '../../styles/numbers.css';
import { LinkingPanel } from './linking-panel.tsx';

/** A phone number keeps its "+" in front inside right-to-left text (Unicode left-to-right isolate). */
const isolateLeftToRight = (text: string): string => `\u2066${text}\u2069`;

/**
 * A history reason the server writes with a code first (`temporarily_banned until <time>`,
 * `client_outdated: ...`): shown in the merchant's language; any other reason as written.
 */
const useReasonText = (): ((reason: string) => string) => {
  const { t, i18n } = useTranslation('numbers');
  const format = useFormat();

  return (reason) => {
    const match = /^([a-z_]+)(?: until (\S+)|:.*)?$/.exec(reason);
    const key = `reasons.${match?.[1] ?? ''}`;
    if (!match || !i18n.exists(key, { ns: 'numbers' })) return reason;

    return t(key, { until: match[2] ? format.dateTime(match[2]) : '' });
  };
};

/** WhatsApp's restrictions in force on the number, with when they end. */
const PauseNotices = ({ number }: { number: WhatsappNumber }) => {
  const { t } = useTranslation('numbers');
  const format = useFormat();

  return (
    <>
      {number.connectPausedUntil ? <p role="status">{t('pause.connect', { until: format.dateTime(number.connectPausedUntil) })}</p> : null}
      {number.firstContactPausedUntil ? <p role="status">{t('pause.firstContact', { until: format.dateTime(number.firstContactPausedUntil) })}</p> : null}
    </>
  );
};

/** The advice points at "Link again" only where that button is shown (linked-device numbers). */
const adviceKey = (number: WhatsappNumber): string =>
  RELINKABLE_STATUSES.includes(number.status) && !canRelink(number) ? `status.adviceWithoutRelink.${number.status}` : `status.advice.${number.status}`;

const RelinkError = ({ error }: { error: unknown }) => {
  const { t } = useTranslation('numbers');
  if (error instanceof ApiError && error.code === 'invalid_state') return <p className="form-error" role="alert">{t('relink.stateChanged')}</p>;

  return <FormError error={error} />;
};

/** Forgets the old device; the page then shows the live QR code, as for a new number. */
const RelinkNumber = ({ number, onRelinked }: { number: WhatsappNumber; onRelinked: () => void }) => {
  const { t } = useTranslation('numbers');
  const relink = useRelinkNumber();

  return (
    <div className="stack">
      <RelinkError error={relink.error} />
      <p>
        <button type="button" className="button button-primary" disabled={relink.isPending} onClick={() => relink.mutate(number.id, { onSuccess: onRelinked })}>
          {relink.isPending ? t('relink.pending') : t('relink.button')}
        </button>
      </p>
    </div>
  );
};

const StatusCard = ({ number, onRelinked }: { number: WhatsappNumber; onRelinked: () => void }) => {
  const { t } = useTranslation('numbers');
  const format = useFormat();

  return (
    <Card title={t('status.title')}>
      <div className="stack">
        <p className="row" aria-live="polite">
          <StatusBadge kind="number" status={number.status} />
        </p>
        <p>{t(adviceKey(number))}</p>
        <PauseNotices number={number} />
        <dl className="number-facts">
          <div>
            <dt>{t('list.provider')}</dt>
            <dd>{t(`providers.${number.provider}.short`)}</dd>
          </div>
          <div>
            <dt>{t('list.phone')}</dt>
            <dd>{number.phone ? <span dir="ltr">{number.phone}</span> : t('notLinkedYet')}</dd>
          </div>
          {number.linkedAt ? (
            <div>
              <dt>{t('status.linkedAt')}</dt>
              <dd><time dateTime={number.linkedAt}>{format.dateTime(number.linkedAt)}</time></dd>
            </div>
          ) : null}
          {number.lastConnectedAt ? (
            <div>
              <dt>{t('status.lastConnectedAt')}</dt>
              <dd><time dateTime={number.lastConnectedAt}>{format.dateTime(number.lastConnectedAt)}</time></dd>
            </div>
          ) : null}
        </dl>
        {canRelink(number) ? (
          <RelinkNumber number={number} onRelinked={onRelinked} />
        ) : number.status === 'logged_out' || number.status === 'banned' ? (
          <p>
            <Link className="button" to="/numbers?link=1">{t('status.linkAnother')}</Link>
          </p>
        ) : null}
      </div>
    </Card>
  );
};

const HistoryCard = ({ number }: { number: WhatsappNumber }) => {
  const { t } = useTranslation('numbers');
  const format = useFormat();
  const reasonText = useReasonText();

  return (
    <Card title={t('history.title')}>
      {number.history.length === 0 ? (
        <p className="muted">{t('history.empty')}</p>
      ) : (
        <ol className="number-history">
          {number.history.map((entry, index) => (
            <li key={`${entry.at}-${index}`}>
              <StatusBadge kind="number" status={entry.status} />
              <time dateTime={entry.at}>{format.dateTime(entry.at)}</time>
              {entry.reason ? <span className="muted">{reasonText(entry.reason)}</span> : null}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
};

const CloudWebhookCard = ({ webhookUrl }: { webhookUrl: string }) => {
  const { t } = useTranslation('numbers');

  return (
    <Card title={t('cloudWebhook.title')}>
      <div className="stack">
        <CopyField label={t('cloudWebhook.url')} value={webhookUrl} />
        <ol className="link-steps">
          <li>{t('cloudWebhook.steps.open')}</li>
          <li>{t('cloudWebhook.steps.callback')}</li>
          <li>{t('cloudWebhook.steps.verify')}</li>
          <li>{t('cloudWebhook.steps.subscribe')}</li>
        </ol>
      </div>
    </Card>
  );
};

const DeleteNumber = ({ number }: { number: WhatsappNumber }) => {
  const { t } = useTranslation('numbers');
  const navigate = useNavigate();
  const remove = useDeleteNumber();

  return (
    <Card title={t('delete.title')}>
      <ConfirmAction
        label={t('delete.button')}
        confirmLabel={t('delete.confirm')}
        pending={remove.isPending}
        error={remove.error}
        onConfirm={async () => {
          await remove.mutateAsync(number.id);
          navigate('/numbers');
        }}
      >
        <p>{t('delete.explanation')}</p>
      </ConfirmAction>
    </Card>
  );
};

export default function NumberPage() {
  const { t } = useTranslation('numbers');
  const { id = '' } = useParams();
  const number = useNumber(id);
  const status = number.data?.status;
  // "Connected" is celebrated only when it happens while the merchant watches the QR.
  const [sawLinking, setSawLinking] = useState(false);
  useEffect(() => {
    if (status === 'pending_link') setSawLinking(true);
  }, [status]);
  // After "Link again" the QR panel appears above the button: focus moves there, so it is in view and announced.
  const [isRelinked, setRelinked] = useState(false);

  if (number.isPending) return <Page title={t('titleOne')}><Loading /></Page>;
  if (number.isError) {
    return (
      <Page title={t('titleOne')}>
        <ErrorState error={number.error} onRetry={() => void number.refetch()} />
        <p><Link to="/numbers">{t('backToList')}</Link></p>
      </Page>
    );
  }
  const current = number.data;
  const justConnected = sawLinking && current.status === 'connected';

  return (
    <Page title={current.phone ? isolateLeftToRight(current.phone) : t('titleOne')} actions={<Link className="button" to="/numbers">{t('backToList')}</Link>}>
      {justConnected ? (
        <div className="connected-banner" role="status">
          <CheckCircle2 size={28} aria-hidden="true" />
          <div>
            <p className="connected-title">{t('connected.title')}</p>
            <p>{t('connected.body')}</p>
            <Link to="/stores">{t('connected.next')}</Link>
          </div>
        </div>
      ) : null}
      {current.status === 'pending_link' && current.provider === 'linked' ? <LinkingPanel number={current} shouldTakeFocus={isRelinked} /> : null}
      {current.status === 'pending_link' && current.provider === 'simulator' ? (
        <EmptyState title={t('simulator.linking')}>
          <Loading label={t('simulator.wait')} />
        </EmptyState>
      ) : null}
      {current.provider === 'cloud' && current.webhookUrl ? <CloudWebhookCard webhookUrl={current.webhookUrl} /> : null}
      <StatusCard number={current} onRelinked={() => setRelinked(true)} />
      <HistoryCard number={current} />
      <DeleteNumber number={current} />
    </Page>
  );
}

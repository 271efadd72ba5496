import { useMutation } from '@tanstack/react-query';
import { ExternalLink } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import {
  isWebUrl, openPortal, startCheckout, startTopUp, TOP_UP_MAXIMUM_CREDITS, TOP_UP_MINIMUM_CREDITS, useBilling,
  type Billing, type Invoice, type LedgerEntry, type Plan,
} from '../../api/billing.ts';
import { ApiError } from '../../api/client.ts';
import { useAreaErrorMessage } from '../../components/area-error.tsx';
import { TextField } from '../../components/field.tsx';
import { Card, Page } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { useFormat } from '../../i18n/format.ts';
import '../../styles/billing.css';

/** Sends the merchant to the Stripe page the API answered (checkout, top-up or portal). */
const goTo = (answer: { url: string }) => {
  if (!isWebUrl(answer.url)) throw new ApiError(502, 'upstream_failed', 'Stripe answered an address that is not a web page');
  window.location.assign(answer.url);
};

const isNotConfigured = (error: unknown) => error instanceof ApiError && error.code === 'billing_not_configured';

/** An action's error in the words of this page when it has some, else the shared ones. */
const useBillingError = () => useAreaErrorMessage('billing');

/** Credits, plan, top-ups and invoices; still useful when this server has no Stripe account. */
export default function BillingPage() {
  const { t } = useTranslation('billing');
  const billing = useBilling();

  return (
    <Page title={t('title')}>
      <ReturnNotice />
      {billing.isPending ? <Loading /> : null}
      {billing.isError ? <ErrorState error={billing.error} onRetry={() => void billing.refetch()} /> : null}
      {billing.data ? <BillingView billing={billing.data} /> : null}
    </Page>
  );
}

/** What Stripe sent the merchant back with (?checkout= or ?top-up=, see src/billing/billing-service.ts). */
const ReturnNotice = () => {
  const { t } = useTranslation('billing');
  const [searchParams] = useSearchParams();
  const checkout = searchParams.get('checkout');
  const topUp = searchParams.get('top-up');
  const outcome = checkout === 'success' || topUp === 'success' ? 'success' : checkout === 'cancelled' || topUp === 'cancelled' ? 'cancelled' : null;
  if (!outcome) return null;

  return (
    <p className={`billing-return billing-return-${outcome}`} role="status">
      {t(`return.${topUp ? 'topUp' : 'checkout'}.${outcome}`)}
    </p>
  );
};

const BillingView = ({ billing }: { billing: Billing }) => {
  const { t } = useTranslation('billing');
  const format = useFormat();
  // A 503 from any action means the same as configured:false: say it once, hide what cannot work.
  const [refusedAsUnconfigured, setRefusedAsUnconfigured] = useState(false);
  const configured = billing.configured && !refusedAsUnconfigured;
  const currentPlan = billing.plans.find((plan) => plan.id === billing.plan);
  const onActionError = (error: unknown) => {
    if (isNotConfigured(error)) setRefusedAsUnconfigured(true);
  };

  return (
    <div className="billing">
      {configured ? null : (
        <div className="billing-unconfigured" role="note">
          <p className="billing-unconfigured-title">{t('notConfigured.title')}</p>
          <p>{t('notConfigured.body')}</p>
        </div>
      )}

      <div className="billing-summary">
        <Card title={t('balance.title')}>
          <p className="stat-value">{t('balance.credits', { count: billing.balance, formatted: format.number(billing.balance) })}</p>
          <p className="muted">{t('balance.hint')}</p>
        </Card>
        <Card title={t('plan.title')}>
          <p className="stat-value">{currentPlan?.name ?? billing.plan}</p>
          {currentPlan && currentPlan.monthlyCredits > 0 ? (
            <p className="muted">{t('plan.monthly', { count: currentPlan.monthlyCredits, formatted: format.number(currentPlan.monthlyCredits) })}</p>
          ) : (
            <p className="muted">{t('plan.free')}</p>
          )}
          {configured ? <PortalButton onError={onActionError} /> : null}
        </Card>
      </div>

      <Card title={t('plans.title')}>
        <Plans plans={billing.plans} currentPlanId={billing.plan} configured={configured} onError={onActionError} />
      </Card>

      {configured ? (
        <Card title={t('topUp.title')}>
          <TopUp onError={onActionError} />
        </Card>
      ) : null}

      <Card title={t('ledger.title')}>
        <Ledger entries={billing.ledger} />
      </Card>

      <Card title={t('invoices.title')}>
        <Invoices invoices={billing.invoices} />
      </Card>
    </div>
  );
};

const PortalButton = ({ onError }: { onError: (error: unknown) => void }) => {
  const { t } = useTranslation('billing');
  const describe = useBillingError();
  const portal = useMutation({ mutationFn: openPortal, onSuccess: goTo, onError });

  return (
    <div className="stack billing-portal">
      <button type="button" className="button" disabled={portal.isPending} onClick={() => portal.mutate()}>
        {portal.isPending ? t('opening') : t('plan.manage')}
      </button>
      <p className="muted">{t('plan.manageHint')}</p>
      {portal.isError && !isNotConfigured(portal.error) ? <p className="form-error" role="alert">{describe(portal.error)}</p> : null}
    </div>
  );
};

const Plans = ({ plans, currentPlanId, configured, onError }: { plans: Plan[]; currentPlanId: string; configured: boolean; onError: (error: unknown) => void }) => {
  const { t } = useTranslation('billing');
  const format = useFormat();
  const describe = useBillingError();
  const checkout = useMutation({ mutationFn: startCheckout, onSuccess: goTo, onError });

  return (
    <>
      <ul className="billing-plans">
        {plans.map((plan) => {
          const isCurrent = plan.id === currentPlanId;
          const canBuy = configured && !isCurrent && plan.stripePriceId !== null;

          return (
            <li key={plan.id} className={`billing-plan${isCurrent ? ' billing-plan-current' : ''}`}>
              <h3>{plan.name}</h3>
              <p className="billing-plan-price">{t('plans.perMonth', { price: format.money(plan.price, plan.currency) })}</p>
              <p>{plan.monthlyCredits > 0 ? t('plans.credits', { count: plan.monthlyCredits, formatted: format.number(plan.monthlyCredits) }) : t('plans.noMonthlyCredits')}</p>
              {isCurrent ? <p className="badge badge-good">{t('plans.current')}</p> : null}
              {canBuy ? (
                <button
                  type="button"
                  className="button button-primary"
                  disabled={checkout.isPending}
                  aria-label={t('plans.chooseNamed', { name: plan.name })}
                  onClick={() => checkout.mutate(plan.id)}
                >
                  {checkout.isPending && checkout.variables === plan.id ? t('opening') : t('plans.choose')}
                </button>
              ) : null}
              {configured && !isCurrent && plan.stripePriceId === null && plan.monthlyCredits > 0 ? <p className="muted">{t('plans.unavailable')}</p> : null}
            </li>
          );
        })}
      </ul>
      {checkout.isError && !isNotConfigured(checkout.error) ? <p className="form-error" role="alert">{describe(checkout.error)}</p> : null}
    </>
  );
};

const TopUp = ({ onError }: { onError: (error: unknown) => void }) => {
  const { t } = useTranslation('billing');
  const format = useFormat();
  const describe = useBillingError();
  const [credits, setCredits] = useState(String(TOP_UP_MINIMUM_CREDITS * 5));
  const [invalid, setInvalid] = useState(false);
  const topUp = useMutation({ mutationFn: startTopUp, onSuccess: goTo, onError });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const amount = Number(credits);
    const isValid = Number.isInteger(amount) && amount >= TOP_UP_MINIMUM_CREDITS && amount <= TOP_UP_MAXIMUM_CREDITS;
    setInvalid(!isValid);
    if (isValid) topUp.mutate(amount);
  };
  const range = { min: format.number(TOP_UP_MINIMUM_CREDITS), max: format.number(TOP_UP_MAXIMUM_CREDITS) };

  return (
    <form onSubmit={submit} noValidate className="billing-top-up">
      <TextField
        label={t('topUp.credits')}
        hint={t('topUp.hint', range)}
        error={invalid ? t('topUp.outOfRange', range) : null}
        type="number"
        inputMode="numeric"
        name="credits"
        min={TOP_UP_MINIMUM_CREDITS}
        max={TOP_UP_MAXIMUM_CREDITS}
        step={1}
        required
        value={credits}
        onChange={(event) => setCredits(event.target.value)}
      />
      <div>
        <button type="submit" className="button button-primary" disabled={topUp.isPending}>
          {topUp.isPending ? t('opening') : t('topUp.buy')}
        </button>
      </div>
      {topUp.isError && !isNotConfigured(topUp.error) ? <p className="form-error" role="alert">{describe(topUp.error)}</p> : null}
    </form>
  );
};

const Ledger = ({ entries }: { entries: LedgerEntry[] }) => {
  const { t, i18n } = useTranslation('billing');
  const format = useFormat();
  if (entries.length === 0) return <EmptyState title={t('ledger.empty')} />;

  return (
    <div className="table-wrap">
      <table className="billing-ledger">
        <caption className="visually-hidden">{t('ledger.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('ledger.date')}</th>
            <th scope="col">{t('ledger.kind')}</th>
            <th scope="col">{t('ledger.credits')}</th>
            <th scope="col">{t('ledger.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td><time dateTime={entry.createdAt}>{format.dateTime(entry.createdAt)}</time></td>
              <td>{i18n.exists(`billing:ledger.kinds.${entry.kind}`) ? t(`ledger.kinds.${entry.kind}`) : entry.kind}</td>
              <td className={entry.credits < 0 ? 'billing-debit' : 'billing-credit'}>
                <bdi dir="ltr">{entry.credits > 0 ? `+${format.number(entry.credits)}` : format.number(entry.credits)}</bdi>
              </td>
              <td dir="auto">{entry.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

const Invoices = ({ invoices }: { invoices: Invoice[] }) => {
  const { t, i18n } = useTranslation('billing');
  const format = useFormat();
  if (invoices.length === 0) return <EmptyState title={t('invoices.empty')} />;

  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{t('invoices.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('invoices.date')}</th>
            <th scope="col">{t('invoices.amount')}</th>
            <th scope="col">{t('invoices.status')}</th>
            <th scope="col">{t('invoices.link')}</th>
          </tr>
        </thead>
        <tbody>
          {invoices.map((invoice) => (
            <tr key={invoice.id}>
              <td><time dateTime={invoice.createdAt}>{format.date(invoice.createdAt)}</time></td>
              <td>{format.money(invoice.amountPaid, invoice.currency)}</td>
              <td>{i18n.exists(`billing:invoices.statuses.${invoice.status}`) ? t(`invoices.statuses.${invoice.status}`) : invoice.status}</td>
              <td>
                {isWebUrl(invoice.url) ? (
                  <a href={invoice.url} target="_blank" rel="noopener noreferrer">
                    <span>{t('invoices.view')}</span>
                    <ExternalLink size={14} aria-hidden="true" />
                    <span className="visually-hidden">{t('invoices.opensNewTab')}</span>
                  </a>
                ) : (
                  <span className="muted">{t('invoices.noLink')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

import '../../styles/setup.css';
import { Check } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useStoreChoices } from '../../api/account.ts';
import { useSignedInSession } from '../../api/session.ts';
import { Card, Page } from '../../components/page.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { useFormat } from '../../i18n/format.ts';
import { ResendVerification } from '../auth/resend-verification.tsx';
import { isNumberReady, useLatestTestOrder, useSetupNumbers, useWatchedOrder } from './setup-data.ts';
import { TestOrderForm } from './test-order-form.tsx';
import { TestOrderWatch } from './test-order-watch.tsx';

const STEPS = ['email', 'number', 'store', 'test', 'confirmed'] as const;
type StepId = (typeof STEPS)[number];
type StepState = 'done' | 'current' | 'todo';

const StepSection = ({ id, index, state, children }: { id: StepId; index: number; state: StepState; children: ReactNode }) => {
  const { t } = useTranslation('setup');
  const format = useFormat();

  return (
    <section className={`card setup-section setup-section-${state}`} id={`setup-${id}`} aria-labelledby={`setup-${id}-title`}>
      <header className="setup-section-header">
        <span className="setup-marker" aria-hidden="true">{state === 'done' ? <Check size={16} /> : format.number(index + 1)}</span>
        <h2 id={`setup-${id}-title`} className="card-title">{t(`steps.${id}.title`)}</h2>
        <span className={`badge badge-${state === 'done' ? 'good' : state === 'current' ? 'wait' : 'neutral'}`}>{t(`state.${state}`)}</span>
      </header>
      {children}
    </section>
  );
};

/**
 * The guided first run (DESIGN.md §5.5): verify email → link a number → connect a store → send a
 * test order → see it confirmed. Every step's state comes from the API, so the page picks up where
 * the merchant left it; nothing here is required to use any other page.
 */
export default function SetupPage() {
  const { t } = useTranslation('setup');
  const format = useFormat();
  const session = useSignedInSession();
  const numbers = useSetupNumbers();
  const stores = useStoreChoices();
  const latestTestOrder = useLatestTestOrder();
  const [sentOrderId, setSentOrderId] = useState<string | null>(null);
  const watchedOrderId = sentOrderId ?? latestTestOrder.data?.id ?? null;
  const watchedOrder = useWatchedOrder(watchedOrderId);
  const skip = <Link className="button button-quiet" to="/">{t('skip')}</Link>;

  if (numbers.isPending || stores.isPending || latestTestOrder.isPending) {
    return (
      <Page title={t('title')} actions={skip}>
        <Loading />
      </Page>
    );
  }
  const failed = [numbers, stores, latestTestOrder].find((query) => query.isError);
  if (failed || !numbers.data || !stores.data) {
    const retry = () => {
      for (const query of [numbers, stores, latestTestOrder]) if (query.isError) void query.refetch();
    };

    return (
      <Page title={t('title')} actions={skip}>
        <ErrorState error={failed?.error} onRetry={retry} />
      </Page>
    );
  }

  const readyNumber = numbers.data.find(isNumberReady) ?? null;
  const waitingNumber = numbers.data.find((number) => !isNumberReady(number)) ?? null;
  const testStatus = watchedOrder.data?.status ?? (watchedOrderId === latestTestOrder.data?.id ? latestTestOrder.data?.status : undefined);
  const done: Record<StepId, boolean> = {
    email: session.user.emailVerified,
    number: readyNumber !== null,
    store: stores.data.length > 0,
    test: watchedOrderId !== null,
    confirmed: testStatus === 'confirmed',
  };
  const current = STEPS.find((step) => !done[step]) ?? null;
  const stateOf = (step: StepId): StepState => (done[step] ? 'done' : step === current ? 'current' : 'todo');
  const doneCount = STEPS.filter((step) => done[step]).length;

  return (
    <Page title={t('title')} actions={skip}>
      <p className="muted">{t('intro')}</p>
      <div className="card setup-progress">
        <p id="setup-progress-label" className="setup-progress-text">
          {t('progress', { done: format.number(doneCount), total: format.number(STEPS.length) })}
        </p>
        <progress max={STEPS.length} value={doneCount} aria-labelledby="setup-progress-label" />
        <ol className="setup-steps">
          {STEPS.map((step, index) => {
            const state = stateOf(step);

            return (
              <li key={step} className={`setup-step setup-step-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
                <span className="setup-marker" aria-hidden="true">{state === 'done' ? <Check size={14} /> : format.number(index + 1)}</span>
                <span>{t(`steps.${step}.title`)}</span>
                <span className="visually-hidden">{t(`state.${state}`)}</span>
              </li>
            );
          })}
        </ol>
      </div>

      {current === null ? (
        <Card className="setup-finished" title={t('finished.title')}>
          <p>{t('finished.body')}</p>
          <div className="row">
            <Link className="button button-primary" to="/">{t('finished.overview')}</Link>
            <Link className="button" to="/orders">{t('finished.orders')}</Link>
          </div>
        </Card>
      ) : null}

      <StepSection id="email" index={0} state={stateOf('email')}>
        {done.email ? (
          <p>{t('steps.email.done', { email: session.user.email })}</p>
        ) : (
          <div className="stack">
            <p>{t('steps.email.todo', { email: session.user.email })}</p>
            <ResendVerification email={session.user.email} label={t('steps.email.resend')} />
          </div>
        )}
      </StepSection>

      <StepSection id="number" index={1} state={stateOf('number')}>
        {readyNumber ? (
          <p className="row">
            <span>{t('steps.number.done')}</span>
            <Link to={`/numbers/${encodeURIComponent(readyNumber.id)}`} dir="ltr">{readyNumber.phone ?? readyNumber.id}</Link>
            <StatusBadge kind="number" status={readyNumber.status} />
          </p>
        ) : (
          <div className="stack">
            <p>{t('steps.number.explain')}</p>
            {waitingNumber ? (
              <p className="row">
                <span>{t('steps.number.waiting')}</span>
                <StatusBadge kind="number" status={waitingNumber.status} />
                <Link className="button button-primary" to={`/numbers/${encodeURIComponent(waitingNumber.id)}`}>{t('steps.number.continue')}</Link>
              </p>
            ) : (
              <div>
                <Link className="button button-primary" to="/numbers">{t('steps.number.link')}</Link>
              </div>
            )}
          </div>
        )}
      </StepSection>

      <StepSection id="store" index={2} state={stateOf('store')}>
        {done.store ? (
          <div className="stack">
            <p>{t('steps.store.done')}</p>
            <ul className="setup-store-list">
              {stores.data.map((store) => (
                <li key={store.id}>
                  <Link to={`/stores/${encodeURIComponent(store.id)}`}>{store.name}</Link>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <div className="stack">
            <p>{t('steps.store.explain')}</p>
            <div>
              <Link className="button button-primary" to="/stores">{t('steps.store.connect')}</Link>
            </div>
          </div>
        )}
      </StepSection>

      <StepSection id="test" index={3} state={stateOf('test')}>
        <div className="stack">
          <p>{t('steps.test.explain')}</p>
          {stores.data.length === 0 ? (
            <p className="muted">{t('steps.test.needStore')}</p>
          ) : (
            <>
              {readyNumber ? null : <p className="setup-warning">{t('steps.test.needNumber')}</p>}
              <TestOrderForm stores={stores.data} defaultName={session.user.name} onSent={(result) => setSentOrderId(result.id)} />
            </>
          )}
        </div>
      </StepSection>

      <StepSection id="confirmed" index={4} state={stateOf('confirmed')}>
        {watchedOrderId ? (
          <div className="stack">
            <p>{t('steps.confirmed.explain')}</p>
            <TestOrderWatch order={watchedOrder} />
          </div>
        ) : (
          <p className="muted">{t('steps.confirmed.needTest')}</p>
        )}
      </StepSection>
    </Page>
  );
}

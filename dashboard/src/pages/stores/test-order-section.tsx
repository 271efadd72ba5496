import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../api/session.ts';
import type { Store } from '../../api/stores.ts';
import { currencyForCountry, sendTestOrder, toInternationalPhone, type TestOrderInput } from '../../api/test-order.ts';
import { TextField } from '../../components/field.tsx';
import { FormError } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';

/** A real order through the public API to the merchant's own phone: the whole path, end to end. */
export const TestOrderSection = ({ store }: { store: Store }) => {
  const { t } = useTranslation('stores');
  const session = useSession();
  const [phone, setPhone] = useState('');
  const [phoneProblem, setPhoneProblem] = useState<string | null>(null);
  const send = useMutation({ mutationFn: (input: TestOrderInput) => sendTestOrder(input) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const international = toInternationalPhone(phone);
    if (!international) {
      setPhoneProblem(t('testOrder.phoneInvalid'));
      return;
    }
    setPhoneProblem(null);
    send.mutate({
      storeId: store.id,
      platform: store.platform,
      phone: international,
      customerName: session.data?.user.name || t('testOrder.customer', { lng: store.language }),
      language: store.language,
      currency: currencyForCountry(store.defaultCountry),
      countryCode: store.defaultCountry,
      productName: t('testOrder.product', { lng: store.language }),
    });
  };

  return (
    <section className="card store-section" id="test-order" aria-labelledby="test-order-title">
      <h2 className="card-title" id="test-order-title">{t('testOrder.title')}</h2>
      <p className="muted">{t('testOrder.intro')}</p>
      {store.whatsappNumberId === null ? <p className="notice-warning" role="note">{t('testOrder.noNumber')}</p> : null}
      <form onSubmit={submit} className="stack">
        <TextField
          label={t('testOrder.phone')}
          hint={t('testOrder.phoneHint')}
          type="tel"
          autoComplete="tel"
          dir="ltr"
          required
          value={phone}
          error={phoneProblem}
          onChange={(event) => setPhone(event.target.value)}
        />
        <FormError error={send.error} />
        <div className="row">
          <button type="submit" className="button button-primary" disabled={send.isPending}>
            {send.isPending ? t('testOrder.sending') : t('testOrder.send')}
          </button>
        </div>
      </form>
      {send.data ? (
        <div className="test-order-result" role="status">
          <p className="row">
            <span>{t('testOrder.sent')}</span>
            <StatusBadge kind="order" status={send.data.status} />
          </p>
          <p>{t('testOrder.replyHint')}</p>
          <Link to={`/orders/${encodeURIComponent(send.data.id)}`}>{t('testOrder.open')}</Link>
        </div>
      ) : null}
    </section>
  );
};

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { StoreChoice } from '../../api/account.ts';
import { currencyForCountry, sendTestOrder, testOrderAmount, toInternationalPhone, type TestOrderResult } from '../../api/test-order.ts';
import { AreaFormError } from '../../components/area-error.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { useFormat } from '../../i18n/format.ts';
import { SETUP_TEST_ORDER_QUERY_KEY } from './setup-data.ts';

/**
 * A cash-on-delivery order to the merchant's own phone, through the real path (POST /api/v1/orders),
 * priced in the currency of the store's country and written in the store's language.
 */
export const TestOrderForm = ({ stores, defaultName, onSent }: { stores: StoreChoice[]; defaultName: string; onSent: (result: TestOrderResult) => void }) => {
  const { t, i18n } = useTranslation('setup');
  const format = useFormat();
  const client = useQueryClient();
  const [storeId, setStoreId] = useState(stores[0]?.id ?? '');
  const [phone, setPhone] = useState('');
  const [name, setName] = useState(defaultName);
  const [phoneError, setPhoneError] = useState<string | null>(null);
  const store = stores.find((candidate) => candidate.id === storeId) ?? stores[0];
  const currency = currencyForCountry(store?.defaultCountry);
  const send = useMutation({
    mutationFn: sendTestOrder,
    onSuccess: async (result) => {
      onSent(result);
      await client.invalidateQueries({ queryKey: SETUP_TEST_ORDER_QUERY_KEY });
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!store) return;
    const international = toInternationalPhone(phone);
    if (!international) {
      setPhoneError(t('test.phoneInvalid'));
      return;
    }
    setPhoneError(null);
    send.mutate({
      storeId: store.id,
      platform: store.platform,
      phone: international,
      customerName: name.trim() || defaultName,
      language: store.language,
      currency,
      countryCode: store.defaultCountry,
      productName: i18n.getFixedT(store.language, 'setup')('test.productName'),
    });
  };

  return (
    <form className="setup-test-form" onSubmit={onSubmit}>
      {stores.length > 1 ? (
        <SelectField label={t('test.store')} name="store" value={store?.id ?? ''} onChange={(event) => setStoreId(event.target.value)}>
          {stores.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </SelectField>
      ) : null}
      <TextField
        label={t('test.phone')}
        hint={t('test.phoneHint')}
        error={phoneError}
        type="tel"
        name="phone"
        autoComplete="tel"
        inputMode="tel"
        dir="ltr"
        required
        value={phone}
        onChange={(event) => setPhone(event.target.value)}
      />
      <TextField label={t('test.name')} name="name" autoComplete="name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
      <p className="muted">{t('test.summary', { total: format.money(testOrderAmount(currency), currency), store: store?.name ?? '' })}</p>
      <AreaFormError error={send.error} namespace="setup" />
      <div>
        <button type="submit" className="button button-primary" disabled={send.isPending || !store}>
          {send.isPending ? t('test.sending') : t('test.send')}
        </button>
      </div>
    </form>
  );
};

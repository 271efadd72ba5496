import { Download } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { exportHref, useStoreChoices, type ExportFilter, type ExportFormat } from '../../api/account.ts';
import { SelectField, TextField } from '../../components/field.tsx';
import { Card } from '../../components/page.tsx';

const FORMATS: ExportFormat[] = ['json', 'csv'];

/** The start of a `YYYY-MM-DD` day in the merchant's own time zone, as the ISO instant the API takes. */
const startOfDay = (day: string, addDays = 0): string | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;

  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + addDays).toISOString();
};

/** `to` is exclusive in the API: "up to and including the 31st" is "before the 1st". */
export const exportFilterFrom = (storeId: string, fromDay: string, toDay: string): ExportFilter => ({
  ...(storeId ? { storeId } : {}),
  ...(fromDay ? { from: startOfDay(fromDay) } : {}),
  ...(toDay ? { to: startOfDay(toDay, 1) } : {}),
});

/** Every order with its messages and events, downloaded by the browser straight from the API. */
export const ExportSection = () => {
  const { t } = useTranslation('settings');
  const stores = useStoreChoices();
  const [storeId, setStoreId] = useState('');
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  const isRangeBackwards = Boolean(fromDay && toDay && fromDay > toDay);
  const filter = exportFilterFrom(storeId, fromDay, toDay);

  return (
    <Card title={t('export.title')}>
      <div className="stack settings-stack">
        <p className="muted">{t('export.intro')}</p>
        <fieldset className="settings-filters">
          <legend>{t('export.filters')}</legend>
          <SelectField label={t('export.store')} name="export-store" value={storeId} onChange={(event) => setStoreId(event.target.value)}>
            <option value="">{t('export.allStores')}</option>
            {(stores.data ?? []).map((store) => (
              <option key={store.id} value={store.id}>
                {store.name}
              </option>
            ))}
          </SelectField>
          <TextField label={t('export.from')} type="date" name="export-from" value={fromDay} max={toDay || undefined} onChange={(event) => setFromDay(event.target.value)} />
          <TextField
            label={t('export.to')}
            type="date"
            name="export-to"
            value={toDay}
            min={fromDay || undefined}
            error={isRangeBackwards ? t('export.rangeBackwards') : null}
            onChange={(event) => setToDay(event.target.value)}
          />
        </fieldset>
        {isRangeBackwards ? null : (
          <div className="row">
            {FORMATS.map((format) => (
              <a key={format} className="button" href={exportHref(format, filter)} download={`akked-orders.${format}`}>
                <Download size={16} aria-hidden="true" />
                <span>{t(`export.download.${format}`)}</span>
              </a>
            ))}
          </div>
        )}
        <p className="muted">{t('export.formats')}</p>
      </div>
    </Card>
  );
};

import { Radio, RefreshCw } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { StreamState } from '../../api/orders.ts';

/** Whether the page is receiving live order updates; announced politely when it changes. */
export const LiveIndicator = ({ state }: { state: StreamState }) => {
  const { t } = useTranslation('orders');

  return (
    <span className={`live-indicator live-${state}`} role="status" aria-live="polite">
      {state === 'live' ? <Radio size={16} aria-hidden="true" /> : <RefreshCw size={16} aria-hidden="true" />}
      <span>{t(`live.${state}`)}</span>
    </span>
  );
};

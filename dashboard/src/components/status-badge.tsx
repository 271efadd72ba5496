import { useTranslation } from 'react-i18next';

const TONES: Record<string, 'good' | 'bad' | 'wait' | 'neutral'> = {
  confirmed: 'good', connected: 'good', delivered: 'neutral', read: 'neutral', sent: 'neutral',
  cancelled: 'bad', failed: 'bad', banned: 'bad', logged_out: 'bad', disconnected: 'bad', reach_out_restricted: 'bad',
  received: 'wait', queued: 'wait', pending_link: 'wait', hibernated: 'neutral', no_response: 'wait', skipped: 'neutral',
};

/** An order, message or number status in words (never colour alone). */
export const StatusBadge = ({ kind, status }: { kind: 'order' | 'message' | 'number'; status: string }) => {
  const { t, i18n } = useTranslation();
  const key = `status.${kind}.${status}`;

  return <span className={`badge badge-${TONES[status] ?? 'neutral'}`}>{i18n.exists(key) ? t(key) : status}</span>;
};

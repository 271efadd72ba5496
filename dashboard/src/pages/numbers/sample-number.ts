import type { WhatsappNumber } from '../../api/numbers.ts';

/** A number as GET /api/v1/whatsapp-numbers/:id answers it, for component tests. */
export const sampleNumber = (overrides: Partial<WhatsappNumber> = {}): WhatsappNumber => ({
  id: 'wan_1',
  provider: 'linked',
  phone: '+966551234567',
  status: 'connected',
  statusReason: null,
  qr: null,
  qrDataUrl: null,
  pairingCode: null,
  webhookUrl: null,
  linkedAt: '2026-05-01T10:00:00.000Z',
  lastConnectedAt: '2026-05-02T10:00:00.000Z',
  createdAt: '2026-05-01T09:58:00.000Z',
  connectPausedUntil: null,
  firstContactPausedUntil: null,
  firstContactPauseReason: null,
  history: [
    { status: 'connected', reason: 'linked', at: '2026-05-01T10:00:00.000Z' },
    { status: 'pending_link', reason: 'created', at: '2026-05-01T09:58:00.000Z' },
  ],
  ...overrides,
});

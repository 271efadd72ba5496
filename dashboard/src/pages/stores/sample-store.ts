import type { Store } from '../../api/stores.ts';

/** A store as GET /api/v1/stores/:id answers it, for component tests. */
export const sampleStore = (overrides: Partial<Store> = {}): Store => ({
  id: 'sto_1',
  name: 'Dar Al Zain',
  platform: 'woocommerce',
  whatsappNumberId: 'wan_1',
  defaultCountry: 'SA',
  timezone: 'Asia/Riyadh',
  language: 'en',
  settings: {
    codOnly: true,
    minimumTotal: null,
    sendDelayMinutes: 0,
    quietHours: null,
    reminders: { count: 1, afterMinutes: 120 },
    autoCancelAfterMinutes: null,
    cloudFallback: null,
  },
  templates: {},
  webhookUrl: 'http://localhost:3000/hooks/woocommerce/sto_1',
  webhookSecret: 'secret-one-1234',
  webhookSecrets: ['secret-one-1234'],
  writeBack: { supported: true, configured: false },
  createdAt: '2026-05-01T10:00:00.000Z',
  updatedAt: '2026-05-01T10:00:00.000Z',
  ...overrides,
});

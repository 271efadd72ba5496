import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import { sampleNumber } from '../numbers/sample-number.ts';
import { sampleStore } from './sample-store.ts';
import StoresPage from './stores-page.tsx';

// The machine running these is shared and slow at times: wait for the UI up to 5 s, not 1 s.

const renderStores = (path = '/stores') => renderAt(<StoresPage />, { path, route: '/stores' });

describe('stores page', () => {
  it('lists each store with its platform, sending number and orders of the last 30 days', async () => {
    const fake = installFakeApi({
      'GET /api/v1/stores': { body: { data: [sampleStore(), sampleStore({ id: 'sto_2', name: 'Souk', platform: 'salla', whatsappNumberId: null })] } },
      'GET /api/v1/whatsapp-numbers': { body: { data: [sampleNumber()] } },
      'GET /api/v1/analytics': (request) => ({ body: { totals: { all: request.query.get('storeId') === 'sto_1' ? 1234 : 0 } } }),
    });
    renderStores();

    const rows = within(await screen.findByRole('table')).getAllByRole('row');
    expect(within(rows[1]!).getByRole('link', { name: 'Dar Al Zain' }).getAttribute('href')).toBe('/stores/sto_1');
    expect(within(rows[1]!).getByText('WooCommerce')).toBeTruthy();
    expect(within(rows[1]!).getByText('+966551234567')).toBeTruthy();
    expect(await within(rows[1]!).findByText('1,234')).toBeTruthy();
    expect(within(rows[2]!).getByText('Salla')).toBeTruthy();
    expect(within(rows[2]!).getByText('No number')).toBeTruthy();
    await waitFor(() => expect(within(rows[2]!).getByText('0')).toBeTruthy());
    const analytics = fake.requests.filter((request) => request.path === '/api/v1/analytics').map((request) => request.query.get('storeId'));
    expect(analytics.sort()).toEqual(['sto_1', 'sto_2']);
  });

  it('shows a store name typed with markup as text only', async () => {
    installFakeApi({
      'GET /api/v1/stores': { body: { data: [sampleStore({ name: '<img src=x onerror=alert(1)><script>alert(2)</script>' })] } },
      'GET /api/v1/whatsapp-numbers': { body: { data: [] } },
      'GET /api/v1/analytics': { body: { totals: { all: 0 } } },
    });
    renderStores();

    expect(await screen.findByText('<img src=x onerror=alert(1)><script>alert(2)</script>')).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
    expect(document.querySelector('script')).toBeNull();
  });

  it('offers to connect a store when there is none', async () => {
    installFakeApi({ 'GET /api/v1/stores': { body: { data: [] } }, 'GET /api/v1/whatsapp-numbers': { body: { data: [] } } });
    renderStores();

    expect(await screen.findByText('No store connected yet')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Connect a store' }));
    expect(screen.getByRole('heading', { name: 'Connect a store' })).toBeTruthy();
  });

  it('creates a store with exactly the fields the API takes and opens it', async () => {
    const fake = installFakeApi({
      'GET /api/v1/stores': { body: { data: [] } },
      'GET /api/v1/whatsapp-numbers': { body: { data: [sampleNumber()] } },
      'POST /api/v1/stores': { status: 201, body: sampleStore({ id: 'sto_new' }) },
    });
    renderStores('/stores?new=1');

    fireEvent.change(await screen.findByLabelText('Store name'), { target: { value: '  Dar Al Zain ' } });
    fireEvent.change(screen.getByLabelText('Platform'), { target: { value: 'shopify' } });
    await waitFor(() => expect((screen.getByLabelText('WhatsApp number') as HTMLSelectElement).value).toBe('wan_1'));
    fireEvent.change(screen.getByLabelText('Default country'), { target: { value: 'other' } });
    fireEvent.change(screen.getByLabelText('Country code'), { target: { value: 'tr' } });
    fireEvent.change(screen.getByLabelText('Timezone'), { target: { value: 'Africa/Casablanca' } });
    fireEvent.change(screen.getByLabelText('Message language'), { target: { value: 'fr' } });
    fireEvent.change(screen.getByLabelText('Shopify signing secret (optional)'), { target: { value: 'shpss_0123456789' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect the store' }));

    expect(await screen.findByText('elsewhere')).toBeTruthy();
    const create = fake.requests.find((request) => request.method === 'POST');
    expect(create?.path).toBe('/api/v1/stores');
    expect(create?.body).toEqual({
      name: 'Dar Al Zain',
      platform: 'shopify',
      whatsappNumberId: 'wan_1',
      defaultCountry: 'TR',
      timezone: 'Africa/Casablanca',
      language: 'fr',
      webhookSecret: 'shpss_0123456789',
    });
  });

  it('shows the API refusal at the field it names', async () => {
    installFakeApi({
      'GET /api/v1/stores': { body: { data: [] } },
      'GET /api/v1/whatsapp-numbers': { body: { data: [] } },
      'POST /api/v1/stores': { status: 400, body: { error: { code: 'bad_request', message: 'body.defaultCountry: an ISO 3166 country code such as "SA"' } } },
    });
    renderStores('/stores?new=1');

    fireEvent.change(await screen.findByLabelText('Store name'), { target: { value: 'Souk' } });
    fireEvent.change(screen.getByLabelText('Default country'), { target: { value: 'other' } });
    fireEvent.change(screen.getByLabelText('Country code'), { target: { value: 'XX' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect the store' }));

    const message = await screen.findByText('an ISO 3166 country code such as "SA"');
    const input = screen.getByLabelText('Country code');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toContain(message.id);
  });
});

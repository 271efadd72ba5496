import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import NumbersPage from './numbers-page.tsx';
import { sampleNumber } from './sample-number.ts';

// The machine running these is shared and slow at times: wait for the UI up to 5 s, not 1 s.

describe('numbers page', () => {
  it('lists each number with its phone, connection, status and last change, linking to its page', async () => {
    const fake = installFakeApi({
      'GET /api/v1/whatsapp-numbers': {
        body: { data: [sampleNumber(), sampleNumber({ id: 'wan_2', phone: null, status: 'pending_link', provider: 'simulator', history: [] })] },
      },
    });
    renderAt(<NumbersPage />, { path: '/numbers', route: '/numbers' });

    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByRole('link', { name: '+966551234567' }).getAttribute('href')).toBe('/numbers/wan_1');
    expect(within(rows[1]!).getByText('Linked device')).toBeTruthy();
    expect(within(rows[1]!).getByText('Connected')).toBeTruthy();
    expect(within(rows[2]!).getByRole('link', { name: 'Not linked yet' }).getAttribute('href')).toBe('/numbers/wan_2');
    expect(within(rows[2]!).getByText('Waiting to be linked')).toBeTruthy();
    expect(within(rows[2]!).getByText('Simulator')).toBeTruthy();
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /api/v1/whatsapp-numbers']);
  });

  it('explains why a number is needed when there is none, and opens the linking choice', async () => {
    installFakeApi({ 'GET /api/v1/whatsapp-numbers': { body: { data: [] } } });
    renderAt(<NumbersPage />, { path: '/numbers', route: '/numbers' });

    expect(await screen.findByText('No WhatsApp number yet')).toBeTruthy();
    expect(screen.getByText(/from your own WhatsApp number/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Link a number' }));

    const linked = screen.getByRole('radio', { name: /My WhatsApp number \(linked device\)/ }) as HTMLInputElement;
    expect(linked.checked).toBe(true);
    expect(screen.getByRole('radio', { name: /WhatsApp Cloud API/ })).toBeTruthy();
    expect(screen.getByRole('radio', { name: /Simulator/ })).toBeTruthy();
  });

  it('creates a linked number and opens its page', async () => {
    const fake = installFakeApi({
      'GET /api/v1/whatsapp-numbers': { body: { data: [] } },
      'POST /api/v1/whatsapp-numbers': { status: 201, body: sampleNumber({ id: 'wan_new', status: 'pending_link', phone: null }) },
    });
    renderAt(<NumbersPage />, { path: '/numbers?link=1', route: '/numbers' });

    fireEvent.click(await screen.findByRole('button', { name: 'Continue to the QR code' }));

    expect(await screen.findByText('elsewhere')).toBeTruthy();
    const create = fake.requests.find((request) => request.method === 'POST');
    expect(create?.path).toBe('/api/v1/whatsapp-numbers');
    expect(create?.body).toEqual({ provider: 'linked' });
  });

  it('sends the Cloud API credentials the route expects, the phone in international form', async () => {
    const fake = installFakeApi({
      'GET /api/v1/whatsapp-numbers': { body: { data: [] } },
      'POST /api/v1/whatsapp-numbers': { status: 201, body: sampleNumber({ id: 'wan_cloud', provider: 'cloud' }) },
    });
    renderAt(<NumbersPage />, { path: '/numbers?link=1', route: '/numbers' });

    fireEvent.click(await screen.findByRole('radio', { name: /WhatsApp Cloud API/ }));
    fireEvent.change(screen.getByLabelText('Phone number'), { target: { value: '00966 55 123 4567' } });
    fireEvent.change(screen.getByLabelText('Phone number ID'), { target: { value: '1234567890' } });
    fireEvent.change(screen.getByLabelText('Access token'), { target: { value: 'EAAG-token' } });
    fireEvent.change(screen.getByLabelText('App secret'), { target: { value: 'app-secret' } });
    fireEvent.change(screen.getByLabelText('Verify token'), { target: { value: 'my-verify-token' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the Cloud API number' }));

    await screen.findByText('elsewhere');
    expect(fake.requests.find((request) => request.method === 'POST')?.body).toEqual({
      provider: 'cloud',
      phone: '+966551234567',
      cloud: { phoneNumberId: '1234567890', accessToken: 'EAAG-token', appSecret: 'app-secret', verifyToken: 'my-verify-token' },
    });
  });

  it('says so in words when the server has no simulator', async () => {
    installFakeApi({
      'GET /api/v1/whatsapp-numbers': { body: { data: [] } },
      'POST /api/v1/whatsapp-numbers': {
        status: 400,
        body: { error: { code: 'bad_request', message: 'provider: the simulator is not enabled on this server (AKKED_WHATSAPP_SIMULATOR_URL)' } },
      },
    });
    renderAt(<NumbersPage />, { path: '/numbers?link=1', route: '/numbers' });

    fireEvent.click(await screen.findByRole('radio', { name: /Simulator/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Add a simulated number' }));

    expect((await screen.findByRole('alert')).textContent).toBe('The simulator is not enabled on this server. Link your own WhatsApp number instead.');
  });

  it('shows a failed list with a way to try again', async () => {
    let calls = 0;
    installFakeApi({
      'GET /api/v1/whatsapp-numbers': () => {
        calls += 1;
        return calls === 1 ? { status: 500, body: { error: { code: 'internal', message: 'boom' } } } : { body: { data: [sampleNumber()] } };
      },
    });
    renderAt(<NumbersPage />, { path: '/numbers', route: '/numbers' });

    fireEvent.click(await screen.findByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByRole('table')).toBeTruthy());
  });
});

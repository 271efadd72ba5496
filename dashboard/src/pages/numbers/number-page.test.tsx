import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { WhatsappNumberStatus } from '../../api/types.ts';
import { installFakeApi } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import NumberPage from './number-page.tsx';
import { sampleNumber } from './sample-number.ts';

// The machine running these is shared and slow at times: wait for the UI up to 5 s, not 1 s.

const QR_PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const pending = (qr: string | null) =>
  sampleNumber({ phone: null, status: 'pending_link', qr: qr ? 'ref,key,identity' : null, qrDataUrl: qr, linkedAt: null, lastConnectedAt: null, history: [] });

const renderNumber = () => renderAt(<NumberPage />, { path: '/numbers/wan_1', route: '/numbers/:id' });

describe('number page', () => {
  it('shows the live QR while linking, polls it, and turns into "Connected" the moment the phone links', async () => {
    let reads = 0;
    const fake = installFakeApi({
      'GET /api/v1/whatsapp-numbers/wan_1': () => {
        reads += 1;
        if (reads === 1) return { body: pending(null) };
        if (reads === 2) return { body: pending(QR_PNG) };
        return { body: sampleNumber() };
      },
    });
    renderNumber();

    expect(await screen.findByText('Preparing the QR code…')).toBeTruthy();
    expect(screen.getByText('Tap Linked devices.')).toBeTruthy();
    const image = (await screen.findByRole('img', { name: 'QR code to scan with WhatsApp' }, { timeout: 5000 })) as HTMLImageElement;
    expect(image.getAttribute('src')).toBe(QR_PNG);

    expect(await screen.findByText('Your phone is linked. Confirmation messages will go out from this number.', {}, { timeout: 5000 })).toBeTruthy();
    expect(screen.queryByRole('img', { name: 'QR code to scan with WhatsApp' })).toBeNull();
    expect(fake.requests.every((request) => request.method === 'GET' && request.path === '/api/v1/whatsapp-numbers/wan_1')).toBe(true);

    // Connected: no more polling.
    const readsWhenConnected = reads;
    await new Promise((resolve) => setTimeout(resolve, 2600));
    expect(reads).toBe(readsWhenConnected);
  }, 15_000);

  it('never puts anything but our own PNG data URL into the image', async () => {
    installFakeApi({ 'GET /api/v1/whatsapp-numbers/wan_1': { body: pending('javascript:alert(1)') } });
    renderNumber();

    expect(await screen.findByText('Preparing the QR code…')).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
  });

  it('requests a pairing code for the typed phone in international form and shows it big with the steps', async () => {
    const fake = installFakeApi({
      'GET /api/v1/whatsapp-numbers/wan_1': { body: pending(QR_PNG) },
      'POST /api/v1/whatsapp-numbers/wan_1/pairing-code': { body: { pairingCode: 'ABCD1234' } },
    });
    renderNumber();

    fireEvent.click(await screen.findByRole('button', { name: 'Link with a phone number instead' }));
    fireEvent.change(screen.getByLabelText('Your WhatsApp number'), { target: { value: '٠٠٩٦٦ ٥٥ ١٢٣ ٤٥٦٧' } });
    fireEvent.click(screen.getByRole('button', { name: 'Get a pairing code' }));

    expect(await screen.findByText('ABCD-1234')).toBeTruthy();
    expect(screen.getByText('Tap Link with phone number instead.')).toBeTruthy();
    const request = fake.requests.find((entry) => entry.method === 'POST');
    expect(request).toMatchObject({ path: '/api/v1/whatsapp-numbers/wan_1/pairing-code', body: { phone: '+966551234567' } });
  });

  it('refuses a local phone before asking the server, and explains a code that is not ready yet', async () => {
    const fake = installFakeApi({
      'GET /api/v1/whatsapp-numbers/wan_1': { body: pending(QR_PNG) },
      'POST /api/v1/whatsapp-numbers/wan_1/pairing-code': {
        status: 503,
        body: { error: { code: 'upstream_unavailable', message: 'no pairing code yet: the number is still connecting, try again in a moment' } },
      },
    });
    renderNumber();

    fireEvent.click(await screen.findByRole('button', { name: 'Link with a phone number instead' }));
    fireEvent.change(screen.getByLabelText('Your WhatsApp number'), { target: { value: '0551234567' } });
    fireEvent.click(screen.getByRole('button', { name: 'Get a pairing code' }));
    expect(await screen.findByText('Type the number in international form, such as +966 55 123 4567.')).toBeTruthy();
    expect(fake.requests.some((entry) => entry.method === 'POST')).toBe(false);

    fireEvent.change(screen.getByLabelText('Your WhatsApp number'), { target: { value: '+966 55 123 4567' } });
    fireEvent.click(screen.getByRole('button', { name: 'Get a pairing code' }));
    expect(await screen.findByText(/WhatsApp has not given a code yet/)).toBeTruthy();
  });

  it('shows the status, what to do about it, and its history', async () => {
    installFakeApi({
      'GET /api/v1/whatsapp-numbers/wan_1': {
        body: sampleNumber({
          status: 'logged_out',
          history: [
            { status: 'logged_out', reason: 'the phone removed the linked device', at: '2026-05-03T10:00:00.000Z' },
            { status: 'connected', reason: null, at: '2026-05-01T10:00:00.000Z' },
          ],
        }),
      },
    });
    renderNumber();

    expect(await screen.findByText(/The device was removed in WhatsApp › Linked devices/)).toBeTruthy();
    expect(screen.getByText(/Click “Link again” below/)).toBeTruthy();
    expect(screen.getByText('the phone removed the linked device')).toBeTruthy();
    expect(screen.getAllByText('Removed from the phone')).toHaveLength(2);
  });

  it('says until when WhatsApp restricts the number, and shows coded reasons in the merchant’s words', async () => {
    installFakeApi({
      'GET /api/v1/whatsapp-numbers/wan_1': {
        body: sampleNumber({
          status: 'disconnected',
          connectPausedUntil: '2026-05-04T10:00:00.000Z',
          firstContactPausedUntil: '2026-05-04T16:00:00.000Z',
          firstContactPauseReason: 'reach_out_timelock BIZ_QUALITY',
          history: [
            { status: 'disconnected', reason: 'temporarily_banned until 2026-05-04T10:00:00.000Z', at: '2026-05-03T10:00:00.000Z' },
            { status: 'disconnected', reason: 'client_outdated: WhatsApp refused this version of the client', at: '2026-05-02T10:00:00.000Z' },
            { status: 'pending_link', reason: 'relink_requested', at: '2026-05-01T10:00:00.000Z' },
          ],
        }),
      },
    });
    renderNumber();

    expect(await screen.findByText(/WhatsApp keeps this number from connecting until .*2026/)).toBeTruthy();
    expect(screen.getByText(/WhatsApp restricts this number from starting new chats until .*2026/)).toBeTruthy();
    expect(screen.getByText(/^Temporarily banned by WhatsApp until .*2026/)).toBeTruthy();
    expect(screen.getByText('WhatsApp refused this version of the connection; Akked keeps retrying with the current one')).toBeTruthy();
    expect(screen.getByText('relink_requested')).toBeTruthy();
  });

  it('offers "Link again" only for a linked-device number that is logged out, banned or disconnected', async () => {
    const statuses: WhatsappNumberStatus[] = ['pending_link', 'connected', 'hibernated', 'disconnected', 'logged_out', 'banned'];
    for (const status of statuses) {
      installFakeApi({ 'GET /api/v1/whatsapp-numbers/wan_1': { body: sampleNumber({ status }) } });
      renderNumber();

      expect(await screen.findByRole('heading', { name: 'Status' })).toBeTruthy();
      const isOffered = status === 'disconnected' || status === 'logged_out' || status === 'banned';
      expect(screen.queryByRole('button', { name: 'Link again' }) !== null, status).toBe(isOffered);
      cleanup();
    }

    // A simulator number cannot be linked again: it is removed and added anew, as its advice says.
    installFakeApi({ 'GET /api/v1/whatsapp-numbers/wan_1': { body: sampleNumber({ provider: 'simulator', status: 'logged_out' }) } });
    renderNumber();

    expect(await screen.findByText(/Remove this entry, add the number again/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Link again' })).toBeNull();
    expect(screen.queryByText(/Link again/)).toBeNull();
    expect(screen.getByRole('link', { name: 'Link a number again' }).getAttribute('href')).toBe('/numbers?link=1');
  });

  it('links a logged-out number again with the CSRF token, then shows the live QR code in focus', async () => {
    let isRelinked = false;
    const fake = installFakeApi({
      'GET /api/v1/session': { body: { user: {}, account: {}, csrfToken: 'csrf-1' } },
      'GET /api/v1/whatsapp-numbers/wan_1': () => ({ body: isRelinked ? pending(QR_PNG) : sampleNumber({ status: 'logged_out' }) }),
      'POST /api/v1/whatsapp-numbers/wan_1/relink': () => {
        isRelinked = true;

        return { body: pending(null) };
      },
    });
    const { fetchSession } = await import('../../api/session.ts');
    await fetchSession();
    renderNumber();

    fireEvent.click(await screen.findByRole('button', { name: 'Link again' }));

    expect(await screen.findByText('Preparing the QR code…')).toBeTruthy();
    expect(document.activeElement?.textContent).toBe('Scan the QR code with your phone');
    const relink = fake.requests.filter((request) => request.method === 'POST');
    expect(relink).toHaveLength(1);
    expect(relink[0]?.path).toBe('/api/v1/whatsapp-numbers/wan_1/relink');
    expect(relink[0]?.headers['x-csrf-token']).toBe('csrf-1');
    // The page polls the number while it waits to be linked: the QR arrives by itself.
    const image = (await screen.findByRole('img', { name: 'QR code to scan with WhatsApp' }, { timeout: 5000 })) as HTMLImageElement;
    expect(image.getAttribute('src')).toBe(QR_PNG);
    expect(screen.queryByRole('button', { name: 'Link again' })).toBeNull();
  }, 15_000);

  it('explains a refusal when the status changed meanwhile', async () => {
    installFakeApi({
      'GET /api/v1/whatsapp-numbers/wan_1': { body: sampleNumber({ status: 'disconnected' }) },
      'POST /api/v1/whatsapp-numbers/wan_1/relink': {
        status: 409,
        body: { error: { code: 'invalid_state', message: 'the number is connected: it is linked and works, there is nothing to link again' } },
      },
    });
    renderNumber();

    fireEvent.click(await screen.findByRole('button', { name: 'Link again' }));

    expect(await screen.findByText(/The status of this number changed meanwhile/)).toBeTruthy();
  });

  it('removes the number only after confirmation, with the CSRF token', async () => {
    const fake = installFakeApi({
      'GET /api/v1/session': { body: { user: {}, account: {}, csrfToken: 'csrf-1' } },
      'GET /api/v1/whatsapp-numbers/wan_1': { body: sampleNumber() },
      'DELETE /api/v1/whatsapp-numbers/wan_1': { status: 204 },
    });
    const { fetchSession } = await import('../../api/session.ts');
    await fetchSession();
    renderNumber();

    fireEvent.click(await screen.findByRole('button', { name: 'Remove this number' }));
    expect(screen.getByText(/deleted at once/)).toBeTruthy();
    expect(fake.requests.some((request) => request.method === 'DELETE')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove it' }));

    expect(await screen.findByText('elsewhere')).toBeTruthy();
    const removal = fake.requests.find((request) => request.method === 'DELETE');
    expect(removal?.path).toBe('/api/v1/whatsapp-numbers/wan_1');
    expect(removal?.headers['x-csrf-token']).toBe('csrf-1');
  });

  it('shows the callback URL to register with Meta for a Cloud API number', async () => {
    installFakeApi({
      'GET /api/v1/whatsapp-numbers/wan_1': {
        body: sampleNumber({ provider: 'cloud', webhookUrl: 'http://localhost:3000/hooks/whatsapp-cloud/wan_1' }),
      },
    });
    renderNumber();

    expect(await screen.findByText('http://localhost:3000/hooks/whatsapp-cloud/wan_1')).toBeTruthy();
    expect(screen.getByText('Under Webhook fields, subscribe to messages.')).toBeTruthy();
  });

  it('answers an unknown number with the not-found message', async () => {
    installFakeApi({});
    renderNumber();

    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('This no longer exists'));
  });
});

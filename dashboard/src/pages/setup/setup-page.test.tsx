import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequireSession } from '../../components/require-session.tsx';
import { installFakeApi, SAMPLE_SESSION, type RecordedRequest } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import SetupPage from './setup-page.tsx';

const UNVERIFIED_SESSION = { ...SAMPLE_SESSION, user: { ...SAMPLE_SESSION.user, emailVerified: false } };
const STORE = { id: 'sto_1', name: 'Dar Al Oud', platform: 'salla', defaultCountry: 'KW', language: 'ar', whatsappNumberId: 'num_1' };
const READY_NUMBER = { id: 'num_1', provider: 'linked', phone: '+96555500000', status: 'hibernated' };
const NO_ORDERS = { body: { data: [], nextCursor: null } };

const renderSetup = () => renderAt(<RequireSession><SetupPage /></RequireSession>, { path: '/setup', route: '/setup' });

const stepItem = (name: string) => {
  const list = document.querySelector('.setup-steps') as HTMLElement;

  return within(list).getByText(name).closest('li') as HTMLElement;
};

afterEach(() => {
  vi.useRealTimers();
});

describe('guided setup', () => {
  it('starts a new account at "confirm your email", resends the link to the session email, and links to the other pages', async () => {
    const fake = installFakeApi({
      'GET /api/v1/session': { body: UNVERIFIED_SESSION },
      'GET /api/v1/whatsapp-numbers': { body: { data: [] } },
      'GET /api/v1/stores': { body: { data: [] } },
      'GET /api/v1/orders': NO_ORDERS,
      'POST /api/auth/send-verification-email': { body: { status: true } },
    });
    renderSetup();
    await screen.findByText('0 of 5 steps done');
    expect(screen.getByRole('heading', { level: 1, name: 'Get started' })).toBeTruthy();
    expect(stepItem('Confirm your email').getAttribute('aria-current')).toBe('step');
    expect(stepItem('Link your WhatsApp number').getAttribute('aria-current')).toBeNull();
    expect(screen.getByRole('link', { name: 'Link a number' }).getAttribute('href')).toBe('/numbers');
    expect(screen.getByRole('link', { name: 'Connect a store' }).getAttribute('href')).toBe('/stores');
    expect(screen.getByText('Connect a store first: the test order goes through it.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Skip for now' }).getAttribute('href')).toBe('/');

    fireEvent.click(screen.getByRole('button', { name: 'Send the link again' }));
    await screen.findByText(/a new link is on its way/);
    const resend = fake.requests.find((request) => request.path === '/api/auth/send-verification-email');
    expect(resend?.body).toEqual({ email: 'amina@example.com', callbackURL: '/verify-email?verified=1' });
    expect(resend?.headers['x-csrf-token']).toBe('csrf-token-1');
    const orders = fake.requests.find((request) => request.path === '/api/v1/orders');
    expect(Object.fromEntries(orders?.query ?? [])).toEqual({ q: 'TEST-', limit: '20' });
  });

  it('points a number that is still linking to its own page, and counts what is done', async () => {
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/whatsapp-numbers': { body: { data: [{ id: 'num_7', provider: 'linked', phone: null, status: 'pending_link' }] } },
      'GET /api/v1/stores': { body: { data: [STORE] } },
      'GET /api/v1/orders': NO_ORDERS,
    });
    renderSetup();
    await screen.findByText('2 of 5 steps done');
    expect(stepItem('Confirm your email').textContent).toContain('Done');
    expect(stepItem('Link your WhatsApp number').getAttribute('aria-current')).toBe('step');
    expect(screen.getByRole('link', { name: 'Finish linking' }).getAttribute('href')).toBe('/numbers/num_7');
    expect(screen.getByText('Waiting to be linked')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Dar Al Oud' }).getAttribute('href')).toBe('/stores/sto_1');
    expect(screen.getByText('Your WhatsApp number is not linked yet, so the message will wait until it is.')).toBeTruthy();
  });

  it('sends a test order priced in the store currency digits to the typed phone, then follows it live to "confirmed"', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const statuses = ['queued', 'sent', 'delivered', 'read', 'confirmed'];
    let reads = 0;
    const fake = installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/whatsapp-numbers': { body: { data: [READY_NUMBER] } },
      'GET /api/v1/stores': { body: { data: [STORE] } },
      'GET /api/v1/orders': NO_ORDERS,
      'POST /api/v1/orders': { status: 201, body: { id: 'ord_9', status: 'queued', isNew: true } },
      'GET /api/v1/orders/ord_9': () => {
        const status = statuses[Math.min(reads, statuses.length - 1)];
        reads += 1;
        return { body: { id: 'ord_9', storeId: 'sto_1', externalId: 'test-1', number: 'TEST-12345', status, failureReason: null, customerPhone: '+96555512345', createdAt: '2026-05-01T10:00:00.000Z' } };
      },
    });
    renderSetup();
    await screen.findByText('3 of 5 steps done');
    expect(stepItem('Send a test order').getAttribute('aria-current')).toBe('step');
    // A Kuwaiti store: dinars have three digits.
    expect(screen.getByText(/A test order of .*100\.000.* from Dar Al Oud\./)).toBeTruthy();
    const phone = screen.getByLabelText('Your WhatsApp phone');
    expect(phone).toHaveProperty('type', 'tel');
    fireEvent.change(phone, { target: { value: '٠٠٩٦٥ ٥٥٥ ١٢٣٤٥' } });
    expect((screen.getByLabelText('Your name') as HTMLInputElement).value).toBe('Amina');
    fireEvent.click(screen.getByRole('button', { name: 'Send the test order' }));

    await screen.findByText('Test order TEST-12345');
    const post = fake.requests.find((request) => request.method === 'POST' && request.path === '/api/v1/orders') as RecordedRequest;
    expect(post.headers['x-csrf-token']).toBe('csrf-token-1');
    expect(post.body).toMatchObject({
      storeId: 'sto_1',
      platform: 'salla',
      currency: 'KWD',
      total: '100.000',
      isCod: true,
      locale: 'ar',
      customer: { name: 'Amina', phone: '+96555512345', phoneRaw: '+96555512345', phoneProblem: null },
      shippingAddress: { countryCode: 'KW' },
      items: [{ name: 'منتج تجريبي', quantity: 1, unitPrice: '100.000' }],
    });
    expect((post.body as { externalId: string }).externalId).toMatch(/^test-/);
    expect((post.body as { number: string }).number).toMatch(/^TEST-\d{5}$/);
    expect(screen.getByText("The message is queued. The store's send delay or quiet hours can hold it for a while.")).toBeTruthy();

    for (const expected of [
      'The message is on its way to your phone.',
      'The message reached your phone. Open WhatsApp and reply 1 to confirm.',
      'You read it. Now reply 1 to confirm the order.',
      'Confirmed! This is exactly what your customers will do.',
    ]) {
      await act(async () => {
        await vi.advanceTimersByTimeAsync(2000);
      });
      await screen.findByText(expected);
    }
    expect(screen.getByText('5 of 5 steps done')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'You are all set' })).toBeTruthy();
    const readsWhenConfirmed = reads;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(6000);
    });
    // A settled order is not read again.
    expect(reads).toBe(readsWhenConfirmed);
  });

  it('refuses a phone without its country code before calling the API', async () => {
    const fake = installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/whatsapp-numbers': { body: { data: [READY_NUMBER] } },
      'GET /api/v1/stores': { body: { data: [STORE] } },
      'GET /api/v1/orders': NO_ORDERS,
    });
    renderSetup();
    fireEvent.change(await screen.findByLabelText('Your WhatsApp phone'), { target: { value: '55512345' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the test order' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Type the number with its country code, for example +966 55 123 4567.');
    expect(fake.requests.some((request) => request.method === 'POST')).toBe(false);
  });

  it('shows an API refusal of the test order inline', async () => {
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/whatsapp-numbers': { body: { data: [READY_NUMBER] } },
      'GET /api/v1/stores': { body: { data: [STORE] } },
      'GET /api/v1/orders': NO_ORDERS,
      'POST /api/v1/orders': { status: 402, body: { error: { code: 'no_credits', message: 'no credits left' } } },
    });
    renderSetup();
    fireEvent.change(await screen.findByLabelText('Your WhatsApp phone'), { target: { value: '+965 555 12345' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the test order' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Your account has no credits left. Add credits in Billing, then send the test order again.');
  });

  it('picks up an earlier test order after a reload and shows why it stopped', async () => {
    const earlier = {
      id: 'ord_3', storeId: 'sto_1', externalId: 'test-abc', number: 'TEST-00042', status: 'skipped',
      failureReason: '<img src=x onerror="window.hacked=1">', customerPhone: '+96555512345', createdAt: '2026-05-01T10:00:00.000Z',
    };
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/whatsapp-numbers': { body: { data: [READY_NUMBER] } },
      'GET /api/v1/stores': { body: { data: [{ ...STORE, name: '<script>window.hacked=1</script>' }] } },
      'GET /api/v1/orders': { body: { data: [{ ...earlier, id: 'ord_4', externalId: '1001', number: '#TEST-1' }, earlier], nextCursor: null } },
      'GET /api/v1/orders/ord_3': { body: earlier },
    });
    renderSetup();
    await screen.findByText('Test order TEST-00042');
    expect(screen.getByText('4 of 5 steps done')).toBeTruthy();
    expect(stepItem('See it confirmed').getAttribute('aria-current')).toBe('step');
    expect(screen.getByText("This order was not sent because of the store's settings.")).toBeTruthy();
    expect(screen.getByText('Reason: <img src=x onerror="window.hacked=1">')).toBeTruthy();
    expect(screen.getByRole('link', { name: '<script>window.hacked=1</script>' })).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
    expect(document.querySelector('.setup-section script')).toBeNull();
    expect(screen.getByRole('link', { name: 'Open the order' }).getAttribute('href')).toBe('/orders/ord_3');
  });

  it('shows a failed read with a retry that asks again', async () => {
    let fail = true;
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/whatsapp-numbers': () => (fail ? { status: 500, body: { error: { code: 'internal', message: 'boom' } } } : { body: { data: [] } }),
      'GET /api/v1/stores': { body: { data: [] } },
      'GET /api/v1/orders': NO_ORDERS,
    });
    renderSetup();
    expect((await screen.findByRole('alert')).textContent).toContain('Something went wrong on our side.');
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('1 of 5 steps done');
  });
});

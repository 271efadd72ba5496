import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { rememberCsrfToken } from '../../api/client.ts';
import type { OrderDetail } from '../../api/orders.ts';
import { installFakeApi, SAMPLE_SESSION, type RecordedRequest } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import { installFakeEventSource } from './fake-event-source.ts';
import OrderPage from './order-page.tsx';

const detail = (overrides: Partial<OrderDetail> = {}): OrderDetail => ({
  id: 'ord_1',
  storeId: 'sto_1',
  platform: 'shopify',
  externalId: '820982911946154508',
  number: '#1001',
  code: 'AK7QX2',
  status: 'read',
  failureReason: null,
  customerName: 'Amina Haddad',
  customerPhone: '+966551234567',
  phoneProblem: null,
  total: '249.00',
  currency: 'SAR',
  isCod: true,
  createdAt: '2026-05-01T10:00:00.000Z',
  platformCreatedAt: '2026-05-01T09:59:00.000Z',
  updatedAt: '2026-05-01T10:03:00.000Z',
  customerPhoneRaw: '0551234567',
  locale: 'ar',
  paymentMethod: 'Cash on Delivery (COD)',
  shippingAddress: { line1: 'King Fahd Road 12', line2: 'Building 4', city: 'Riyadh', region: null, postalCode: '12211', countryCode: 'SA' },
  items: [
    { name: 'Oud perfume', variant: '100 ml', sku: 'OUD-100', quantity: 2, unitPrice: '99.50' },
    { name: 'Gift box', variant: null, sku: null, quantity: 1, unitPrice: '50.00' },
  ],
  sendAt: null,
  repliedAt: null,
  messages: [
    { id: 'msg_1', direction: 'outbound', kind: 'confirmation', text: 'Please confirm order #1001: reply 1 to confirm, 2 to cancel.', status: 'read', error: null, createdAt: '2026-05-01T10:00:05.000Z', sentAt: '2026-05-01T10:00:06.000Z', deliveredAt: '2026-05-01T10:00:07.000Z', readAt: '2026-05-01T10:01:00.000Z' },
    { id: 'msg_2', direction: 'inbound', kind: 'reply', text: 'What is the delivery date?', status: 'received', error: null, createdAt: '2026-05-01T10:02:00.000Z', sentAt: null, deliveredAt: null, readAt: null },
    { id: 'msg_3', direction: 'outbound', kind: 'clarify', text: 'Reply 1 to confirm or 2 to cancel.', status: 'delivered', error: null, createdAt: '2026-05-01T10:02:01.000Z', sentAt: '2026-05-01T10:02:02.000Z', deliveredAt: '2026-05-01T10:02:03.000Z', readAt: null },
    { id: 'msg_4', direction: 'outbound', kind: 'reminder', text: 'A reminder about order #1001.', status: 'sent', error: null, createdAt: '2026-05-01T12:02:01.000Z', sentAt: '2026-05-01T12:02:02.000Z', deliveredAt: null, readAt: null },
  ],
  events: [
    { status: 'received', cause: 'webhook', at: '2026-05-01T10:00:00.000Z' },
    { status: 'queued', cause: 'webhook', at: '2026-05-01T10:00:00.001Z' },
    { status: 'sent', cause: 'server_ack', at: '2026-05-01T10:00:06.000Z' },
    { status: 'read', cause: 'receipt', at: '2026-05-01T10:01:00.000Z' },
  ],
  customerInitiatedLink: null,
  ...overrides,
});

const STORES = { body: { data: [{ id: 'sto_1', name: 'Souk Amina', platform: 'shopify', whatsappNumberId: 'num_1' }] } };
const detailReads = (requests: RecordedRequest[]) => requests.filter((request) => request.method === 'GET' && request.path === '/api/v1/orders/ord_1');
/** The order number stands isolated (FSI…PDI) in the title, so it reads right in Arabic too. */
const isolated = (text: string) => `\u2068${text}\u2069`;
const renderOrder = () => renderAt(<OrderPage />, { path: '/orders/ord_1', route: '/orders/:id' });

describe('order page', () => {
  let EventSourceStub: ReturnType<typeof installFakeEventSource>;
  beforeEach(() => {
    EventSourceStub = installFakeEventSource();
    rememberCsrfToken(SAMPLE_SESSION.csrfToken);
  });

  it('shows the customer, the address, the items, the total, the thread with its ticks and the timeline', async () => {
    installFakeApi({ 'GET /api/v1/orders/ord_1': { body: detail() }, 'GET /api/v1/stores': STORES });
    renderOrder();

    expect(await screen.findByRole('heading', { level: 1, name: `Order ${isolated('#1001')}` })).toBeTruthy();
    expect(document.title).toBe(`Order ${isolated('#1001')} · Akked`);
    expect(screen.getByText('Amina Haddad')).toBeTruthy();
    expect(screen.getByText('+966551234567')).toBeTruthy();
    expect(screen.getByText('0551234567')).toBeTruthy();
    const address = document.querySelector('address')!;
    expect([...address.children].map((line) => line.textContent)).toEqual(['King Fahd Road 12', 'Building 4', 'Riyadh, 12211', 'Saudi Arabia']);
    expect(await screen.findByText('Souk Amina')).toBeTruthy();
    expect(screen.getByText('Cash on Delivery (COD)')).toBeTruthy();
    expect(screen.getByText('Cash on delivery')).toBeTruthy();

    const items = screen.getByRole('table', { name: 'Items of the order' });
    const [perfume, box] = within(items).getAllByRole('row').slice(1);
    expect(within(perfume!).getByText('Oud perfume')).toBeTruthy();
    expect(within(perfume!).getByText('100 ml')).toBeTruthy();
    expect(within(perfume!).getByText('2')).toBeTruthy();
    expect(within(perfume!).getByText(/^SAR\s99\.50$/)).toBeTruthy();
    expect(within(box!).getByText('Gift box')).toBeTruthy();
    expect(within(items).getByText(/^SAR\s249\.00$/)).toBeTruthy();

    const bubbles = screen.getAllByRole('listitem').filter((item) => item.classList.contains('bubble'));
    expect(bubbles.map((bubble) => bubble.className.split(' ')[1])).toEqual(['bubble-outbound', 'bubble-inbound', 'bubble-outbound', 'bubble-outbound']);
    expect(within(bubbles[0]!).getByText('Confirmation question')).toBeTruthy();
    expect(within(bubbles[0]!).getByRole('img', { name: 'Read' })).toBeTruthy();
    expect(within(bubbles[1]!).getByText('What is the delivery date?')).toBeTruthy();
    expect(within(bubbles[1]!).queryByRole('img')).toBeNull();
    expect(within(bubbles[2]!).getByRole('img', { name: 'Delivered' })).toBeTruthy();
    expect(within(bubbles[3]!).getByRole('img', { name: 'Sent' })).toBeTruthy();
    expect(bubbles[0]!.querySelector('.ticks-read')).not.toBeNull();

    const timeline = document.querySelector('.timeline')!;
    expect([...timeline.querySelectorAll('.timeline-cause')].map((cause) => cause.textContent)).toEqual([
      'Received from the store', 'Received from the store', 'Accepted by WhatsApp', 'WhatsApp receipt',
    ]);
    expect(screen.getByRole('button', { name: 'Ask again' })).toBeTruthy();
    expect(EventSourceStub.latest().url).toBe('/api/v1/orders/stream');
  });

  it('explains a failure in words, with the wa.me link to copy when WhatsApp refused to write first', async () => {
    const link = 'https://wa.me/966500000001?text=confirm%20order%20AK7QX2';
    installFakeApi({
      'GET /api/v1/orders/ord_1': {
        body: detail({
          status: 'failed',
          failureReason: 'reach_out_restricted',
          messages: [{ id: 'msg_1', direction: 'outbound', kind: 'confirmation', text: 'Please confirm', status: 'failed', error: 'reach_out_restricted', createdAt: '2026-05-01T10:00:05.000Z', sentAt: null, deliveredAt: null, readAt: null }],
          events: [{ status: 'failed', cause: 'reach_out_restricted', at: '2026-05-01T10:00:06.000Z' }],
          customerInitiatedLink: link,
        }),
      },
      'GET /api/v1/stores': STORES,
    });
    renderOrder();

    const reason = 'WhatsApp does not let your number write first to this customer. Share the link below so they can write to you.';
    expect(await screen.findAllByText(reason)).toHaveLength(3);
    expect(screen.getByRole('img', { name: 'Failed' })).toBeTruthy();
    expect(screen.getByText(link)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy the WhatsApp link' })).toBeTruthy();
    const open = screen.getByRole('link', { name: 'Open' });
    expect(open.getAttribute('href')).toBe(link);
    expect(open.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('translates the reasons an order was skipped, and shows an unknown one as it came', async () => {
    installFakeApi({
      'GET /api/v1/orders/ord_1': { body: detail({ status: 'skipped', failureReason: 'below_minimum', messages: [], events: [{ status: 'skipped', cause: 'a_new_cause', at: '2026-05-01T10:00:00.000Z' }] }) },
      'GET /api/v1/stores': STORES,
    });
    renderOrder();

    expect(await screen.findByText("Not asked: the order total is below the store's minimum.")).toBeTruthy();
    expect(screen.getByText('a_new_cause')).toBeTruthy();
    expect(screen.getByText('No message yet.')).toBeTruthy();
  });

  it('renders every customer-typed field as text: no element, no script', async () => {
    const image = '<img src=x onerror="window.__pwned=1">';
    const script = '<script>window.__pwned=1</script>';
    installFakeApi({
      'GET /api/v1/orders/ord_1': {
        body: detail({
          customerName: image,
          number: script,
          paymentMethod: `<a href="javascript:window.__pwned=1">COD</a>`,
          shippingAddress: { line1: script, line2: image, city: '<svg onload="window.__pwned=1">', region: null, postalCode: null, countryCode: 'SA' },
          items: [{ name: image, variant: script, sku: null, quantity: 1, unitPrice: '1.00' }],
          messages: [{ id: 'msg_2', direction: 'inbound', kind: 'reply', text: `${script} ${image}`, status: 'received', error: null, createdAt: '2026-05-01T10:02:00.000Z', sentAt: null, deliveredAt: null, readAt: null }],
        }),
      },
      'GET /api/v1/stores': { body: { data: [{ id: 'sto_1', name: image, platform: 'generic', whatsappNumberId: null }] } },
    });
    const { container } = renderOrder();

    expect(await screen.findByRole('heading', { level: 1, name: `Order ${isolated(script)}` })).toBeTruthy();
    // Name, address line, item and store name.
    await waitFor(() => expect(screen.getAllByText(image)).toHaveLength(4));
    expect(screen.getAllByText(script)).toHaveLength(2);
    expect(screen.getByText(`${script} ${image}`)).toBeTruthy();
    expect(screen.getByText('<a href="javascript:window.__pwned=1">COD</a>')).toBeTruthy();
    expect(container.querySelector('img, script, a[href^="javascript"], svg[onload], [onerror]')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('asks again after a second click, with the CSRF token, and says it takes one credit', async () => {
    const api = installFakeApi({
      'GET /api/v1/orders/ord_1': { body: detail({ status: 'no_response' }) },
      'GET /api/v1/stores': STORES,
      'POST /api/v1/orders/ord_1/resend': { status: 202, body: { status: 'queued' } },
    });
    renderOrder();

    fireEvent.click(await screen.findByRole('button', { name: 'Ask again' }));
    expect(screen.getByText('Send the confirmation question to the customer again? This takes one credit.')).toBeTruthy();
    expect(api.requests.some((request) => request.method === 'POST')).toBe(false);
    const readsBefore = detailReads(api.requests).length;
    fireEvent.click(screen.getByRole('button', { name: 'Ask again (1 credit)' }));

    expect(await screen.findByText('Done: the question is on its way to the customer.')).toBeTruthy();
    const posts = api.requests.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ path: '/api/v1/orders/ord_1/resend', body: undefined });
    expect(posts[0]!.headers['x-csrf-token']).toBe('csrf-token-1');
    await waitFor(() => expect(detailReads(api.requests).length).toBeGreaterThan(readsBefore));
  });

  it('confirms and cancels by hand with the exact decision request', async () => {
    const api = installFakeApi({
      'GET /api/v1/orders/ord_1': { body: detail({ status: 'sent' }) },
      'GET /api/v1/stores': STORES,
      'POST /api/v1/orders/ord_1/decision': (request) => ({ body: { id: 'ord_1', status: (request.body as { status: string }).status } }),
    });
    renderOrder();

    fireEvent.click(await screen.findByRole('button', { name: 'Confirm by hand' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, confirm' }));
    expect(await screen.findByText('Done: the order is confirmed.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel by hand' }));
    fireEvent.click(screen.getByRole('button', { name: 'Go back' }));
    expect(screen.queryByRole('button', { name: 'Yes, cancel the order' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel by hand' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel the order' }));
    expect(await screen.findByText('Done: the order is cancelled.')).toBeTruthy();

    const posts = api.requests.filter((request) => request.method === 'POST');
    expect(posts.map((request) => [request.path, request.body, request.headers['x-csrf-token']])).toEqual([
      ['/api/v1/orders/ord_1/decision', { status: 'confirmed' }, 'csrf-token-1'],
      ['/api/v1/orders/ord_1/decision', { status: 'cancelled' }, 'csrf-token-1'],
    ]);
  });

  it('shows why the API refused an action, in the merchant’s words', async () => {
    installFakeApi({
      'GET /api/v1/orders/ord_1': { body: detail({ status: 'failed', failureReason: 'no_credits' }) },
      'GET /api/v1/stores': STORES,
      'POST /api/v1/orders/ord_1/resend': { status: 402, body: { error: { code: 'no_credits', message: 'no credits left' } } },
    });
    renderOrder();

    fireEvent.click(await screen.findByRole('button', { name: 'Ask again' }));
    fireEvent.click(screen.getByRole('button', { name: 'Ask again (1 credit)' }));
    expect((await screen.findByRole('alert')).textContent).toBe('You have no credits left. Top up on the Billing page, then try again.');
  });

  it('reads the order again when the stream reports a change of this order only', async () => {
    let status: OrderDetail['status'] = 'sent';
    const api = installFakeApi({ 'GET /api/v1/orders/ord_1': () => ({ body: detail({ status }) }), 'GET /api/v1/stores': STORES });
    renderOrder();
    await screen.findByRole('heading', { level: 1, name: `Order ${isolated('#1001')}` });
    const stream = EventSourceStub.latest();
    act(() => stream.open());

    await act(async () => stream.sendOrderChange({ orderId: 'ord_other', status: 'confirmed' }));
    expect(detailReads(api.requests)).toHaveLength(1);
    status = 'confirmed';
    act(() => stream.sendOrderChange({ orderId: 'ord_1', status: 'confirmed' }));
    await waitFor(() => expect(detailReads(api.requests)).toHaveLength(2));
    expect(await screen.findByText('Confirmed', { selector: '.order-status-line .badge' })).toBeTruthy();
  });

  it('says so when the order does not exist or belongs to another account', async () => {
    installFakeApi({
      'GET /api/v1/orders/ord_1': { status: 404, body: { error: { code: 'not_found', message: 'order not found' } } },
      'GET /api/v1/stores': STORES,
    });
    renderOrder();

    expect((await screen.findByRole('alert')).textContent).toContain('This no longer exists, or it belongs to another account.');
    expect(screen.getByRole('link', { name: 'Back to orders' }).getAttribute('href')).toBe('/orders');
  });
});

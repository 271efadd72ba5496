import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { OrderSummary } from '../../api/orders.ts';
import { installFakeApi, type RecordedRequest } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import { installFakeEventSource } from './fake-event-source.ts';
import OrdersPage from './orders-page.tsx';

const order = (overrides: Partial<OrderSummary> = {}): OrderSummary => ({
  id: 'ord_1',
  storeId: 'sto_1',
  platform: 'shopify',
  externalId: '1001',
  number: '#1001',
  code: 'AK7QX2',
  status: 'sent',
  failureReason: null,
  customerName: 'Amina Haddad',
  customerPhone: '+966551234567',
  phoneProblem: null,
  total: '199.00',
  currency: 'SAR',
  isCod: true,
  createdAt: '2026-05-01T10:00:00.000Z',
  platformCreatedAt: '2026-05-01T09:59:00.000Z',
  updatedAt: '2026-05-01T10:01:00.000Z',
  ...overrides,
});

const STORES = { body: { data: [{ id: 'sto_1', name: 'Souk Amina', platform: 'shopify', whatsappNumberId: 'num_1' }] } };

const orderListRequests = (requests: RecordedRequest[]) => requests.filter((request) => request.method === 'GET' && request.path === '/api/v1/orders');

const rowOf = (number: string) => {
  const row = screen.getByRole('link', { name: number }).closest('tr');
  if (!row) throw new Error(`no row for ${number}`);
  return row;
};

describe('orders page', () => {
  let EventSourceStub: ReturnType<typeof installFakeEventSource>;
  beforeEach(() => {
    EventSourceStub = installFakeEventSource();
  });

  it('lists orders with store, money, phone and status, asking the API with the filters of the address', async () => {
    const api = installFakeApi({
      'GET /api/v1/orders': { body: { data: [order(), order({ id: 'ord_2', number: '#1002', customerName: 'Karim', status: 'confirmed', total: '12.500', currency: 'KWD' })], nextCursor: null } },
      'GET /api/v1/stores': STORES,
    });
    renderAt(<OrdersPage />, { path: '/orders?storeId=sto_1&status=sent&q=Amina&from=2026-05-01&to=2026-05-03', route: '/orders' });

    await screen.findByRole('link', { name: '#1001' });
    const first = rowOf('#1001');
    expect(within(first).getByText('Amina Haddad')).toBeTruthy();
    expect(within(first).getByText('+966551234567')).toBeTruthy();
    expect(within(first).getByText('Message sent')).toBeTruthy();
    expect(await within(first).findByText('Souk Amina')).toBeTruthy();
    // Money in the currency's own digits (3 for KWD), through Intl.
    expect(within(first).getByText(/^SAR\s199\.00$/)).toBeTruthy();
    expect(within(rowOf('#1002')).getByText(/^KWD\s12\.500$/)).toBeTruthy();
    expect(within(rowOf('#1002')).getByText('Confirmed')).toBeTruthy();
    expect(screen.getByRole('link', { name: '#1001' }).getAttribute('href')).toBe('/orders/ord_1');

    const [request] = orderListRequests(api.requests);
    expect(Object.fromEntries(request!.query)).toEqual({
      storeId: 'sto_1',
      status: 'sent',
      q: 'Amina',
      from: new Date(2026, 4, 1).toISOString(),
      // The "to" day is included: the API's `to` is exclusive, so it is the next midnight.
      to: new Date(2026, 4, 4).toISOString(),
    });
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('sent');
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2026-05-01');
    expect((screen.getByLabelText('Search') as HTMLInputElement).value).toBe('Amina');
  });

  it('asks again with each changed filter, and searches once the merchant stops typing', async () => {
    const api = installFakeApi({
      'GET /api/v1/orders': { body: { data: [order()], nextCursor: null } },
      'GET /api/v1/stores': STORES,
    });
    renderAt(<OrdersPage />, { path: '/orders', route: '/orders' });
    await screen.findByRole('link', { name: '#1001' });
    expect(Object.fromEntries(orderListRequests(api.requests)[0]!.query)).toEqual({});

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    await waitFor(() => expect(orderListRequests(api.requests).at(-1)!.query.get('status')).toBe('failed'));
    await screen.findByRole('option', { name: 'Souk Amina' });
    fireEvent.change(screen.getByLabelText('Store'), { target: { value: 'sto_1' } });
    await waitFor(() => expect(orderListRequests(api.requests).at(-1)!.query.get('storeId')).toBe('sto_1'));

    const before = orderListRequests(api.requests).length;
    const search = screen.getByLabelText('Search');
    fireEvent.change(search, { target: { value: '05' } });
    fireEvent.change(search, { target: { value: '0555' } });
    await waitFor(() => expect(orderListRequests(api.requests).at(-1)!.query.get('q')).toBe('0555'));
    // Typing two characters in a row sent one search, not one per keystroke.
    expect(orderListRequests(api.requests).slice(before).map((request) => request.query.get('q'))).toEqual(['0555']);
    expect(Object.fromEntries(orderListRequests(api.requests).at(-1)!.query)).toEqual({ status: 'failed', storeId: 'sto_1', q: '0555' });
  });

  it('loads the next page with the cursor the API gave', async () => {
    const api = installFakeApi({
      'GET /api/v1/orders': (request) =>
        request.query.get('cursor') === 'cursor-2'
          ? { body: { data: [order({ id: 'ord_0', number: '#1000' })], nextCursor: null } }
          : { body: { data: [order()], nextCursor: 'cursor-2' } },
      'GET /api/v1/stores': STORES,
    });
    renderAt(<OrdersPage />, { path: '/orders?status=sent', route: '/orders' });

    fireEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    await screen.findByRole('link', { name: '#1000' });
    expect(screen.getByRole('link', { name: '#1001' })).toBeTruthy();
    expect(Object.fromEntries(orderListRequests(api.requests).at(-1)!.query)).toEqual({ status: 'sent', cursor: 'cursor-2' });
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('updates a row in place from the live stream, and reads the first page again for a new order', async () => {
    let firstPage = [order()];
    const api = installFakeApi({
      'GET /api/v1/orders': () => ({ body: { data: firstPage, nextCursor: null } }),
      'GET /api/v1/stores': STORES,
    });
    renderAt(<OrdersPage />, { path: '/orders', route: '/orders' });
    await screen.findByRole('link', { name: '#1001' });
    const stream = EventSourceStub.latest();
    expect(stream.url).toBe('/api/v1/orders/stream');
    expect(screen.getByRole('status').textContent).toContain('Connecting');
    act(() => stream.open());
    expect(screen.getByText('Live')).toBeTruthy();

    const readsBefore = orderListRequests(api.requests).length;
    act(() => stream.sendOrderChange({ orderId: 'ord_1', status: 'confirmed' }));
    expect(await within(rowOf('#1001')).findByText('Confirmed')).toBeTruthy();
    // A message receipt carries a message status, not the order's: the row keeps its status.
    await act(async () => stream.sendOrderChange({ orderId: 'ord_1', status: 'read', messageId: 'msg_1' }));
    expect(within(rowOf('#1001')).getByText('Confirmed')).toBeTruthy();
    expect(orderListRequests(api.requests).length).toBe(readsBefore);

    firstPage = [order({ id: 'ord_9', number: '#1009', customerName: 'Nadia', status: 'queued' }), order({ status: 'confirmed' })];
    act(() => stream.sendOrderChange({ orderId: 'ord_9', status: 'queued' }));
    await screen.findByRole('link', { name: '#1009' });
    expect(orderListRequests(api.requests).length).toBe(readsBefore + 1);
    expect(orderListRequests(api.requests).at(-1)!.query.get('cursor')).toBeNull();
    const numbers = screen.getAllByRole('row').slice(1).map((row) => within(row).getByRole('link').textContent);
    expect(numbers).toEqual(['#1009', '#1001']);

    act(() => stream.fail({ closed: false }));
    expect(screen.getByText('Reconnecting…')).toBeTruthy();
    act(() => stream.open());
    expect(screen.getByText('Live')).toBeTruthy();
  });

  it('opens the stream again when the browser gave up on it', async () => {
    installFakeApi({ 'GET /api/v1/orders': { body: { data: [order()], nextCursor: null } }, 'GET /api/v1/stores': STORES });
    renderAt(<OrdersPage />, { path: '/orders', route: '/orders' });
    await screen.findByRole('link', { name: '#1001' });
    vi.useFakeTimers();
    try {
      const first = EventSourceStub.latest();
      act(() => first.fail({ closed: true }));
      expect(screen.getByText('Reconnecting…')).toBeTruthy();
      expect(EventSourceStub.instances).toHaveLength(1);
      act(() => vi.advanceTimersByTime(5_000));
      expect(EventSourceStub.instances).toHaveLength(2);
      act(() => EventSourceStub.latest().open());
      expect(screen.getByText('Live')).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('ignores a new order of another status while a status filter is on', async () => {
    const api = installFakeApi({
      'GET /api/v1/orders': { body: { data: [order({ status: 'failed' })], nextCursor: null } },
      'GET /api/v1/stores': STORES,
    });
    renderAt(<OrdersPage />, { path: '/orders?status=failed', route: '/orders' });
    await screen.findByRole('link', { name: '#1001' });
    const reads = orderListRequests(api.requests).length;
    act(() => EventSourceStub.latest().sendOrderChange({ orderId: 'ord_5', status: 'queued' }));
    act(() => EventSourceStub.latest().sendOrderChange({ orderId: 'ord_6', status: 'failed' }));
    await waitFor(() => expect(orderListRequests(api.requests).length).toBe(reads + 1));
    expect(orderListRequests(api.requests).at(-1)!.query.get('status')).toBe('failed');
  });

  it('offers the setup and the stores page when there is no order at all', async () => {
    installFakeApi({ 'GET /api/v1/orders': { body: { data: [], nextCursor: null } }, 'GET /api/v1/stores': { body: { data: [] } } });
    renderAt(<OrdersPage />, { path: '/orders', route: '/orders' });

    expect(await screen.findByText('No orders yet')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Finish setting up' }).getAttribute('href')).toBe('/setup');
    expect(screen.getByRole('link', { name: 'Connect a store' }).getAttribute('href')).toBe('/stores');
  });

  it('says when no order matches the filters, and clears them', async () => {
    const api = installFakeApi({ 'GET /api/v1/orders': { body: { data: [], nextCursor: null } }, 'GET /api/v1/stores': STORES });
    renderAt(<OrdersPage />, { path: '/orders?status=cancelled&q=zz', route: '/orders' });

    expect(await screen.findByText('No orders match these filters')).toBeTruthy();
    fireEvent.click(screen.getAllByRole('button', { name: 'Clear filters' })[0]!);
    await waitFor(() => expect(Object.fromEntries(orderListRequests(api.requests).at(-1)!.query)).toEqual({}));
    expect(await screen.findByText('No orders yet')).toBeTruthy();
  });

  it('shows the API error and tries again', async () => {
    let fail = true;
    installFakeApi({
      'GET /api/v1/orders': () => (fail ? { status: 400, body: { error: { code: 'bad_request', message: 'cursor: not a cursor from a previous page' } } } : { body: { data: [order()], nextCursor: null } }),
      'GET /api/v1/stores': STORES,
    });
    renderAt(<OrdersPage />, { path: '/orders', route: '/orders' });

    expect((await screen.findByRole('alert')).textContent).toContain('cursor: not a cursor from a previous page');
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: '#1001' })).toBeTruthy();
  });

  it('shows customer-typed markup as text and runs none of it', async () => {
    installFakeApi({
      'GET /api/v1/orders': {
        body: { data: [order({ customerName: '<img src=x onerror="window.__pwned=1">', number: '<script>window.__pwned=1</script>' })], nextCursor: null },
      },
      'GET /api/v1/stores': { body: { data: [{ id: 'sto_1', name: '<b>bold</b>', platform: 'generic', whatsappNumberId: null }] } },
    });
    const { container } = renderAt(<OrdersPage />, { path: '/orders', route: '/orders' });

    expect(await screen.findByText('<img src=x onerror="window.__pwned=1">')).toBeTruthy();
    expect(screen.getByRole('link', { name: '<script>window.__pwned=1</script>' })).toBeTruthy();
    expect(await screen.findAllByText('<b>bold</b>')).not.toHaveLength(0);
    expect(container.querySelector('img, script, b')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
});

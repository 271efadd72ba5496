import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../../test/harness/database.ts';
import { appOf, createMerchant, type Merchant } from '../../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../../test/harness/runtime.ts';

/** GET /api/v1/orders as the dashboard's list uses it: date range, status, search, cursor, tenants. */
describe.each(TEST_BACKENDS)('order list filters on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let other: Merchant;
  let storeId: string;
  const ids: Record<string, string> = {};

  const orderBody = (index: number, name: string, phone: string) => ({
    storeId,
    platform: 'generic',
    externalId: `list-${index}`,
    number: `#L${index}`,
    createdAt: '2026-05-01T10:00:00.000Z',
    currency: 'SAR',
    total: '10.00',
    paymentMethod: 'COD',
    isCod: true,
    locale: 'en',
    customer: { name, phone, phoneRaw: phone, phoneProblem: null },
    shippingAddress: { line1: 'Street 1', line2: null, city: 'Riyadh', region: null, postalCode: null, countryCode: 'SA' },
    items: [{ name: 'Item', variant: null, sku: null, quantity: 1, unitPrice: '10.00' }],
  });

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, { roles: { api: true, worker: false } });
    merchant = await createMerchant(testRuntime);
    other = await createMerchant(testRuntime);
    const app = appOf(testRuntime);
    const auth = { authorization: `Bearer ${merchant.apiKey}` };
    storeId = (await app.inject({ method: 'POST', url: '/api/v1/stores', headers: auth, payload: { name: 'List', platform: 'generic', defaultCountry: 'SA' } })).json().id;
    const customers: [string, string, string][] = [
      ['2026-04-30T23:59:59.999Z', 'Amina Haddad', '+966551230001'],
      ['2026-05-01T00:00:00.000Z', 'Karim Saleh', '+966551230002'],
      ['2026-05-01T18:30:00.000Z', 'Nadia Omar', '+966551230003'],
      ['2026-05-02T00:00:00.000Z', 'Amina Yousef', '+966551230004'],
    ];
    for (const [index, [receivedAt, name, phone]] of customers.entries()) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: auth, payload: orderBody(index, name, phone) });
      expect(response.statusCode, response.body).toBe(201);
      ids[`#L${index}`] = response.json().id;
      // The list filters on when Akked received the order; set it to a known instant.
      await testRuntime.testDatabase.database.query('update orders set created_at = $2 where id = $1', [response.json().id, receivedAt]);
    }
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const list = async (who: Merchant, query: string) => {
    const response = await appOf(testRuntime).inject({ method: 'GET', url: `/api/v1/orders?${query}`, headers: { authorization: `Bearer ${who.apiKey}` } });
    return response;
  };
  const numbers = async (query: string) => {
    const response = await list(merchant, query);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().data as { number: string }[]).map((order) => order.number);
  };

  it('stores a submitted order with a NUL in its id and an unpaired surrogate in its name, cleaned, and answers its resubmission with the same order', async () => {
    const app = appOf(testRuntime);
    const auth = { authorization: `Bearer ${merchant.apiKey}` };
    // Written by hand: JSON.stringify would keep the escapes the same way.
    const payload = JSON.stringify({ ...orderBody(99, 'Lone \ud800 Name', '+966551230099'), externalId: 'nul-\u0000-99' });
    expect(payload).toContain('\\u0000');
    const first = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...auth, 'content-type': 'application/json' }, payload });
    expect(first.statusCode, first.body).toBe(201);
    const again = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...auth, 'content-type': 'application/json' }, payload });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, isNew: false });
    const [stored] = await testRuntime.testDatabase.database.query<{ external_id: string; customer_name: string }>('select external_id, customer_name from orders where id = $1', [first.json().id]);
    expect(stored).toEqual({ external_id: 'nul--99', customer_name: 'Lone \ufffd Name' });
    await testRuntime.testDatabase.database.query('delete from orders where id = $1', [first.json().id]);
  });

  it('keeps orders received from `from` (inclusive) until `to` (exclusive), newest first', async () => {
    expect(await numbers('from=2026-05-01T00:00:00.000Z&to=2026-05-02T00:00:00.000Z')).toEqual(['#L2', '#L1']);
    expect(await numbers('from=2026-05-01T00:00:00.000Z')).toEqual(['#L3', '#L2', '#L1']);
    expect(await numbers('to=2026-05-01T00:00:00.000Z')).toEqual(['#L0']);
    // An offset is read as the instant it names (03:00 in Riyadh is midnight UTC).
    expect(await numbers('from=2026-05-01T03:00:00%2B03:00&to=2026-05-01T22:00:00%2B03:00')).toEqual(['#L2', '#L1']);
  });

  it('combines the date range with status, search and the cursor', async () => {
    expect(await numbers(`storeId=${storeId}&status=failed&q=amina&from=2026-04-30T00:00:00.000Z&to=2026-05-03T00:00:00.000Z`)).toEqual(['#L3', '#L0']);
    expect(await numbers('q=0002&from=2026-05-01T00:00:00.000Z')).toEqual(['#L1']);
    const first = await list(merchant, 'from=2026-05-01T00:00:00.000Z&limit=2');
    expect((first.json().data as { number: string }[]).map((order) => order.number)).toEqual(['#L3', '#L2']);
    const cursor = first.json().nextCursor as string;
    expect(await numbers(`from=2026-05-01T00:00:00.000Z&limit=2&cursor=${cursor}`)).toEqual(['#L1']);
  });

  it('refuses a date that is not an ISO instant', async () => {
    const response = await list(merchant, 'from=2026-05-01');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('bad_request');
  });

  it("shows another account none of these orders, whatever the filters, and 404 for one of them", async () => {
    const foreign = await list(other, `storeId=${storeId}&from=2026-04-01T00:00:00.000Z&to=2026-06-01T00:00:00.000Z`);
    expect(foreign.statusCode).toBe(200);
    expect(foreign.json()).toEqual({ data: [], nextCursor: null });
    const detail = await appOf(testRuntime).inject({ method: 'GET', url: `/api/v1/orders/${ids['#L1']}`, headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(detail.statusCode).toBe(404);
    expect(detail.json().error.code).toBe('not_found');
  });
});

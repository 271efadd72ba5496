import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { appOf, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { findInEveryTable } from '../../test/harness/table-scan.ts';
import { CSV_HEADER } from './export-orders.ts';

describe.each(TEST_BACKENDS)('export and customer erasure on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let other: Merchant;
  let storeId: string;

  const orderBody = (index: number, phone: string, name: string) => ({
    storeId,
    platform: 'generic',
    externalId: `privacy-${index}`,
    number: `#P${index}`,
    createdAt: new Date().toISOString(),
    currency: 'SAR',
    total: '99.00',
    paymentMethod: 'COD',
    isCod: true,
    locale: 'ar',
    customer: { name, phone, phoneRaw: phone, phoneProblem: null },
    shippingAddress: { line1: `${index} Tahlia Street`, line2: null, city: 'Jeddah', region: null, postalCode: null, countryCode: 'SA' },
    items: [{ name: '@SUM(1+1)', variant: null, sku: null, quantity: 2, unitPrice: '49.50' }],
  });

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, { roles: { api: true, worker: false } });
    merchant = await createMerchant(testRuntime);
    other = await createMerchant(testRuntime);
    const app = appOf(testRuntime);
    storeId = (await app.inject({ method: 'POST', url: '/api/v1/stores', headers: { authorization: `Bearer ${merchant.apiKey}` }, payload: { name: 'Privacy', platform: 'generic', defaultCountry: 'SA' } })).json().id;
    const customers: [string, string][] = [
      ['+966551230001', '=HYPERLINK("http://evil.example","click")'],
      ['+966551230002', 'Layla Haddad'],
      ['+966551230001', '=HYPERLINK("http://evil.example","click")'],
    ];
    for (const [index, [phone, name]] of customers.entries()) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${merchant.apiKey}` }, payload: orderBody(index, phone, name) });
      expect(response.statusCode, response.body).toBe(201);
    }
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const exportAs = (who: Merchant, format: string) =>
    appOf(testRuntime).inject({ method: 'GET', url: `/api/v1/export?format=${format}`, headers: { authorization: `Bearer ${who.apiKey}` } });

  it('exports JSON and NDJSON that parse back to the orders with their timelines', async () => {
    const json = await exportAs(merchant, 'json');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toContain('application/json');
    const orders = JSON.parse(json.body) as { number: string; events: unknown[]; customerPhone: string }[];
    expect(orders.map((order) => order.number)).toEqual(['#P0', '#P1', '#P2']);
    expect(orders[0]?.events.length).toBeGreaterThanOrEqual(2);
    const ndjson = await exportAs(merchant, 'ndjson');
    const lines = ndjson.body.trim().split('\n').map((line) => JSON.parse(line) as { number: string });
    expect(lines.map((order) => order.number)).toEqual(['#P0', '#P1', '#P2']);
    expect(JSON.parse((await exportAs(other, 'json')).body)).toEqual([]);
  });

  it('exports CSV under the fixed header with formula cells neutralized', async () => {
    const csv = await exportAs(merchant, 'csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, first] = csv.body.split('\r\n');
    expect(header).toBe(CSV_HEADER.join(','));
    expect(first).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(first).not.toMatch(/,=/);
    expect(first).toContain('2x @SUM(1+1)');
  });

  it("erases one customer (given in local form) everywhere, and only that customer", async () => {
    const app = appOf(testRuntime);
    const foreign = await app.inject({ method: 'DELETE', url: `/api/v1/customers/${encodeURIComponent('+966551230001')}`, headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(foreign.json()).toEqual({ deleted: { orders: 0, messages: 0 } });
    const response = await app.inject({ method: 'DELETE', url: '/api/v1/customers/0551230001', headers: { authorization: `Bearer ${merchant.apiKey}` } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().deleted.orders).toBe(2);
    const { database } = testRuntime.testDatabase;
    expect(await findInEveryTable(database, ['551230001', 'evil.example'])).toEqual([]);
    const remaining = JSON.parse((await exportAs(merchant, 'json')).body) as { number: string }[];
    expect(remaining.map((order) => order.number)).toEqual(['#P1']);
    const [audit] = await database.query<{ kind: string; counts: { orders: number } }>("select kind, counts from erasure_audit where kind = 'customer' and account_id = $1 and (counts->>'orders')::int = 2", [merchant.accountId]);
    expect(audit?.counts.orders).toBe(2);
  });

  it('erases a customer given by the number WhatsApp knows them by, and that number with them', async () => {
    const app = appOf(testRuntime);
    const created = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${merchant.apiKey}` }, payload: orderBody(7, '+5215512345678', 'Ximena Ortega') });
    expect(created.statusCode, created.body).toBe(201);
    const { database } = testRuntime.testDatabase;
    // WhatsApp answered onWhatsApp with the form without the mobile 1 (Mexico's 521 → 52).
    await database.query("update orders set whatsapp_phone = '+525512345678' where id = $1", [created.json().id]);
    const response = await app.inject({ method: 'DELETE', url: `/api/v1/customers/${encodeURIComponent('+525512345678')}`, headers: { authorization: `Bearer ${merchant.apiKey}` } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().deleted.orders).toBe(1);
    expect(await findInEveryTable(database, ['5512345678', 'Ximena'])).toEqual([]);
  });

  it('requires the CSRF token for a cookie request, and a phone that reads as one', async () => {
    const app = appOf(testRuntime);
    const noToken = await app.inject({ method: 'DELETE', url: '/api/v1/customers/0551230002', headers: { cookie: merchant.cookie, origin: testRuntime.config.publicUrl } });
    expect(noToken.statusCode).toBe(403);
    const notAPhone = await app.inject({ method: 'DELETE', url: '/api/v1/customers/hello', headers: { authorization: `Bearer ${merchant.apiKey}` } });
    expect(notAPhone.statusCode).toBe(422);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { appOf, browserHeaders, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';

describe.each(TEST_BACKENDS)('stores API on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let other: Merchant;

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend);
    merchant = await createMerchant(testRuntime);
    other = await createMerchant(testRuntime);
  });

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const api = (who: Merchant) => ({ authorization: `Bearer ${who.apiKey}` });

  const create = (who: Merchant, body: Record<string, unknown>) =>
    appOf(testRuntime).inject({ method: 'POST', url: '/api/v1/stores', headers: api(who), payload: body });

  it('creates a store with its webhook URL, a generated secret and default settings', async () => {
    const response = await create(merchant, { name: 'Dar Al Oud', platform: 'salla', defaultCountry: 'sa', timezone: 'Asia/Riyadh', language: 'ar' });
    expect(response.statusCode, response.body).toBe(201);
    const store = response.json();
    expect(store.id).toMatch(/^sto_/);
    expect(store.webhookUrl).toBe(`${testRuntime.config.publicUrl}/hooks/salla/${store.id}`);
    expect(store.webhookSecret).toMatch(/^[\w-]{32}$/);
    expect(store.webhookSecrets).toEqual([store.webhookSecret]);
    expect(store.defaultCountry).toBe('SA');
    expect(store.settings).toEqual({
      codOnly: true,
      minimumTotal: null,
      sendDelayMinutes: 0,
      quietHours: null,
      reminders: { count: 1, afterMinutes: 120 },
      autoCancelAfterMinutes: null,
      cloudFallback: null,
    });
    expect(store.writeBack).toEqual({ supported: true, configured: false });
  });

  it('gives generic stores a Standard Webhooks secret and Zid stores a token in the URL', async () => {
    const generic = (await create(merchant, { name: 'Custom', platform: 'generic' })).json();
    expect(generic.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const zid = (await create(merchant, { name: 'Zid shop', platform: 'zid' })).json();
    expect(zid.webhookUrl).toBe(`${testRuntime.config.publicUrl}/hooks/zid/${zid.id}?token=${encodeURIComponent(zid.webhookSecret)}`);
  });

  it('lets a Shopify merchant paste the app signing secret', async () => {
    const withoutSecret = (await create(merchant, { name: 'Shopify', platform: 'shopify' })).json();
    expect(withoutSecret.webhookSecret).toBeNull();
    const patched = await appOf(testRuntime).inject({
      method: 'PATCH',
      url: `/api/v1/stores/${withoutSecret.id}`,
      headers: api(merchant),
      payload: { webhookSecrets: ['shpss_pasted_app_secret'] },
    });
    expect(patched.json().webhookSecret).toBe('shpss_pasted_app_secret');
  });

  it('updates settings given at the top level or under settings, and validates them', async () => {
    const store = (await create(merchant, { name: 'Settings', platform: 'woocommerce', timezone: 'Africa/Casablanca' })).json();
    const app = appOf(testRuntime);
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${store.id}`,
      headers: api(merchant),
      payload: { codOnly: false, minimumTotal: '150.00', quietHours: { start: '22:00', end: '08:00' }, settings: { sendDelayMinutes: 5 } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().settings).toMatchObject({ codOnly: false, minimumTotal: '150.00', quietHours: { start: '22:00', end: '08:00' }, sendDelayMinutes: 5 });
    const invalid = await app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${store.id}`,
      headers: api(merchant),
      payload: { quietHours: { start: '25:00', end: '08:00' }, timezone: 'Mars/Olympus' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.code).toBe('bad_request');
    expect(invalid.json().error.message).toContain('quietHours');
    expect(invalid.json().error.message).toContain('timezone');
  });

  it('rejects templates with unknown variables and merges valid ones per language', async () => {
    const store = (await create(merchant, { name: 'Templates', platform: 'youcan' })).json();
    const app = appOf(testRuntime);
    const bad = await app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${store.id}`,
      headers: api(merchant),
      payload: { templates: { en: { confirm: 'Hi {{customer_nam}}' } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('{{customer_nam}}');
    await app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(merchant), payload: { templates: { en: { confirm: 'Hi {{customer_name}}, order {{order_number}}?' } } } });
    const second = await app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(merchant), payload: { templates: { en: { confirmed: 'Thanks!' } } } });
    expect(second.json().templates).toEqual({ en: { confirm: 'Hi {{customer_name}}, order {{order_number}}?', confirmed: 'Thanks!' } });
  });

  it('removes a template override given null, for one kind or a whole language, and keeps the rest', async () => {
    const store = (
      await create(merchant, {
        name: 'Reset templates',
        platform: 'salla',
        templates: { en: { confirm: 'Hi {{customer_name}}?', confirmed: 'Thanks!' }, fr: { reminder: 'Vous êtes là ?' } },
      })
    ).json();
    const app = appOf(testRuntime);
    const patch = (templates: unknown) => app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(merchant), payload: { templates } });

    const oneKind = await patch({ en: { confirm: null } });
    expect(oneKind.statusCode, oneKind.body).toBe(200);
    expect(oneKind.json().templates).toEqual({ en: { confirmed: 'Thanks!' }, fr: { reminder: 'Vous êtes là ?' } });

    const wholeLanguage = await patch({ fr: null, en: { cancelled: 'Cancelled, {{customer_name}}.' } });
    expect(wholeLanguage.statusCode, wholeLanguage.body).toBe(200);
    expect(wholeLanguage.json().templates).toEqual({ en: { confirmed: 'Thanks!', cancelled: 'Cancelled, {{customer_name}}.' } });

    // A language whose last override goes is dropped, not kept as an empty object.
    const lastOfLanguage = await patch({ en: { confirmed: null, cancelled: null } });
    expect(lastOfLanguage.json().templates).toEqual({});
    const fetched = await app.inject({ method: 'GET', url: `/api/v1/stores/${store.id}`, headers: api(merchant) });
    expect(fetched.json().templates).toEqual({});
    const [row] = await testRuntime.testDatabase.database.query<{ templates: unknown }>('select templates from stores where id = $1', [store.id]);
    expect(row?.templates).toEqual({});
  });

  it('accepts removing a template that was never overridden, and changes nothing', async () => {
    const store = (await create(merchant, { name: 'Nothing to reset', platform: 'zid', templates: { ar: { confirm: 'مرحبًا {{customer_name}}' } } })).json();
    const patched = await appOf(testRuntime).inject({
      method: 'PATCH',
      url: `/api/v1/stores/${store.id}`,
      headers: api(merchant),
      payload: { templates: { ar: { reminder: null }, en: { confirm: null }, fr: null } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().templates).toEqual({ ar: { confirm: 'مرحبًا {{customer_name}}' } });
  });

  it('refuses null templates when creating a store', async () => {
    for (const templates of [{ en: { confirm: null } }, { fr: null }]) {
      const response = await create(merchant, { name: 'Null templates', platform: 'salla', templates });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.code).toBe('bad_request');
      expect(response.json().error.message).toContain('templates');
    }
  });

  it("answers 404 for removing a template of another account's store, and keeps it", async () => {
    const theirs = (await create(other, { name: 'Their templates', platform: 'salla', templates: { en: { confirm: 'Hi {{customer_name}}?' } } })).json();
    const app = appOf(testRuntime);
    const response = await app.inject({ method: 'PATCH', url: `/api/v1/stores/${theirs.id}`, headers: api(merchant), payload: { templates: { en: null } } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'store not found' } });
    const stillThere = await app.inject({ method: 'GET', url: `/api/v1/stores/${theirs.id}`, headers: api(other) });
    expect(stillThere.json().templates).toEqual({ en: { confirm: 'Hi {{customer_name}}?' } });
  });

  it('describes null template removal in the OpenAPI document, for updates only', async () => {
    type JsonSchema = { properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[]; type?: string };
    const document = (await appOf(testRuntime).inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const templatesOf = (operation: { requestBody: { content: Record<string, { schema: JsonSchema }> } }): JsonSchema =>
      operation.requestBody.content['application/json']?.schema.properties?.templates ?? {};
    const update = templatesOf(document.paths['/api/v1/stores/{id}'].patch);
    const language = update.properties?.en;
    expect(language?.anyOf).toContainEqual({ type: 'null' });
    expect(language?.anyOf?.find((option) => option.type === 'object')?.properties?.confirm?.anyOf).toContainEqual({ type: 'null' });
    const creation = templatesOf(document.paths['/api/v1/stores'].post);
    expect(creation.properties?.en).toBeDefined();
    expect(JSON.stringify(creation)).not.toContain('"null"');
  });

  it('stores write-back credentials encrypted and never returns them', async () => {
    const store = (await create(merchant, { name: 'Write-back', platform: 'shopify', webhookSecret: 'shopify-app-secret' })).json();
    const app = appOf(testRuntime);
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${store.id}`,
      headers: api(merchant),
      payload: { writeBack: { shopDomain: 'dar-al-oud.myshopify.com', accessToken: 'shpat_supersecret' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().writeBack).toEqual({ supported: true, configured: true, shopDomain: 'dar-al-oud.myshopify.com' });
    expect(patched.body).not.toContain('shpat_supersecret');
    const fetched = await app.inject({ method: 'GET', url: `/api/v1/stores/${store.id}`, headers: api(merchant) });
    expect(fetched.body).not.toContain('shpat_supersecret');
    const rows = await testRuntime.testDatabase.database.query('select envelope from credentials where owner_id = $1', [store.id]);
    expect(JSON.stringify(rows)).not.toContain('shpat_supersecret');
    expect(JSON.stringify(rows)).not.toContain('shopify-app-secret');
    const wrongShape = await app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(merchant), payload: { writeBack: { storeUrl: 'https://x.example' } } });
    expect(wrongShape.statusCode).toBe(400);
    expect(wrongShape.json().error.message).toContain('writeBack.shopDomain');
  });

  it('works with a cookie session and its CSRF token', async () => {
    const response = await appOf(testRuntime).inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: browserHeaders(testRuntime, merchant),
      payload: { name: 'From the dashboard', platform: 'easyorders' },
    });
    expect(response.statusCode).toBe(201);
  });

  it("hides another account's store: 404 for read, update and delete, and absent from the list", async () => {
    const theirs = (await create(other, { name: 'Not yours', platform: 'salla' })).json();
    const app = appOf(testRuntime);
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const response = await app.inject({ method, url: `/api/v1/stores/${theirs.id}`, headers: api(merchant), ...(method === 'PATCH' ? { payload: { name: 'mine now' } } : {}) });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'not_found', message: 'store not found' } });
    }
    const list = await app.inject({ method: 'GET', url: '/api/v1/stores', headers: api(merchant) });
    expect(list.json().data.map((store: { id: string }) => store.id)).not.toContain(theirs.id);
    const stillThere = await app.inject({ method: 'GET', url: `/api/v1/stores/${theirs.id}`, headers: api(other) });
    expect(stillThere.json().name).toBe('Not yours');
  });

  it("refuses to link another account's WhatsApp number", async () => {
    await testRuntime.testDatabase.database.query(
      "insert into whatsapp_numbers (id, account_id, provider, status) values ('num_foreign_test', $1, 'simulator', 'connected')",
      [other.accountId],
    );
    const response = await create(merchant, { name: 'Sneaky', platform: 'salla', whatsappNumberId: 'num_foreign_test' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('whatsappNumberId');
  });

  it('deletes a store with its secrets and credentials', async () => {
    const store = (await create(merchant, { name: 'Short-lived', platform: 'salla' })).json();
    const app = appOf(testRuntime);
    await app.inject({ method: 'PATCH', url: `/api/v1/stores/${store.id}`, headers: api(merchant), payload: { writeBack: { accessToken: 'salla-token' } } });
    const deleted = await app.inject({ method: 'DELETE', url: `/api/v1/stores/${store.id}`, headers: api(merchant) });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json().deleted).toMatchObject({ orders: 0, credentials: 2 });
    expect((await app.inject({ method: 'GET', url: `/api/v1/stores/${store.id}`, headers: api(merchant) })).statusCode).toBe(404);
    expect(await testRuntime.testDatabase.database.query('select 1 from credentials where owner_id = $1', [store.id])).toEqual([]);
  });
});

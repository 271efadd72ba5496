import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'lossless-json';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, type WatchedPage } from '../harness/browser.ts';
import { shopifyCodOrder, simulatorControl, waitUntil } from '../harness/flow.ts';
import { startServeWithSimulator, type ServeWithSimulator } from '../harness/processes.ts';
import { findLink, readOutbox } from '../harness/runtime.ts';

type Language = 'en' | 'ar';
const LOCALES_DIRECTORY = path.resolve(import.meta.dirname, '../../dashboard/src/i18n/locales');

/** The dashboard's own words, so the walk reads the page as a merchant does, in each language. */
const wordsOf = (language: Language) => (key: string, values: Record<string, string> = {}): string => {
  const [namespace, keyPath] = key.includes(':') ? (key.split(':') as [string, string]) : ['common', key];
  let value: unknown = JSON.parse(readFileSync(path.join(LOCALES_DIRECTORY, language, `${namespace}.json`), 'utf8'));
  for (const part of keyPath.split('.')) value = (value as Record<string, unknown>)[part];
  if (typeof value !== 'string') throw new Error(`no string ${language}:${key}`);

  return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
};

let orderCounter = 0;

/** A Shopify orders/create body (the documentation's sample) for this customer, as Shopify signs it. */
const orderWebhook = (options: { customerPhone: string; name: string; itemName?: string; address?: string }) => {
  orderCounter += 1;
  const number = `#${5000 + orderCounter}${randomBytes(1).readUInt8() % 10}`;
  const body = shopifyCodOrder({ id: `${Date.now()}${orderCounter}`, number, phone: options.customerPhone, name: options.name, ...(options.address ? { addressLine: options.address } : {}) });
  if (!options.itemName) return { body, number };
  const parsed = parse(body) as { line_items: Record<string, unknown>[] };
  for (const item of parsed.line_items) Object.assign(item, { title: options.itemName, name: options.itemName });

  return { body: stringify(parsed) ?? '', number };
};

const signedShopifyDelivery = (baseUrl: string, storeId: string, secret: string, body: string) =>
  fetch(`${baseUrl}/hooks/shopify/${storeId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
      'x-shopify-webhook-id': randomBytes(8).toString('hex'),
    },
    body,
  });

describe.skipIf(!browserAvailable)('a merchant in the browser: sign-up to a confirmed order, on the real server and simulator', () => {
  let server: ServeWithSimulator;
  let browser: Browser;
  let baseUrl: string;
  let simulatorUrl: string;
  let dataDirectory: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startServeWithSimulator();
    ({ baseUrl, simulatorUrl, dataDirectory } = server);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const walk = async (language: Language) => {
    const t = wordsOf(language);
    const watched = await openPage(browser, { locale: language === 'ar' ? 'ar-SA' : 'en-US' });
    pages.push(watched);
    const { page } = watched;
    const email = `browser.${language}.${randomBytes(4).toString('hex')}@example.com`;
    const password = 'a long enough password';

    // Sign up, in the language asked for in the address.
    await page.goto(`${baseUrl}/sign-up?lang=${language}`);
    expect(await page.getAttribute('html', 'lang')).toBe(language);
    expect(await page.getAttribute('html', 'dir')).toBe(language === 'ar' ? 'rtl' : 'ltr');
    await page.getByLabel(t('auth:fields.name'), { exact: true }).fill(language === 'ar' ? 'سلمى التاجرة' : 'Salma Merchant');
    await page.getByLabel(t('auth:fields.email'), { exact: true }).fill(email);
    await page.getByLabel(t('auth:fields.password'), { exact: true }).fill(password);
    await page.getByRole('button', { name: t('auth:signUp.submit') }).click();
    await page.getByText(t('auth:signUp.checkTitle')).waitFor();

    // The verification link from the outbox lands on /verify-email; it verifies without signing
    // anyone in (a link must not sign its clicker in to someone's account), so the merchant signs in.
    const mail = await waitUntil(async () => (await readOutbox(dataDirectory)).find((message) => message.to === email), Boolean, 20_000, 'the verification email');
    await page.goto(findLink(mail!, `${baseUrl}/api/auth/verify-email`));
    await page.getByText(t('auth:verify.doneTitle')).waitFor();
    await page.getByRole('link', { name: t('auth:verify.signInToContinue') }).click();
    await page.getByLabel(t('auth:fields.email'), { exact: true }).fill(email);
    await page.getByLabel(t('auth:fields.password'), { exact: true }).fill(password);
    await page.getByRole('button', { name: t('auth:signIn.submit') }).click();
    await page.waitForURL(/\/setup/);

    // Link a simulator number: the page turns to "connected" by itself.
    await page.goto(`${baseUrl}/numbers`);
    await page.getByRole('button', { name: t('numbers:linkNumber') }).first().click();
    await page.getByLabel(t('numbers:providers.simulator.title')).check();
    await page.getByRole('button', { name: t('numbers:link.submit.simulator') }).click();
    await page.waitForURL(/\/numbers\/num_/);
    await page.getByText(t('numbers:connected.body')).waitFor({ timeout: 30_000 });
    const numberId = new URL(page.url()).pathname.split('/').pop()!;

    // Connect a Shopify store on that number, pasting Shopify's signing secret.
    const shopifySecret = `shopify-secret-${randomBytes(6).toString('hex')}`;
    await page.goto(`${baseUrl}/stores?new=1`);
    await page.getByLabel(t('stores:fields.name')).fill(language === 'ar' ? 'متجر سلمى' : 'Salma Store');
    await page.getByLabel(t('stores:fields.platform')).selectOption('shopify');
    await page.getByLabel(t('stores:create.platformSecret', { platform: 'Shopify' })).fill(shopifySecret);
    await page.getByRole('button', { name: t('stores:create.submit') }).click();
    await page.waitForURL(/\/stores\/sto_/);
    const storeId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByText(`/hooks/shopify/${storeId}`).first().waitFor();
    await watched.screenshot(`${language}-store-setup`);

    // The orders page is open; a new order arrives by webhook and appears without a reload.
    await page.goto(`${baseUrl}/orders`);
    await page.getByText(t('orders:live.live'), { exact: true }).first().waitFor({ timeout: 20_000 });
    await page.evaluate('window.stillTheSamePage = true');
    const numberPhone = String(((await (await page.request.get(`${baseUrl}/api/v1/whatsapp-numbers/${numberId}`)).json()) as { phone: string }).phone);
    const customerPhone = '+966551234567';
    const webhook = orderWebhook({ customerPhone, name: language === 'ar' ? 'نورة السالم' : 'Noura Salem' });
    expect((await signedShopifyDelivery(baseUrl, storeId, shopifySecret, webhook.body)).status).toBe(200);
    const row = page.getByRole('row').filter({ hasText: webhook.number });
    await row.waitFor({ timeout: 30_000 });
    await row.getByText(t('status.order.read')).or(row.getByText(t('status.order.delivered'))).or(row.getByText(t('status.order.sent'))).first().waitFor({ timeout: 30_000 });

    // The customer answers "1" on WhatsApp (through the simulator): the row turns confirmed, live.
    await simulatorControl(simulatorUrl, 'reply', { from: customerPhone, to: numberPhone, text: language === 'ar' ? '١' : '1' });
    await row.getByText(t('status.order.confirmed')).waitFor({ timeout: 30_000 });
    expect(await page.evaluate('window.stillTheSamePage')).toBe(true);
    await watched.screenshot(`${language}-orders`);

    // The order's page: the thread and the timeline.
    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: t('orders:thread.title') }).waitFor();
    await watched.screenshot(`${language}-order-detail`);

    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    await watched.screenshot(`${language}-overview`);
    expect(await page.getAttribute('html', 'dir')).toBe(language === 'ar' ? 'rtl' : 'ltr');

    return { page, storeId, shopifySecret };
  };

  let english: Awaited<ReturnType<typeof walk>>;

  it('walks sign-up → verification link → simulator number → store → live order → customer replies → confirmed, in English', async () => {
    english = await walk('en');
  }, 240_000);

  it('walks the same in Arabic, right to left', async () => {
    await walk('ar');
  }, 240_000);

  it('renders an order full of script and markup as inert text', async () => {
    const { page, storeId, shopifySecret } = english;
    const payload = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const webhook = orderWebhook({ customerPhone: '+966551234568', name: payload, itemName: payload, address: payload });
    expect((await signedShopifyDelivery(baseUrl, storeId, shopifySecret, webhook.body)).status).toBe(200);
    await page.goto(`${baseUrl}/orders`);
    const row = page.getByRole('row').filter({ hasText: webhook.number });
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole('link').first().click();
    await page.getByText(payload).first().waitFor();
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
  }, 120_000);

  it('fits a 360 px wide screen', async () => {
    const { page } = english;
    await page.setViewportSize({ width: 360, height: 740 });
    for (const route of ['/', '/orders', '/stores', '/numbers', '/settings', '/billing']) {
      await page.goto(`${baseUrl}${route}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
      expect(overflow, route).toBeLessThanOrEqual(0);
    }
  }, 120_000);

  it('logged no browser error and reached no other origin', () => {
    for (const watched of pages) {
      expect(watched.problems, watched.problems.join('\n')).toEqual([]);
      expect(watched.foreignRequests).toEqual([]);
    }
  });
});

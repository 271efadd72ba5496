import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../ingest/order.ts';
import { startFakeStoreApi, type FakeStoreApi } from '../../../test/harness/fake-store-api.ts';
import { createGuardedFetch } from '../outbound-guard.ts';
import { WRITE_BACK_ADAPTERS, WriteBackCredentialsSchemas, writeResultToStore } from './index.ts';

describe('write-back registry', () => {
  let store: FakeStoreApi;

  beforeEach(async () => {
    store = await startFakeStoreApi();
  });

  afterEach(async () => {
    await store.close();
  });

  it('has an adapter and a credentials schema for every platform with an API, and none for generic', () => {
    for (const platform of PLATFORMS) {
      expect(WRITE_BACK_ADAPTERS[platform]?.platform).toBe(WRITE_BACK_ADAPTERS[platform] ? platform : undefined);
      expect(WriteBackCredentialsSchemas[platform] === undefined).toBe(WRITE_BACK_ADAPTERS[platform] === undefined);
    }
    expect(Object.keys(WRITE_BACK_ADAPTERS).sort()).toEqual(['easyorders', 'salla', 'shopify', 'woocommerce', 'youcan', 'zid']);
    expect(WRITE_BACK_ADAPTERS.generic).toBeUndefined();
  });

  it('validates the writeBack settings of each platform', () => {
    const accepts = (platform: keyof typeof WriteBackCredentialsSchemas, value: unknown) => WriteBackCredentialsSchemas[platform]?.safeParse(value).success;
    expect(accepts('shopify', { shopDomain: 'dar-al-oud.myshopify.com', accessToken: 'shpat_1' })).toBe(true);
    expect(accepts('shopify', { storeUrl: 'https://x.example' })).toBe(false);
    expect(accepts('woocommerce', { storeUrl: 'https://shop.example.com', consumerKey: 'ck', consumerSecret: 'cs' })).toBe(true);
    expect(accepts('woocommerce', { storeUrl: 'https://shop.example.com', consumerKey: 'ck' })).toBe(false);
    expect(accepts('salla', { accessToken: 'token' })).toBe(true);
    expect(accepts('zid', { accessToken: 'token' })).toBe(false);
    expect(accepts('zid', { accessToken: 'token', managerToken: 'manager' })).toBe(true);
    expect(accepts('youcan', { accessToken: 'token' })).toBe(true);
    expect(accepts('easyorders', { apiKey: 'key' })).toBe(true);
  });

  it('refuses tokens with spaces or line breaks inside, which cannot go into a header', () => {
    expect(WriteBackCredentialsSchemas.salla?.safeParse({ accessToken: '  pasted-token\n' }).success).toBe(true);
    expect(WriteBackCredentialsSchemas.salla?.safeParse({ accessToken: 'two\nlines' }).success).toBe(false);
    expect(WriteBackCredentialsSchemas.easyorders?.safeParse({ apiKey: 'with space' }).success).toBe(false);
  });

  it('writes through the adapter of the platform', async () => {
    const outcome = await writeResultToStore({
      platform: 'woocommerce',
      credentials: { storeUrl: store.origin, consumerKey: 'ck', consumerSecret: 'cs' },
      externalOrderId: '77',
      orderNumber: '77',
      result: 'cancelled',
      note: '',
      fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 2000 }),
      allowPrivate: true,
    });

    expect(outcome).toBe('written');
    expect(store.requests.map((recorded) => [recorded.method, recorded.path, recorded.body])).toEqual([['PUT', '/wp-json/wc/v3/orders/77', { status: 'cancelled' }]]);
  });

  it('answers not_supported, sending nothing, for a platform or result without write-back', async () => {
    const base = {
      credentials: { accessToken: 'token' },
      externalOrderId: '72aa7882-3898-49a8-87a2-506af3dd7320',
      orderNumber: '021',
      note: '',
      fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 2000 }),
      allowPrivate: true,
    };
    expect(await writeResultToStore({ ...base, platform: 'generic', result: 'confirmed' })).toBe('not_supported');
    expect(await writeResultToStore({ ...base, platform: 'youcan', result: 'confirmed' })).toBe('not_supported');
    expect(store.requests).toHaveLength(0);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf, startFakeStoreApi, type FakeStoreApi } from '../../test/harness/fake-store-api.ts';
import { assertPublicDestination, classifyAddress, createGuardedFetch } from './outbound-guard.ts';

const resolvesTo =
  (...addresses: string[]) =>
  async (): Promise<string[]> =>
    addresses;

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'private'],
    ['127.255.255.254', 'private'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unusable'],
    ['0.1.2.3', 'unusable'],
    ['224.0.0.1', 'unusable'],
    ['255.255.255.255', 'unusable'],
    ['::1', 'private'],
    ['[::1]', 'private'],
    ['::', 'unusable'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'private'],
    ['fe80::1%eth0', 'private'],
    ['ff02::1', 'unusable'],
    ['::ffff:127.0.0.1', 'private'],
    ['::ffff:7f00:1', 'private'],
    ['::ffff:169.254.169.254', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::', 'private'],
    ['2001:db8::1', 'private'],
    ['2606:4700:4700::1111', 'public'],
    ['not-an-address', 'unusable'],
  ])('classifies %s as %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe('assertPublicDestination', () => {
  const refused = { allowPrivate: false };

  it.each([
    'https://127.0.0.1/',
    'https://10.0.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://0.0.0.0/',
    'https://2130706433/', // 127.0.0.1 as a single number, normalized by the URL parser
  ])('refuses %s without the development setting', async (address) => {
    const error = await rejectionOf(assertPublicDestination(new URL(address), { ...refused, lookup: resolvesTo('8.8.8.8') }));
    expect(error.code).toBe('bad_request');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ reason: 'private_address' });
  });

  it('refuses a hostname that resolves to a private address', async () => {
    const error = await rejectionOf(assertPublicDestination(new URL('https://shop.example.com/'), { ...refused, lookup: resolvesTo('10.1.2.3') }));
    expect(error.details).toEqual({ reason: 'private_address' });
  });

  it('refuses a hostname when any one of its addresses is private', async () => {
    const error = await rejectionOf(
      assertPublicDestination(new URL('https://shop.example.com/'), { ...refused, lookup: resolvesTo('93.184.216.34', '::ffff:127.0.0.1') }),
    );
    expect(error.details).toEqual({ reason: 'private_address' });
  });

  it('refuses plain http to a public host', async () => {
    const error = await rejectionOf(assertPublicDestination(new URL('http://shop.example.com/'), { ...refused, lookup: resolvesTo('93.184.216.34') }));
    expect(error.code).toBe('bad_request');
    expect(error.details).toEqual({ reason: 'https_required' });
  });

  it('refuses plain http to a public host even with the development setting', async () => {
    const error = await rejectionOf(
      assertPublicDestination(new URL('http://shop.example.com/'), { allowPrivate: true, lookup: resolvesTo('93.184.216.34') }),
    );
    expect(error.details).toEqual({ reason: 'https_required' });
  });

  it('refuses schemes other than http and https', async () => {
    const error = await rejectionOf(assertPublicDestination(new URL('file:///etc/passwd'), { allowPrivate: true }));
    expect(error.details).toEqual({ reason: 'unsupported_scheme' });
  });

  it('refuses multicast and unspecified addresses even with the development setting', async () => {
    for (const address of ['https://224.0.0.1/', 'https://0.0.0.0/', 'http://[::]/']) {
      const error = await rejectionOf(assertPublicDestination(new URL(address), { allowPrivate: true }));
      expect(error.details).toEqual({ reason: 'private_address' });
    }
  });

  it('accepts a public https host and returns every checked address', async () => {
    const destination = await assertPublicDestination(new URL('https://shop.example.com/'), {
      allowPrivate: false,
      lookup: resolvesTo('93.184.216.34', '2606:2800:220:1::1'),
    });
    expect(destination).toEqual({
      hostname: 'shop.example.com',
      addresses: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
    });
  });

  it.each([
    'http://127.0.0.1:8080/',
    'https://10.0.0.1/',
    'http://169.254.169.254/',
    'http://[::1]:8080/',
    'http://[::ffff:127.0.0.1]/',
    'http://fake-store.test/',
  ])('allows %s with the development setting', async (address) => {
    const destination = await assertPublicDestination(new URL(address), { allowPrivate: true, lookup: resolvesTo('192.168.0.10') });
    expect(destination.addresses.length).toBe(1);
  });

  it('reports a hostname that does not resolve as a retryable failure', async () => {
    const error = await rejectionOf(
      assertPublicDestination(new URL('https://shop.example.com/'), {
        allowPrivate: false,
        lookup: async () => {
          throw Object.assign(new Error('getaddrinfo ENOTFOUND shop.example.com'), { code: 'ENOTFOUND' });
        },
      }),
    );
    expect(error.code).toBe('upstream_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ reason: 'dns_failed' });
  });
});

describe('createGuardedFetch', () => {
  let store: FakeStoreApi;
  let elsewhere: FakeStoreApi;

  beforeEach(async () => {
    store = await startFakeStoreApi();
    elsewhere = await startFakeStoreApi();
  });

  afterEach(async () => {
    await store.close();
    await elsewhere.close();
  });

  it('calls a local fake over http with the development setting and returns its answer', async () => {
    store.answerWith(() => ({ status: 201, headers: { 'x-wp-totalpages': '3' }, body: { ok: true } }));
    const guardedFetch = createGuardedFetch({ allowPrivate: true, timeoutMs: 5000 });
    const response = await guardedFetch(new URL(`${store.origin}/wp-json/wc/v3/orders/7?x=1`), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'processing' }),
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-wp-totalpages')).toBe('3');
    expect(await response.json()).toEqual({ ok: true });
    expect(store.requests).toHaveLength(1);
    expect(store.requests[0]).toMatchObject({ method: 'PUT', path: '/wp-json/wc/v3/orders/7', query: { x: '1' }, body: { status: 'processing' } });
  });

  it('refuses 127.0.0.1 without the development setting and sends nothing', async () => {
    const guardedFetch = createGuardedFetch({ allowPrivate: false, timeoutMs: 5000 });
    const error = await rejectionOf(guardedFetch(new URL(`${store.origin}/`)));
    expect(error.details).toEqual({ reason: 'https_required' });
    const httpsError = await rejectionOf(guardedFetch(new URL(`https://${store.host}/`)));
    expect(httpsError.details).toEqual({ reason: 'private_address' });
    expect(store.requests).toHaveLength(0);
  });

  it('refuses a hostname resolving to loopback without the development setting and sends nothing', async () => {
    const guardedFetch = createGuardedFetch({ allowPrivate: false, timeoutMs: 5000, lookup: resolvesTo('127.0.0.1') });
    const error = await rejectionOf(guardedFetch(new URL(`https://fake-store.test:${new URL(store.origin).port}/`)));
    expect(error.details).toEqual({ reason: 'private_address' });
    expect(store.requests).toHaveLength(0);
  });

  it('connects to the address it checked, not to a second resolution of the hostname', async () => {
    // `fake-store.test` has no DNS record: the request can only arrive through the checked address.
    let lookups = 0;
    const guardedFetch = createGuardedFetch({
      allowPrivate: true,
      timeoutMs: 5000,
      lookup: async () => {
        lookups += 1;
        return ['127.0.0.1'];
      },
    });
    const response = await guardedFetch(new URL(`http://fake-store.test:${new URL(store.origin).port}/orders`));

    expect(response.status).toBe(200);
    expect(lookups).toBe(1);
    expect(store.requests[0]?.headers.host).toBe(`fake-store.test:${new URL(store.origin).port}`);
  });

  it('does not follow redirects', async () => {
    store.answerWith(() => ({ status: 302, headers: { location: `${elsewhere.origin}/latest/meta-data/` } }));
    const guardedFetch = createGuardedFetch({ allowPrivate: true, timeoutMs: 5000 });
    const error = await rejectionOf(guardedFetch(new URL(`${store.origin}/orders`)));

    expect(error.code).toBe('upstream_failed');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ reason: 'redirect', status: 302 });
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('gives up after the timeout with a retryable error', async () => {
    store.answerWith(() => ({ hang: true }));
    const guardedFetch = createGuardedFetch({ allowPrivate: true, timeoutMs: 150 });
    const started = Date.now();
    const error = await rejectionOf(guardedFetch(new URL(`${store.origin}/slow`)));

    expect(error.code).toBe('upstream_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a refused connection as a retryable network failure', async () => {
    const port = new URL(elsewhere.origin).port;
    await elsewhere.close();
    elsewhere = await startFakeStoreApi();
    const guardedFetch = createGuardedFetch({ allowPrivate: true, timeoutMs: 5000 });
    const error = await rejectionOf(guardedFetch(new URL(`http://127.0.0.1:${port}/`)));

    expect(error.code).toBe('upstream_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ reason: 'network' });
  });

  it('refuses a response larger than the limit', async () => {
    store.answerWith(() => ({ status: 200, body: 'x'.repeat(5000) }));
    const guardedFetch = createGuardedFetch({ allowPrivate: true, timeoutMs: 5000, maxResponseBytes: 1000 });
    const error = await rejectionOf(guardedFetch(new URL(`${store.origin}/big`)));

    expect(error.code).toBe('upstream_failed');
    expect(error.details).toEqual({ reason: 'response_too_large' });
  });

  it('refuses a header value with a line break without sending it or echoing it', async () => {
    const guardedFetch = createGuardedFetch({ allowPrivate: true, timeoutMs: 5000 });
    const error = await rejectionOf(guardedFetch(new URL(`${store.origin}/`), { headers: { authorization: 'Bearer abc\r\nX-Injected: 1' } }));

    expect(error.code).toBe('bad_request');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ reason: 'invalid_request' });
    expect(error.message).not.toContain('abc');
    expect(store.requests).toHaveLength(0);
  });

  it('bounds a stuck name resolution by the timeout', async () => {
    const guardedFetch = createGuardedFetch({ allowPrivate: true, timeoutMs: 100, lookup: () => new Promise<string[]>(() => undefined) });
    const error = await rejectionOf(guardedFetch(new URL('https://never-resolves.test/')));

    expect(error.code).toBe('upstream_unavailable');
    expect(error.details).toEqual({ reason: 'timeout' });
  });

  it('returns error statuses as responses for the caller to map', async () => {
    store.answerWith(() => ({ status: 503, body: { message: 'down' } }));
    const guardedFetch = createGuardedFetch({ allowPrivate: true, timeoutMs: 5000 });
    const response = await guardedFetch(new URL(`${store.origin}/`));

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'down' });
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.ts';
import { clientAddress } from './client-address.ts';

const request = (forwardedFor?: string | string[]) => ({ ip: '10.0.0.2', headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } });

describe('the client address behind trusted proxies', () => {
  it('is the socket address when no proxy is configured, whatever the client writes', () => {
    const { trustedProxy } = parseConfig({});
    expect(trustedProxy).toBeNull();
    expect(clientAddress(trustedProxy, request('203.0.113.9'))).toBe('10.0.0.2');
  });

  it('takes the rightmost entry behind one proxy, so a client-written left part changes nothing', () => {
    const { trustedProxy } = parseConfig({ AKKED_TRUSTED_PROXY_HOPS: '1' });
    expect(trustedProxy).toEqual({ header: 'x-forwarded-for', hops: 1 });
    expect(clientAddress(trustedProxy, request('198.51.100.1, 203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddress(trustedProxy, request('1.1.1.1, 2.2.2.2, 203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddress(trustedProxy, request(['198.51.100.1', '203.0.113.7']))).toBe('203.0.113.7');
  });

  it('counts hops from the right behind two proxies', () => {
    const { trustedProxy } = parseConfig({ AKKED_TRUSTED_PROXY_HOPS: '2' });
    expect(clientAddress(trustedProxy, request('198.51.100.1, 203.0.113.7, 192.0.2.50'))).toBe('203.0.113.7');
    // A shorter chain than expected: its leftmost entry, as proxy-addr does.
    expect(clientAddress(trustedProxy, request('203.0.113.7'))).toBe('203.0.113.7');
  });

  it('keeps AKKED_TRUSTED_PROXY_HEADER alone working as one proxy writing that header', () => {
    const { trustedProxy } = parseConfig({ AKKED_TRUSTED_PROXY_HEADER: 'X-Real-IP' });
    expect(trustedProxy).toEqual({ header: 'x-real-ip', hops: 1 });
    expect(clientAddress(trustedProxy, { ip: '10.0.0.2', headers: { 'x-real-ip': '2001:db8::1' } })).toBe('2001:db8::1');
    expect(parseConfig({ AKKED_TRUSTED_PROXY_HEADER: 'x-forwarded-for', AKKED_TRUSTED_PROXY_HOPS: '0' }).trustedProxy).toBeNull();
  });

  it('falls back to the socket address without the header or when its entry is not an address', () => {
    const { trustedProxy } = parseConfig({ AKKED_TRUSTED_PROXY_HOPS: '1' });
    expect(clientAddress(trustedProxy, request())).toBe('10.0.0.2');
    expect(clientAddress(trustedProxy, request(' , '))).toBe('10.0.0.2');
    expect(clientAddress(trustedProxy, request('1.1.1.1, not-an-address'))).toBe('10.0.0.2');
  });

  it('refuses a hop count or header name that cannot be meant, naming the variable', () => {
    expect(() => parseConfig({ AKKED_TRUSTED_PROXY_HOPS: '-1' })).toThrow(/AKKED_TRUSTED_PROXY_HOPS/);
    expect(() => parseConfig({ AKKED_TRUSTED_PROXY_HOPS: 'two' })).toThrow(/AKKED_TRUSTED_PROXY_HOPS/);
    expect(() => parseConfig({ AKKED_TRUSTED_PROXY_HEADER: 'x-forwarded-for: 1.2.3.4' })).toThrow(/AKKED_TRUSTED_PROXY_HEADER/);
  });
});

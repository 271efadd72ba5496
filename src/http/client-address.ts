import { isIP } from 'node:net';
import type { TrustedProxy } from '../config.ts';

type RequestLike = { ip: string; headers: Record<string, string | string[] | undefined> };

/**
 * The address of the client, for rate limits. Behind `hops` trusted proxies, each one appends the
 * address it received the request from to the header, so the client is the `hops`-th entry from
 * the right; everything to its left was written by the client and is ignored. A chain shorter than
 * expected gives its leftmost entry (as proxy-addr does); an entry that is not an IP address (a
 * misconfigured proxy) gives the socket address.
 */
export const clientAddress = (trustedProxy: TrustedProxy | null, request: RequestLike): string => {
  if (!trustedProxy) return request.ip;
  const value = request.headers[trustedProxy.header];
  const entries = (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) return request.ip;
  const chosen = entries[Math.max(0, entries.length - trustedProxy.hops)] as string;

  return isIP(chosen) === 0 ? request.ip : chosen;
};

import { lookup as lookupHostname } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { AppError } from '../errors.ts';

/**
 * Outbound calls to merchant-supplied addresses (DESIGN.md §4). A WooCommerce store URL or a
 * Shopify shop domain is typed by a merchant, so without this guard it could point Akked at its
 * own network: the cloud metadata service (169.254.169.254), the database, an admin port on
 * localhost. Every destination is resolved, every resolved address is checked, and the request is
 * then sent to exactly the checked addresses (see `createGuardedFetch`).
 */

/**
 * `public`: routable on the internet. `private`: loopback, RFC 1918, link-local, CGNAT, unique
 * local, documentation and benchmark ranges; reachable only with the development setting.
 * `unusable`: never a destination (unspecified, multicast, broadcast, reserved).
 */
export type AddressKind = 'public' | 'private' | 'unusable';

/** Resolves a hostname to every address it has (A and AAAA). Injected in tests. */
export type HostnameLookup = (hostname: string) => Promise<string[]>;

export type DestinationOptions = {
  /** `AKKED_ALLOW_PRIVATE_OUTBOUND`: lets loopback/private hosts through, over plain http too. */
  allowPrivate: boolean;
  lookup?: HostnameLookup;
};

export type ResolvedAddress = { address: string; family: 4 | 6 };

export type CheckedDestination = { hostname: string; addresses: ResolvedAddress[] };

type Ipv4Range = readonly [base: string, prefixLength: number, kind: Exclude<AddressKind, 'public'>];

const IPV4_SPECIAL_RANGES: readonly Ipv4Range[] = [
  ['0.0.0.0', 8, 'unusable'], // "this network"; 0.0.0.0 reaches localhost on Linux
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT
  ['127.0.0.0', 8, 'private'], // loopback
  ['169.254.0.0', 16, 'private'], // link-local, cloud metadata services
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'private'], // IETF protocol assignments
  ['192.0.2.0', 24, 'private'], // documentation
  ['192.88.99.0', 24, 'private'], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'private'], // benchmarking
  ['198.51.100.0', 24, 'private'], // documentation
  ['203.0.113.0', 24, 'private'], // documentation
  ['224.0.0.0', 4, 'unusable'], // multicast
  ['240.0.0.0', 4, 'unusable'], // reserved and broadcast
];

const parseIpv4 = (text: string): number | null => {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }

  return value;
};

const IPV4_RANGES = IPV4_SPECIAL_RANGES.map(([base, prefixLength, kind]) => ({
  base: parseIpv4(base) as number,
  prefixLength,
  kind,
}));

const isInIpv4Range = (address: number, base: number, prefixLength: number): boolean => {
  const blockSize = 2 ** (32 - prefixLength);
  return Math.floor(address / blockSize) === Math.floor(base / blockSize);
};

const classifyIpv4 = (address: number): AddressKind =>
  IPV4_RANGES.find((range) => isInIpv4Range(address, range.base, range.prefixLength))?.kind ?? 'public';

/** Eight 16-bit groups, or null when the text is not an IPv6 address. */
const parseIpv6 = (text: string): number[] | null => {
  let address = text.replace(/%.*$/, '');
  const lastColon = address.lastIndexOf(':');
  const lastPart = address.slice(lastColon + 1);
  if (lastPart.includes('.')) {
    const embedded = parseIpv4(lastPart);
    if (embedded === null) return null;
    address = `${address.slice(0, lastColon + 1)}${Math.floor(embedded / 65536).toString(16)}:${(embedded % 65536).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => (/^[0-9a-f]{1,4}$/i.test(group) ? Number.parseInt(group, 16) : Number.NaN));
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if ([...head, ...tail].some(Number.isNaN)) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;

  return [...head, ...new Array<number>(missing).fill(0), ...tail];
};

const embeddedIpv4 = (high: number, low: number): number => high * 65536 + low;

const classifyIpv6 = (groups: number[]): AddressKind => {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 0) return 'unusable'; // ::
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 1) return 'private'; // ::1
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d)
  // and NAT64 (64:ff9b::a.b.c.d) all reach the embedded IPv4 address: judge that one.
  if (firstFiveZero && (g5 === 0xffff || g5 === 0)) return classifyIpv4(embeddedIpv4(g6, g7));
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return classifyIpv4(embeddedIpv4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyIpv4(embeddedIpv4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'private'; // local-use NAT64
  if (g0 === 0x2002) return classifyIpv4(embeddedIpv4(g1, g2)); // 6to4 carries an IPv4 address
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return 'unusable'; // discard prefix
  if (g0 === 0x2001 && g1 === 0) return 'private'; // Teredo hides its IPv4 target
  if (g0 === 0x2001 && g1 === 0x0db8) return 'private'; // documentation
  if ((g0 & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return 'private'; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // site-local fec0::/10 (deprecated)
  if ((g0 & 0xff00) === 0xff00) return 'unusable'; // multicast

  return 'public';
};

/** Classifies one IP address (v4 or v6, with or without brackets); anything unparsable is unusable. */
export const classifyAddress = (address: string): AddressKind => {
  const bare = address.replace(/^\[|\]$/g, '');
  const version = isIP(bare.replace(/%.*$/, ''));
  if (version === 4) return classifyIpv4(parseIpv4(bare) as number);
  if (version === 6) {
    const groups = parseIpv6(bare);
    return groups ? classifyIpv6(groups) : 'unusable';
  }

  return 'unusable';
};

const lookupAllAddresses: HostnameLookup = async (hostname) =>
  (await lookupHostname(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

const refuse = (reason: 'private_address' | 'https_required' | 'unsupported_scheme', message: string): AppError =>
  new AppError('bad_request', { message, retryable: false, details: { reason } });

/**
 * Resolves the URL's host and checks every address it resolves to. Refuses (AppError
 * `bad_request`, `details.reason`):
 * - `private_address`: any address that is not public, unless `allowPrivate`; unspecified,
 *   multicast and broadcast addresses always;
 * - `https_required`: plain http, unless `allowPrivate` and every address is private (a local fake);
 * - `unsupported_scheme`: anything but http and https.
 * Returns the checked addresses so the caller connects to exactly those.
 */
export const assertPublicDestination = async (url: URL, options: DestinationOptions): Promise<CheckedDestination> => {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw refuse('unsupported_scheme', `Refusing to call ${url.protocol}// addresses: only https is allowed`);
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:' && !options.allowPrivate) {
    throw refuse('https_required', `Refusing to call ${hostname} over plain http: https is required`);
  }

  let addresses: string[];
  if (isIP(hostname) !== 0) {
    addresses = [hostname];
  } else {
    try {
      addresses = await (options.lookup ?? lookupAllAddresses)(hostname);
    } catch (error) {
      throw new AppError('upstream_unavailable', {
        message: `Could not resolve ${hostname}`,
        retryable: true,
        cause: error,
        details: { reason: 'dns_failed' },
      });
    }
    if (addresses.length === 0) {
      throw new AppError('upstream_unavailable', { message: `${hostname} has no address`, retryable: true, details: { reason: 'dns_failed' } });
    }
  }

  const kinds = addresses.map(classifyAddress);
  const refusedPrivate = kinds.some((kind) => kind === 'unusable' || (kind === 'private' && !options.allowPrivate));
  if (refusedPrivate) {
    throw refuse('private_address', `Refusing to call ${hostname}: it is or resolves to a private, loopback, link-local or reserved address`);
  }
  if (url.protocol === 'http:' && !kinds.every((kind) => kind === 'private')) {
    throw refuse('https_required', `Refusing to call ${hostname} over plain http: https is required for public hosts`);
  }

  return {
    hostname,
    addresses: addresses.map((address) => ({ address, family: isIP(address.replace(/%.*$/, '')) === 6 ? 6 : 4 })),
  };
};

export type GuardedRequest = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
};

/** A small fetch: one request to a checked destination, no redirects, bounded in time and size. */
export type GuardedFetch = (url: URL, request?: GuardedRequest) => Promise<Response>;

export type GuardedFetchOptions = DestinationOptions & {
  /** Whole request: name resolution, connection, up to the last body byte. */
  timeoutMs: number;
  /** Larger responses are refused (default 1 MiB: a write-back answer is a few KiB). */
  maxResponseBytes?: number;
};

// The destination is a URL the merchant chose: whatever it sends is read into memory and parsed.
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Answers node's connection lookup with the addresses that were already checked, so a hostname
 * cannot resolve to a public address for the check and to a private one for the connection
 * (DNS rebinding): nothing is resolved twice.
 */
const lookupCheckedAddresses =
  (addresses: ResolvedAddress[]): LookupFunction =>
  (_hostname, options, callback) => {
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const matching = family === 0 ? addresses : addresses.filter((entry) => entry.family === family);
    const first = matching[0];
    if (!first) {
      callback(Object.assign(new Error('no checked address of the requested family'), { code: 'ENOTFOUND' }), '');
      return;
    }
    if (options.all) callback(null, matching.map((entry) => ({ address: entry.address, family: entry.family })));
    else callback(null, first.address, first.family);
  };

const TLS_ERROR_CODE = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/;

const timeoutError = (hostname: string, cause?: unknown): AppError =>
  new AppError('upstream_unavailable', { message: `${hostname} did not answer in time`, retryable: true, cause, details: { reason: 'timeout' } });

/** Node refuses header values with control characters before sending; its message names the header only. */
const INVALID_REQUEST_CODES = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE']);

const toOutboundError = (error: unknown, signal: AbortSignal, hostname: string): AppError => {
  if (error instanceof AppError) return error;
  if (signal.aborted) return timeoutError(hostname, error);
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (INVALID_REQUEST_CODES.has(code)) {
    return new AppError('bad_request', { message: `The request to ${hostname} has an invalid header (${code})`, retryable: false, details: { reason: 'invalid_request' } });
  }
  if (TLS_ERROR_CODE.test(code)) {
    return new AppError('upstream_failed', { message: `TLS with ${hostname} failed (${code})`, retryable: false, cause: error, details: { reason: 'tls' } });
  }

  return new AppError('upstream_unavailable', {
    message: `Could not reach ${hostname}${code ? ` (${code})` : ''}`,
    retryable: true,
    cause: error,
    details: { reason: 'network' },
  });
};

const STATUSES_WITHOUT_BODY = new Set([204, 205, 304]);

const toResponse = (status: number, statusText: string, rawHeaders: string[], body: Buffer): Response => {
  const headers = new Headers();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) headers.append(rawHeaders[index] as string, rawHeaders[index + 1] as string);

  return new Response(STATUSES_WITHOUT_BODY.has(status) ? null : body, { status, statusText, headers });
};

const sendToCheckedAddresses = (
  url: URL,
  request: GuardedRequest,
  destination: CheckedDestination,
  options: GuardedFetchOptions,
  signal: AbortSignal,
): Promise<Response> => {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  const headers: Record<string, string> = { ...request.headers };
  if (body) headers['content-length'] = String(body.length);
  const transport = url.protocol === 'https:' ? https : http;
  const hostname = destination.hostname;

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    let outgoing: http.ClientRequest | undefined;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      outgoing?.destroy();
      reject(toOutboundError(error, signal, hostname));
    };

    const readResponse = (incoming: http.IncomingMessage): void => {
      const status = incoming.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        // Redirects are never followed: the target was not checked, and would be a way around the guard.
        incoming.resume();
        fail(
          new AppError('upstream_failed', {
            message: `${hostname} answered with a redirect (${status}); redirects are not followed`,
            retryable: false,
            details: { reason: 'redirect', status },
          }),
        );
        return;
      }
      if (status < 200 || status > 599) {
        fail(new AppError('upstream_failed', { message: `${hostname} answered with status ${status}`, retryable: false, details: { reason: 'invalid_response', status } }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxResponseBytes) {
          fail(new AppError('upstream_failed', { message: `${hostname} sent more than ${maxResponseBytes} bytes`, retryable: false, details: { reason: 'response_too_large' } }));
          return;
        }
        chunks.push(chunk);
      });
      incoming.on('end', () => {
        if (settled) return;
        settled = true;
        resolve(toResponse(status, incoming.statusMessage ?? '', incoming.rawHeaders, Buffer.concat(chunks)));
      });
      incoming.on('error', fail);
      incoming.on('close', () => {
        if (!incoming.complete) fail(new Error('the connection closed before the response was complete'));
      });
    };

    try {
      outgoing = transport.request(
        url,
        {
          method: request.method ?? 'GET',
          headers,
          // A fresh connection per request: a pooled socket could outlive the check of its address.
          agent: false,
          lookup: lookupCheckedAddresses(destination.addresses),
          signal,
        },
        readResponse,
      );
    } catch (error) {
      // Invalid header values throw here, before anything is sent.
      fail(error);
      return;
    }
    outgoing.on('error', fail);
    outgoing.end(body);
  });
};

/** Bounds name resolution by the same deadline as the request: a stuck resolver must not stall a job. */
const withinDeadline = <Value>(promise: Promise<Value>, signal: AbortSignal, hostname: string): Promise<Value> =>
  new Promise<Value>((resolve, reject) => {
    const onAbort = (): void => reject(timeoutError(hostname));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });

/**
 * A fetch-like function for merchant-supplied destinations. Before each request it checks the
 * destination (`assertPublicDestination`); it connects only to the addresses it checked, follows
 * no redirect (a 3xx is an `upstream_failed` error, reason `redirect`), and gives up after
 * `timeoutMs` (`upstream_unavailable`, reason `timeout`). Network failures are
 * `upstream_unavailable` (retryable); HTTP error statuses are returned as responses.
 */
export const createGuardedFetch =
  (options: GuardedFetchOptions): GuardedFetch =>
  async (url, request = {}) => {
    const signal = AbortSignal.timeout(options.timeoutMs);
    const destination = await withinDeadline(assertPublicDestination(url, options), signal, url.hostname);
    return sendToCheckedAddresses(url, request, destination, options, signal);
  };

import { fetchLatestWaWebVersion, type WAVersion } from 'baileys';
import type { Logger } from '../../logger.ts';

/** What baileys' `fetchLatestWaWebVersion` answers (its `version` is baileys' pinned one when `isLatest` is false). */
export type WaVersionAnswer = { version: WAVersion; isLatest: boolean; error?: unknown };

export type WaVersionFetcher = () => Promise<WaVersionAnswer>;

export type WaVersionSourceOptions = {
  logger: Logger;
  /** baileys' own helper by default (reads WhatsApp Web's service worker); tests pass a fake. */
  fetchLatest?: WaVersionFetcher;
  /** How long a fetched version is used before it is fetched again. */
  ttlMilliseconds?: number;
  /** How long after a failed fetch the next one is tried (meanwhile: baileys' pinned version). */
  retryMilliseconds?: number;
  now?: () => number;
};

export type WaVersionSource = {
  /** The version to announce; undefined = baileys' pinned one (never fetched, or the fetch failed). */
  current(): Promise<WAVersion | undefined>;
  /** WhatsApp refused the version (405): the next `current` fetches again. */
  invalidate(): void;
};

const FETCH_TIMEOUT_MS = 5_000;

/** baileys' helper, bounded: a connect must never wait long for web.whatsapp.com. */
const fetchWithTimeout: WaVersionFetcher = () => fetchLatestWaWebVersion({ signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });

/**
 * The WhatsApp Web version linked devices announce. WhatsApp refuses versions it retired (405);
 * baileys' pinned one ages with the package, so the current one is fetched with baileys' helper,
 * shared by every session of the process and cached; when the fetch fails the pinned one is used.
 */
export const createWaVersionSource = (options: WaVersionSourceOptions): WaVersionSource => {
  const fetchLatest = options.fetchLatest ?? fetchWithTimeout;
  const ttlMilliseconds = options.ttlMilliseconds ?? 6 * 60 * 60_000;
  const retryMilliseconds = options.retryMilliseconds ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: 'whatsapp-version' });
  let cached: { version: WAVersion | undefined; until: number } | null = null;
  let inFlight: Promise<WAVersion | undefined> | null = null;

  const refresh = async (): Promise<WAVersion | undefined> => {
    try {
      const answer = await fetchLatest();
      if (answer.isLatest) {
        cached = { version: answer.version, until: now() + ttlMilliseconds };
        log.info({ version: answer.version.join('.') }, 'using the current WhatsApp Web version');

        return answer.version;
      }
      log.warn({ err: answer.error }, 'could not fetch the current WhatsApp Web version; using the pinned one');
    } catch (error) {
      log.warn({ err: error }, 'could not fetch the current WhatsApp Web version; using the pinned one');
    }
    cached = { version: cached?.version, until: now() + retryMilliseconds };

    return cached.version;
  };

  return {
    current: async () => {
      if (cached && cached.until > now()) return cached.version;
      // Sessions waking together share one fetch.
      inFlight ??= refresh().finally(() => (inFlight = null));

      return inFlight;
    },
    invalidate: () => {
      // Keep the last version for the next fetch's failure, but fetch again.
      if (cached) cached = { ...cached, until: 0 };
    },
  };
};

import type { CacheStore } from 'baileys';

export type SignalKeyCache = CacheStore & { readonly size: number };

export type SignalKeyCacheOptions = {
  /** How long a key stays cached after it was written or loaded (baileys uses 5 minutes). */
  ttlMilliseconds?: number;
  /** Upper bound of cached keys; the oldest go first. */
  maximumEntries?: number;
  now?: () => number;
};

/**
 * The cache in front of a session's signal key store (`committed-key-store.ts`).
 *
 * Baileys' default is a NodeCache whose purge interval lives as long as the process, one per
 * socket: with numbers hibernating and waking all day, every closed session would leave one
 * behind. This cache has no timer at all (entries expire when read, the size is bounded) and is
 * emptied when the session closes, so a hibernated number costs no memory.
 */
export const createSignalKeyCache = (options: SignalKeyCacheOptions = {}): SignalKeyCache => {
  const ttlMilliseconds = options.ttlMilliseconds ?? 5 * 60_000;
  const maximumEntries = options.maximumEntries ?? 20_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: unknown; expiresAt: number }>();

  return {
    get<T>(key: string): T | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);

        return undefined;
      }

      return entry.value as T;
    },
    set<T>(key: string, value: T): void {
      // Re-inserting moves the key to the end, so the Map's order is oldest-written first.
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + ttlMilliseconds });
      while (entries.size > maximumEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    del(key: string): void {
      entries.delete(key);
    },
    flushAll(): void {
      entries.clear();
    },
    get size(): number {
      return entries.size;
    },
  };
};

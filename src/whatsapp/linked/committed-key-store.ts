import type { SignalDataSet, SignalDataTypeMap, SignalKeyStore } from 'baileys';
import { isAppError } from '../../errors.ts';
import type { SignalKeyCache } from './signal-key-cache.ts';

export type CommittedKeyStoreOptions = {
  /** The database store (auth-state-store.ts): one transaction per `set`. */
  store: SignalKeyStore;
  cache: SignalKeyCache;
  /** Attempts of one write before it is given up (a refused lease is never retried). */
  attempts?: number;
  delayBetweenAttemptsMs?: number;
  /** A write was given up: the session must end, its memory is no longer what the database holds. */
  onWriteLost: (error: unknown) => void;
};

/** Runs one task at a time: a read that missed the cache never lands after a newer write. */
const createMutex = () => {
  let tail: Promise<unknown> = Promise.resolve();

  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);

    return run;
  };
};

const cacheKey = (type: string, id: string): string => `${type}.${id}`;

/**
 * The cached signal key store of a linked-device session, in place of baileys'
 * `makeCacheableSignalKeyStore`, which puts every write in its cache BEFORE the database has it:
 * a write that then fails leaves ratchet state only in memory while the session goes on, and the
 * stale record reloaded later is what makes customers' phones fail to decrypt (retries, Bad MAC).
 *
 * Here the cache changes only after the write committed. A write that fails after its attempts
 * empties the cache and reports `onWriteLost` (the session then ends and reconnects from what the
 * database holds); the error goes back to baileys, whose transaction fails with it.
 */
export const createCommittedKeyStore = (options: CommittedKeyStoreOptions): SignalKeyStore => {
  const { store, cache, onWriteLost } = options;
  const attempts = Math.max(1, options.attempts ?? 3);
  const delayMs = options.delayBetweenAttemptsMs ?? 500;
  const exclusive = createMutex();

  const writeWithRetries = async (data: SignalDataSet): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.set(data);

        return;
      } catch (error) {
        // A lost lease will not come back; anything else may be a passing database hiccup.
        const isFinal = attempt >= attempts || (isAppError(error) && error.code === 'lease_lost');
        if (isFinal) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  };

  return {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
      return exclusive(async () => {
        const found: { [id: string]: SignalDataTypeMap[T] } = {};
        const missing: string[] = [];
        for (const id of ids) {
          const cached = await cache.get<SignalDataTypeMap[T]>(cacheKey(type, id));
          if (cached === undefined) missing.push(id);
          else found[id] = cached;
        }
        if (missing.length > 0) {
          const fetched = await store.get(type, missing);
          for (const id of missing) {
            const value = fetched[id];
            if (value === undefined || value === null) continue;
            found[id] = value;
            cache.set(cacheKey(type, id), value);
          }
        }

        return found;
      });
    },
    set(data: SignalDataSet): Promise<void> {
      return exclusive(async () => {
        try {
          await writeWithRetries(data);
        } catch (error) {
          cache.flushAll();
          onWriteLost(error);
          throw error;
        }
        for (const [type, values] of Object.entries(data)) {
          for (const [id, value] of Object.entries(values ?? {})) {
            if (value === null || value === undefined) cache.del(cacheKey(type, id));
            else cache.set(cacheKey(type, id), value);
          }
        }
      });
    },
  };
};

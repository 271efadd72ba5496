import type { SignalDataSet, SignalDataTypeMap, SignalKeyStore } from 'baileys';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { createCommittedKeyStore } from './committed-key-store.ts';
import { createSignalKeyCache } from './signal-key-cache.ts';

/** An in-memory stand-in for the database store, whose writes can be made to fail. */
const fakeDatabaseStore = () => {
  const rows = new Map<string, unknown>();
  const state = { failuresLeft: 0, failWith: new Error('database unavailable') as Error, writes: 0, release: null as null | (() => void) };
  const store: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) if (rows.has(`${type}.${id}`)) found[id] = rows.get(`${type}.${id}`) as SignalDataTypeMap[T];

      return found;
    },
    async set(data: SignalDataSet) {
      state.writes++;
      if (state.release) await new Promise<void>((resolve) => (state.release = resolve));
      if (state.failuresLeft > 0) {
        state.failuresLeft--;
        throw state.failWith;
      }
      for (const [type, values] of Object.entries(data)) {
        for (const [id, value] of Object.entries(values ?? {})) {
          if (value === null) rows.delete(`${type}.${id}`);
          else rows.set(`${type}.${id}`, value);
        }
      }
    },
  };

  return { store, state, rows };
};

const session = (id: string, bytes: number[]): SignalDataSet => ({ session: { [id]: Uint8Array.from(bytes) } });

describe('committed signal key store', () => {
  it('puts a write in the cache only once the database committed it', async () => {
    const { store, state } = fakeDatabaseStore();
    const cache = createSignalKeyCache();
    const keys = createCommittedKeyStore({ store, cache, onWriteLost: () => undefined, delayBetweenAttemptsMs: 1 });
    state.release = () => undefined;
    const writing = keys.set(session('a.0', [1]));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The write is still on its way to the database: memory has not run ahead of it.
    expect(cache.size).toBe(0);
    const release = state.release;
    state.release = null;
    release?.();
    await writing;
    expect(cache.get('session.a.0')).toEqual(Uint8Array.from([1]));
  });

  it('retries a passing failure and keeps the session going', async () => {
    const { store, state, rows } = fakeDatabaseStore();
    const lost: unknown[] = [];
    const keys = createCommittedKeyStore({ store, cache: createSignalKeyCache(), onWriteLost: (error) => lost.push(error), attempts: 3, delayBetweenAttemptsMs: 1 });
    state.failuresLeft = 2;
    await keys.set(session('a.0', [2]));
    expect(state.writes).toBe(3);
    expect(rows.get('session.a.0')).toEqual(Uint8Array.from([2]));
    expect(lost).toEqual([]);
  });

  it('gives a write up after its attempts: the cache empties, the session is told, reads return what the database holds', async () => {
    const { store, state } = fakeDatabaseStore();
    const cache = createSignalKeyCache();
    const lost: unknown[] = [];
    const keys = createCommittedKeyStore({ store, cache, onWriteLost: (error) => lost.push(error), attempts: 3, delayBetweenAttemptsMs: 1 });
    await keys.set(session('a.0', [1]));
    await keys.get('pre-key', ['1']);
    state.failuresLeft = 3;
    await expect(keys.set(session('a.0', [9]))).rejects.toThrow('database unavailable');
    expect(state.writes).toBe(4);
    expect(lost).toHaveLength(1);
    expect(cache.size).toBe(0);
    expect(await keys.get('session', ['a.0'])).toEqual({ 'a.0': Uint8Array.from([1]) });
  });

  it('never retries a write refused for a lost lease', async () => {
    const { store, state } = fakeDatabaseStore();
    const lost: unknown[] = [];
    const keys = createCommittedKeyStore({ store, cache: createSignalKeyCache(), onWriteLost: (error) => lost.push(error), attempts: 3, delayBetweenAttemptsMs: 1 });
    state.failuresLeft = 1;
    state.failWith = new AppError('lease_lost', { message: 'another worker holds this number' });
    await expect(keys.set(session('a.0', [1]))).rejects.toMatchObject({ code: 'lease_lost' });
    expect(state.writes).toBe(1);
    expect(lost).toEqual([state.failWith]);
  });

  it('forgets a deleted key and serves reads from the cache after a write', async () => {
    const { store, state } = fakeDatabaseStore();
    const keys = createCommittedKeyStore({ store, cache: createSignalKeyCache(), onWriteLost: () => undefined });
    await keys.set(session('a.0', [1]));
    const writes = state.writes;
    expect(await keys.get('session', ['a.0', 'b.0'])).toEqual({ 'a.0': Uint8Array.from([1]) });
    await keys.set({ session: { 'a.0': null } });
    expect(await keys.get('session', ['a.0'])).toEqual({});
    expect(state.writes).toBe(writes + 1);
  });
});

import { describe, expect, it } from 'vitest';
import { createSignalKeyCache } from './signal-key-cache.ts';

describe('signal key cache', () => {
  it('forgets a key once its time to live passed', () => {
    let now = 1_000;
    const cache = createSignalKeyCache({ ttlMilliseconds: 100, now: () => now });
    cache.set('session.212612345678.0', Buffer.from([1, 2, 3]));
    now += 99;
    expect(cache.get('session.212612345678.0')).toEqual(Buffer.from([1, 2, 3]));
    now += 1;
    expect(cache.get('session.212612345678.0')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps a deletion (null) as a cached answer', () => {
    const cache = createSignalKeyCache();
    cache.set('pre-key.1', null);
    expect(cache.get('pre-key.1')).toBeNull();
    expect(cache.get('pre-key.2')).toBeUndefined();
  });

  it('drops the oldest-written keys beyond its size bound', () => {
    const cache = createSignalKeyCache({ maximumEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    cache.set('c', 4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(3);
    expect(cache.get('c')).toBe(4);
  });

  it('empties at once when the session closes', () => {
    const cache = createSignalKeyCache();
    cache.set('a', 1);
    cache.del('a');
    cache.set('b', 2);
    cache.flushAll();
    expect(cache.size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';

/** A commit that records its batches and doubles each item; `hold` keeps a batch open until released. */
const recorder = () => {
  const batches: number[][] = [];
  let running = 0;
  let mostRunning = 0;
  const held: (() => void)[] = [];
  let isHolding = false;
  const commit = async (items: number[]): Promise<number[]> => {
    batches.push([...items]);
    running++;
    mostRunning = Math.max(mostRunning, running);
    if (isHolding) await new Promise<void>((resolve) => held.push(resolve));
    running--;

    return items.map((item) => item * 2);
  };

  return {
    commit,
    batches,
    mostRunning: () => mostRunning,
    hold: () => {
      isHolding = true;
    },
    release: () => {
      isHolding = false;
      for (const resolve of held.splice(0)) resolve();
    },
  };
};

const groupCommit = (options: Partial<GroupCommitOptions<number, number>> & Pick<GroupCommitOptions<number, number>, 'commit'>) =>
  new GroupCommit<number, number>({ maxBatchSize: 100, maxWait: 5, maxConcurrentBatches: 1, ...options });

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('commits the items submitted within the wait in one batch and answers each with its own result, in order', async () => {
    const { commit, batches } = recorder();
    const group = groupCommit({ commit, maxWait: 20 });
    const answered: number[] = [];
    const results = await Promise.all([1, 2, 3].map((item) => group.submit(item).then((result) => (answered.push(item), result))));

    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(answered).toEqual([1, 2, 3]);
  });

  it('sends a full batch at once, without waiting for the rest of the wait', async () => {
    const { commit, batches } = recorder();
    const group = groupCommit({ commit, maxBatchSize: 2, maxWait: 60_000 });
    const started = Date.now();

    expect(await Promise.all([group.submit(1), group.submit(2)])).toEqual([2, 4]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(batches).toEqual([[1, 2]]);
  });

  it("with 'turn', groups the items of one turn of the event loop and starts another batch in a later turn", async () => {
    const { commit, batches } = recorder();
    const group = groupCommit({ commit, maxWait: 'turn', maxConcurrentBatches: Number.POSITIVE_INFINITY });
    const first = [group.submit(1), group.submit(2)];
    await Promise.all(first);
    await group.submit(3);

    expect(batches).toEqual([[1, 2], [3]]);
  });

  it('lets newcomers wait while a batch commits, then sends them together: batches grow with the load, one at a time', async () => {
    const recording = recorder();
    const group = groupCommit({ commit: recording.commit, maxWait: 1, maxConcurrentBatches: 1 });
    recording.hold();
    const first = group.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = [2, 3, 4].map((item) => group.submit(item));
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(recording.batches).toEqual([[1]]);
    recording.release();
    expect(await Promise.all([first, ...later])).toEqual([2, 4, 6, 8]);
    expect(recording.batches).toEqual([[1], [2, 3, 4]]);
    expect(recording.mostRunning()).toBe(1);
  });

  it('commits the items of a failed batch one by one when asked to, so only the bad one fails', async () => {
    const committed: number[][] = [];
    const retried: number[] = [];
    const group = groupCommit({
      commit: async (items) => {
        committed.push([...items]);
        if (items.includes(2)) throw new Error(`bad item in ${items.join(',')}`);

        return items.map((item) => item * 2);
      },
      retryAlone: { onRetry: (_error, size) => retried.push(size) },
    });
    const results = await Promise.allSettled([1, 2, 3].map((item) => group.submit(item)));

    expect(results).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: new Error('bad item in 2') },
      { status: 'fulfilled', value: 6 },
    ]);
    expect(committed).toEqual([[1, 2, 3], [1], [2], [3]]);
    expect(retried).toEqual([3]);
  });

  it('rejects the whole batch at once on an error that alone would repeat (the database is away)', async () => {
    const committed: number[][] = [];
    const away = new Error('connect ECONNREFUSED');
    const group = groupCommit({
      commit: async (items) => {
        committed.push([...items]);
        throw away;
      },
      retryAlone: { unless: (error) => error === away, onRetry: () => expect.unreachable('no retry one by one') },
    });
    const results = await Promise.allSettled([1, 2].map((item) => group.submit(item)));

    expect(results).toEqual([
      { status: 'rejected', reason: away },
      { status: 'rejected', reason: away },
    ]);
    expect(committed).toEqual([[1, 2]]);
  });

  it('rejects every item of a failed batch with its error when nothing is retried alone', async () => {
    const failure = new Error('statement failed');
    const group = groupCommit({
      commit: async () => {
        throw failure;
      },
    });

    await expect(Promise.allSettled([group.submit(1), group.submit(2)])).resolves.toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('commits what waits when flushed, without waiting, and resolves once every batch has committed', async () => {
    const recording = recorder();
    const group = groupCommit({ commit: recording.commit, maxWait: 60_000 });
    recording.hold();
    const waiting = group.submit(1);
    const flushed = group.flush();
    await turn();
    let isFlushed = false;
    void flushed.then(() => {
      isFlushed = true;
    });
    await turn();

    expect(recording.batches).toEqual([[1]]);
    expect(isFlushed).toBe(false);
    recording.release();
    await flushed;
    expect(await waiting).toBe(2);
    await group.flush();
  });
});

// Natural batching: the first call goes at once, calls made while it is in flight go together as
// the next batch, each caller gets its own result, and a failed batch fails only its own callers.
import { describe, expect, it } from 'vitest';
import { batched } from '../../backend/src/lib/batched.ts';

/** A batch function whose batches finish when the test says so. */
function controlled() {
  const batches: Array<{ items: number[]; finish: () => void; fail: (e: Error) => void }> = [];
  const run = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push({ items, finish: () => resolve(items.map((i) => `r${i}`)), fail: reject });
    });
  return { batches, run };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('batched', () => {
  it('sends the first call alone, and groups the calls made while it is in flight', async () => {
    const { batches, run } = controlled();
    const call = batched(run);
    const first = call(1);
    await settle();
    const later = [call(2), call(3), call(4)];
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0]!.finish();
    expect(await first).toBe('r1');
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    batches[1]!.finish();
    expect(await Promise.all(later)).toEqual(['r2', 'r3', 'r4']);
  });

  it('groups the calls of one tick even when nothing is in flight', async () => {
    const { batches, run } = controlled();
    const call = batched(run);
    const results = [call(1), call(2)];
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1, 2]]);
    batches[0]!.finish();
    expect(await Promise.all(results)).toEqual(['r1', 'r2']);
  });

  it('splits at maxBatch and keeps at most maxInFlight batches going', async () => {
    const { batches, run } = controlled();
    const call = batched(run, { maxBatch: 2, maxInFlight: 2 });
    const results = [1, 2, 3, 4, 5].map((i) => call(i));
    await settle();
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    batches[0]!.finish();
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1, 2], [3, 4], [5]]);
    batches[1]!.finish();
    batches[2]!.finish();
    expect(await Promise.all(results)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('fails every caller of a failed batch, and the next batch still goes', async () => {
    const { batches, run } = controlled();
    const call = batched(run);
    const first = call(1);
    await settle();
    const failing = [call(2), call(3)];
    await settle();
    batches[0]!.finish();
    await first;
    await settle();
    batches[1]!.fail(new Error('connection lost'));
    for (const r of failing) await expect(r).rejects.toThrow('connection lost');
    const after = call(4);
    await settle();
    expect(batches.at(-1)!.items).toEqual([4]);
    batches.at(-1)!.finish();
    expect(await after).toBe('r4');
  });

  it('fails the callers when a batch answers the wrong number of results', async () => {
    const call = batched((items: number[]) => Promise.resolve(items.slice(1)));
    await expect(Promise.all([call(1), call(2)])).rejects.toThrow('a batch of 2 answered 1 results');
  });

  it('fails the callers of a batch whose function throws at once, and goes on', async () => {
    let calls = 0;
    const call = batched((items: number[]) => {
      calls += 1;
      if (calls === 1) throw new Error('no connection');
      return Promise.resolve(items.map((i) => i * 2));
    });
    await expect(call(1)).rejects.toThrow('no connection');
    expect(await call(2)).toBe(4);
  });
});

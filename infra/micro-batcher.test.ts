import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.ts';

interface Item {
  key: string;
  value: number;
}

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

function recordingBatcher(options: { maxBatch?: number; maxInFlight?: number; failBatchWhen?: (items: Item[]) => boolean } = {}) {
  const batches: number[][] = [];
  const gates: ReturnType<typeof deferred>[] = [];
  const batcher = new MicroBatcher<Item, string>({
    keyOf: (item) => item.key,
    maxBatch: options.maxBatch,
    maxInFlight: options.maxInFlight,
    async runBatch(items) {
      batches.push(items.map((i) => i.value));
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      if (options.failBatchWhen?.(items)) throw new Error('batch failed');
      return items.map((i) => `batch:${i.value}`);
    },
    async runOne(item) {
      batches.push([item.value]);
      if (item.value < 0) throw new Error(`bad ${item.value}`);
      return `one:${item.value}`;
    },
  });
  return { batcher, batches, gates };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('MicroBatcher', () => {
  it('runs a lone call at once, and calls arriving meanwhile as one batch', async () => {
    const { batcher, batches, gates } = recordingBatcher({ maxInFlight: 1 });
    expect(await batcher.submit({ key: 'a', value: 1 })).toBe('one:1');
    await flush();
    // b goes alone at once; c and d arrive while it runs and go together after it.
    const early = [2, 3, 4].map((n) => batcher.submit({ key: `e${n}`, value: n }));
    await flush();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    // Three more arrive while that batch holds the only slot.
    const later = [5, 6, 7].map((n) => batcher.submit({ key: `k${n}`, value: n }));
    await flush();
    expect(batcher.backlog).toBe(3);
    gates[0].release();
    await flush();
    expect(batches.at(-1)).toEqual([5, 6, 7]);
    gates[1].release();
    expect(await Promise.all([...early, ...later])).toEqual(['one:2', 'batch:3', 'batch:4', 'batch:5', 'batch:6', 'batch:7']);
  });

  it('never puts two calls of one key in a batch or in flight together, and keeps their order', async () => {
    const { batcher, batches, gates } = recordingBatcher({ maxInFlight: 2 });
    const calls = [
      { key: 'v1', value: 1 },
      { key: 'v1', value: 2 },
      { key: 'v2', value: 3 },
      { key: 'v1', value: 4 },
      { key: 'v3', value: 5 },
    ].map((item) => batcher.submit(item));
    for (let i = 0; i < 20; i++) {
      await flush();
      for (const gate of gates.splice(0)) gate.release();
    }
    await Promise.all(calls);
    const order = batches.flat();
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(2));
    expect(order.indexOf(2)).toBeLessThan(order.indexOf(4));
    for (const batch of batches) expect(new Set(batch.filter((v) => [1, 2, 4].includes(v))).size).toBeLessThanOrEqual(1);
  });

  it('splits a failed batch into single runs, so only the bad call fails', async () => {
    const { batcher, gates } = recordingBatcher({ maxInFlight: 1, failBatchWhen: (items) => items.some((i) => i.value < 0) });
    const head = batcher.submit({ key: 'h', value: 0 });
    const rest = [1, -2, 3].map((value, i) => batcher.submit({ key: `r${i}`, value }));
    await head;
    await flush();
    gates[0].release();
    const settled = await Promise.allSettled(rest);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseFulfilledResult<string>).value).toBe('one:1');
    expect(((settled[1] as PromiseRejectedResult).reason as Error).message).toBe('bad -2');
  });

  it('keeps batches within maxBatch', async () => {
    const { batcher, batches, gates } = recordingBatcher({ maxInFlight: 1, maxBatch: 3 });
    const first = batcher.submit({ key: 'x', value: 0 });
    const many = Array.from({ length: 7 }, (_, i) => batcher.submit({ key: `m${i}`, value: i + 1 }));
    await first;
    for (let i = 0; i < 10; i++) {
      await flush();
      for (const gate of gates.splice(0)) gate.release();
    }
    await Promise.all(many);
    expect(batches.slice(1).map((b) => b.length)).toEqual([3, 3, 1]);
  });
});

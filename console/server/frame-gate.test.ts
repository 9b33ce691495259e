import { describe, expect, it } from 'vitest';
import { FrameGate } from './frame-gate.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('FrameGate', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const gate = new FrameGate(3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        gate.run(async () => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          await tick();
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(gate.pending).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const gate = new FrameGate(1);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
    expect(gate.pending).toBe(0);
  });

  it('keeps order and count across the internal compaction', async () => {
    const gate = new FrameGate(2);
    const done: number[] = [];
    await Promise.all(Array.from({ length: 5000 }, (_, i) => gate.run(async () => void done.push(i))));
    expect(done).toHaveLength(5000);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(gate.pending).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { SeqGaps } from './seq-gaps.ts';

const options = { graceMs: 2_000, recheckMs: 15_000, maxHoles: 100 };

describe('holes in the message seqs heard on the bus', () => {
  it('are due once their grace has passed, and not before', () => {
    const gaps = new SeqGaps(options);
    gaps.heard(10, 0);
    gaps.heard(11, 0);
    gaps.heard(14, 100);
    expect(gaps.holes).toBe(2);
    expect(gaps.due(2_099, 50)).toEqual([]);
    expect(gaps.due(2_100, 50)).toEqual([12, 13]);
  });

  it('close when the late event arrives, before any lookup', () => {
    const gaps = new SeqGaps(options);
    gaps.heard(1, 0);
    gaps.heard(5, 0);
    gaps.heard(3, 500);
    expect(gaps.due(5_000, 50)).toEqual([2, 4]);
  });

  it('close when the database had the message, and are asked about once more when it did not', () => {
    const gaps = new SeqGaps(options);
    gaps.heard(1, 0);
    gaps.heard(4, 0);
    const due = gaps.due(2_000, 50);
    gaps.checked(due, new Set([2]), 2_000);
    expect(gaps.holes).toBe(1);
    expect(gaps.due(16_999, 50)).toEqual([]);
    expect(gaps.due(17_000, 50)).toEqual([3]);
    gaps.checked([3], new Set(), 17_000);
    expect(gaps.holes).toBe(0);
  });

  it('stay tracked while the lookup cannot be made', () => {
    const gaps = new SeqGaps(options);
    gaps.heard(1, 0);
    gaps.heard(3, 0);
    expect(gaps.due(2_000, 50)).toEqual([2]);
    // No checked(): the database was away.
    expect(gaps.due(2_500, 50)).toEqual([2]);
  });

  it('hand out at most the batch asked for, oldest first', () => {
    const gaps = new SeqGaps(options);
    gaps.heard(1, 0);
    gaps.heard(10, 0);
    expect(gaps.due(2_000, 3)).toEqual([2, 3, 4]);
  });

  it('keep only the newest holes past the bound', () => {
    const gaps = new SeqGaps(options);
    gaps.heard(1, 0);
    gaps.heard(1_000, 0);
    expect(gaps.holes).toBe(100);
    expect(gaps.due(2_000, 1)).toEqual([900]);
    gaps.heard(1_010, 0);
    expect(gaps.holes).toBe(100);
    expect(gaps.due(2_000, 1)).toEqual([909]);
  });

  it('leave alone the seqs stored before the process listened', () => {
    const gaps = new SeqGaps(options);
    // An older event still on its way arrives first.
    gaps.heard(90, 0);
    gaps.heard(120, 0);
    gaps.startAfter(110);
    expect(gaps.due(2_000, 50)).toEqual([111, 112, 113, 114, 115, 116, 117, 118, 119]);
    gaps.startAfter(200);
    expect(gaps.holes).toBe(0);
    gaps.heard(202, 0);
    expect(gaps.due(2_000, 50)).toEqual([201]);
  });

  it('start from the first seq heard, with no hole before it', () => {
    const gaps = new SeqGaps(options);
    gaps.heard(5_000, 0);
    expect(gaps.holes).toBe(0);
  });
});

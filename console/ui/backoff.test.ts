import { describe, it, expect } from 'vitest';
import { backoffDelay } from './backoff.ts';

const options = { baseMs: 500, maxMs: 15_000, factor: 2, jitter: 0.2 };

describe('backoffDelay()', () => {
  it('doubles from the base delay when jitter sits in the middle', () => {
    const delays = [0, 1, 2, 3].map((attempt) => backoffDelay(attempt, options, () => 0.5));
    expect(delays).toEqual([500, 1000, 2000, 4000]);
  });

  it('never exceeds the maximum, even at the top of the jitter band', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      expect(backoffDelay(attempt, options, () => 0.999)).toBeLessThanOrEqual(15_000);
    }
    expect(backoffDelay(30, options, () => 0.5)).toBe(15_000);
  });

  it('stays within ±jitter of the nominal delay', () => {
    expect(backoffDelay(2, options, () => 0)).toBe(1600);
    expect(backoffDelay(2, options, () => 1)).toBe(2400);
  });

  it('treats a negative attempt as the first one', () => {
    expect(backoffDelay(-3, options, () => 0.5)).toBe(500);
  });
});

import { describe, it, expect } from 'vitest';
import { layoutRows, rowAt, windowRows } from './windowing.ts';

describe('layoutRows()', () => {
  it('gives each row its top offset and the total height last', () => {
    expect(layoutRows([10, 20, 30])).toEqual([0, 10, 30, 60]);
    expect(layoutRows([])).toEqual([0]);
  });
});

describe('rowAt()', () => {
  it('finds the row under a position, clamped to the first and last rows', () => {
    const offsets = layoutRows([10, 20, 30]);
    expect(rowAt(offsets, -5)).toBe(0);
    expect(rowAt(offsets, 9)).toBe(0);
    expect(rowAt(offsets, 10)).toBe(1);
    expect(rowAt(offsets, 59)).toBe(2);
    expect(rowAt(offsets, 500)).toBe(2);
  });
});

describe('windowRows()', () => {
  const offsets = layoutRows(new Array(1000).fill(50));

  it('renders only the rows around the viewport and keeps the rest as space', () => {
    const w = windowRows(offsets, 10_000, 500, 100);
    expect(w).toEqual({ start: 198, end: 212, before: 9900, after: 50_000 - 10_600 });
  });

  it('renders the last rows at the bottom of a long list', () => {
    const w = windowRows(offsets, 49_500, 500, 0);
    expect(w.end).toBe(1000);
    expect(w.start).toBe(990);
    expect(w.after).toBe(0);
  });

  it('clamps a view past either end and copes with an empty list', () => {
    expect(windowRows(offsets, -300, 500, 0)).toMatchObject({ start: 0, end: 10, before: 0 });
    expect(windowRows(offsets, 99_999, 500, 0)).toMatchObject({ start: 990, end: 1000, after: 0 });
    expect(windowRows([0], 0, 500, 100)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });

  it('renders every row of a list shorter than the viewport', () => {
    expect(windowRows(layoutRows([40, 40]), 0, 500, 0)).toEqual({ start: 0, end: 2, before: 0, after: 0 });
  });
});

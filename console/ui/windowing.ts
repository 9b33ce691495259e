/**
 * Windowing for long lists whose rows have different heights: the positions of all rows come from
 * measured heights (an estimate for rows never shown), and only the rows near the viewport are
 * rendered, with the space of the others kept as padding so the scrollbar stays true.
 */

/** The rows to render, `[start, end)`, and the space taken by the rows before and after them. */
export interface RowWindow {
  start: number;
  end: number;
  before: number;
  after: number;
}

/** Top offsets of each row plus the total height as the last entry (`heights.length + 1` numbers). */
export function layoutRows(heights: readonly number[]): number[] {
  const offsets = new Array<number>(heights.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = offsets[i]! + heights[i]!;
  return offsets;
}

/** The first row whose bottom edge lies below `y` (binary search over `layoutRows` output). */
export function rowAt(offsets: readonly number[], y: number): number {
  let low = 0;
  let high = Math.max(0, offsets.length - 2);
  while (low < high) {
    const mid = (low + high) >> 1;
    if (offsets[mid + 1]! > y) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** The rows that overlap `[viewTop - overscan, viewTop + viewHeight + overscan]`. */
export function windowRows(offsets: readonly number[], viewTop: number, viewHeight: number, overscan: number): RowWindow {
  const count = offsets.length - 1;
  const total = offsets[count]!;
  if (count === 0) return { start: 0, end: 0, before: 0, after: 0 };
  const top = Math.max(0, Math.min(viewTop, total - viewHeight)) - overscan;
  const bottom = Math.max(0, viewTop) + viewHeight + overscan;
  const start = rowAt(offsets, top);
  let end = start + 1;
  while (end < count && offsets[end]! < bottom) end++;
  return { start, end, before: offsets[start]!, after: total - offsets[end]! };
}

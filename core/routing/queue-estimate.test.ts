import { describe, it, expect } from 'vitest';
import { defaultQueuePrompt, estimateWaitMinutes, renderQueuePrompt } from './queue-estimate.ts';

const minute = 60_000;

describe('estimateWaitMinutes()', () => {
  it('multiplies the median wait per place by the places up to and including the visitor', () => {
    expect(estimateWaitMinutes(0, [2 * minute], 3)).toBe(2);
    expect(estimateWaitMinutes(4, [2 * minute, 2 * minute, 2 * minute], 3)).toBe(10);
  });

  it('ignores outliers by using the median', () => {
    expect(estimateWaitMinutes(1, [minute, minute, 90 * minute], 2)).toBe(2);
    expect(estimateWaitMinutes(1, [minute, 3 * minute, 0, 4 * minute], 2)).toBe(4); // median 2 min
  });

  it('falls back to a default per place shared among online agents without history', () => {
    expect(estimateWaitMinutes(0, [], 1)).toBe(3);
    expect(estimateWaitMinutes(5, [], 3)).toBe(6);
    expect(estimateWaitMinutes(5, [], 0)).toBe(18);
  });

  it('ignores invalid samples and falls back when none is left', () => {
    expect(estimateWaitMinutes(0, [Number.NaN, -5, Number.POSITIVE_INFINITY], 1)).toBe(3);
    expect(estimateWaitMinutes(0, [Number.NaN, 5 * minute], 1)).toBe(5);
  });

  it('rounds up and never says less than one minute', () => {
    expect(estimateWaitMinutes(0, [1_000], 5)).toBe(1);
    expect(estimateWaitMinutes(0, [0], 5)).toBe(1);
    expect(estimateWaitMinutes(2, [61_000], 1)).toBe(4);
    expect(estimateWaitMinutes(-3, [2 * minute], 1)).toBe(2);
  });
});

describe('renderQueuePrompt()', () => {
  it('fills the default prompt', () => {
    expect(renderQueuePrompt(defaultQueuePrompt, { position: 3, eta: 6 })).toBe('您前面还有3位，预计等待6分钟');
  });

  it('replaces every occurrence and leaves other braces alone', () => {
    expect(renderQueuePrompt('{position}/{position} ~{eta}min {name}', { position: 2, eta: 5 })).toBe('2/2 ~5min {name}');
  });

  it('returns a template without placeholders unchanged', () => {
    expect(renderQueuePrompt('请稍候', { position: 1, eta: 1 })).toBe('请稍候');
  });
});

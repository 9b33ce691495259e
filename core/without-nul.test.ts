import { describe, expect, it } from 'vitest';
import { withoutNul } from './without-nul.ts';

describe('withoutNul', () => {
  it('drops U+0000 from strings, keys, nested objects and arrays', () => {
    expect(withoutNul('a\u0000b\u0000')).toBe('ab');
    expect(withoutNul({ 'k\u0000': ['x\u0000', { y: '\u0000z' }], n: 1, t: true, nil: null })).toEqual({ k: ['x', { y: 'z' }], n: 1, t: true, nil: null });
  });

  it('keeps other values and non-plain objects as they are', () => {
    const date = new Date(0);
    expect(withoutNul(date)).toBe(date);
    expect(withoutNul(42)).toBe(42);
    expect(withoutNul('普通文本')).toBe('普通文本');
  });
});

describe('withoutNul without U+0000', () => {
  it('returns the same value, not a copy', () => {
    const frame = { type: 'send', text: '你好', nested: { list: ['a', 1, null] } };
    expect(withoutNul(frame)).toBe(frame);
    const dirty = { type: 'send', nested: { list: ['a\u0000'] } };
    const clean = withoutNul(dirty);
    expect(clean).not.toBe(dirty);
    expect(dirty.nested.list[0]).toBe('a\u0000');
    expect(clean).toEqual({ type: 'send', nested: { list: ['a'] } });
  });
});

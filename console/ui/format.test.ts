import { describe, it, expect } from 'vitest';
import { channelLabelKey, formatClock, previewOf, waitingParts } from './format.ts';

describe('channelLabelKey()', () => {
  it('names every channel type and tells H5 web visitors from PC ones', () => {
    expect(channelLabelKey('web', { device: 'pc' })).toBe('channel.web');
    expect(channelLabelKey('web', { device: 'h5' })).toBe('channel.h5');
    expect(channelLabelKey('web')).toBe('channel.web');
    expect(channelLabelKey('wechaty')).toBe('channel.wechat');
    expect(channelLabelKey('wecom')).toBe('channel.wecom');
    expect(channelLabelKey('wechat_mp')).toBe('channel.mp');
    expect(channelLabelKey('fax')).toBe('channel.other');
  });
});

describe('formatClock()', () => {
  const now = new Date(2024, 5, 15, 18, 0);

  it('shows only the time for today', () => {
    expect(formatClock(new Date(2024, 5, 15, 9, 5).toISOString(), now)).toBe('09:05');
  });

  it('adds the date for earlier days of the year and only the date for earlier years', () => {
    expect(formatClock(new Date(2024, 0, 2, 23, 59).toISOString(), now)).toBe('01-02 23:59');
    expect(formatClock(new Date(2023, 11, 31, 8, 0).toISOString(), now)).toBe('2023-12-31');
  });

  it('returns an empty string for a missing or broken timestamp', () => {
    expect(formatClock(null, now)).toBe('');
    expect(formatClock('not a date', now)).toBe('');
  });
});

describe('waitingParts()', () => {
  const now = new Date('2024-06-15T10:00:00Z');

  it('says just now under a minute, minutes under an hour, hours and minutes above', () => {
    expect(waitingParts('2024-06-15T09:59:30Z', now)).toEqual({ key: 'time.justNow' });
    expect(waitingParts('2024-06-15T09:47:00Z', now)).toEqual({ key: 'time.minutes', params: { n: 13 } });
    expect(waitingParts('2024-06-15T07:55:00Z', now)).toEqual({ key: 'time.hoursMinutes', params: { h: 2, m: 5 } });
  });
});

describe('previewOf()', () => {
  it('collapses whitespace, labels images and skips empty texts', () => {
    expect(previewOf({ kind: 'text', text: ' hello\n  world ' })).toEqual({ text: 'hello world' });
    expect(previewOf({ kind: 'image', text: null })).toEqual({ key: 'msg.image' });
    expect(previewOf({ kind: 'text', text: '   ' })).toBeNull();
  });
});

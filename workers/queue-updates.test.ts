import { describe, expect, it } from 'vitest';
import { shouldSendQueueUpdate } from './queue-updates.ts';

const now = new Date('2026-05-01T10:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('shouldSendQueueUpdate', () => {
  it('tells a visitor whose place changed once the interval has passed', () => {
    expect(shouldSendQueueUpdate({ place: 2, lastToldPlace: 3, lastToldAt: minutesAgo(2) }, 120_000, now)).toBe(true);
  });

  it('waits for the interval even when the place changed', () => {
    expect(shouldSendQueueUpdate({ place: 2, lastToldPlace: 3, lastToldAt: minutesAgo(1) }, 120_000, now)).toBe(false);
  });

  it('says nothing when the place is the one already told', () => {
    expect(shouldSendQueueUpdate({ place: 3, lastToldPlace: 3, lastToldAt: minutesAgo(30) }, 120_000, now)).toBe(false);
  });

  it('tells a visitor who was never told', () => {
    expect(shouldSendQueueUpdate({ place: 1, lastToldPlace: null, lastToldAt: null }, 120_000, now)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { titleWithUnread } from './attention.ts';

describe('titleWithUnread()', () => {
  it('prefixes the unread count and caps it at 99+', () => {
    expect(titleWithUnread('Kefu', 0)).toBe('Kefu');
    expect(titleWithUnread('Kefu', 3)).toBe('(3) Kefu');
    expect(titleWithUnread('Kefu', 120)).toBe('(99+) Kefu');
  });
});

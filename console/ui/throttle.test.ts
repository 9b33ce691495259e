import { describe, it, expect } from 'vitest';
import { createThrottle } from './throttle.ts';

describe('createThrottle()', () => {
  it('lets the first call through and refuses calls inside the interval', () => {
    let clock = 1000;
    const allow = createThrottle(3000, () => clock);
    expect(allow()).toBe(true);
    clock += 2999;
    expect(allow()).toBe(false);
    clock += 1;
    expect(allow()).toBe(true);
    expect(allow()).toBe(false);
  });
});

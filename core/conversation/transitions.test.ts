import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, sourcesOf, transitions } from './transitions.ts';

describe('conversation transitions', () => {
  it('lets a bot conversation be handed to the queue and closed, but not go back to itself', () => {
    expect(canTransition('bot', 'queued')).toBe(true);
    expect(canTransition('bot', 'closed')).toBe(true);
    expect(canTransition('bot', 'bot')).toBe(false);
  });

  it('treats assigned → assigned as a transfer and allows re-queueing', () => {
    expect(canTransition('assigned', 'assigned')).toBe(true);
    expect(canTransition('assigned', 'queued')).toBe(true);
  });

  it('never leaves closed', () => {
    expect(transitions.closed).toHaveLength(0);
    for (const to of ['bot', 'queued', 'assigned', 'closed'] as const) expect(canTransition('closed', to)).toBe(false);
  });

  it('refuses an invalid transition with a stable code', () => {
    expect(() => assertTransition('closed', 'assigned')).toThrowError(expect.objectContaining({ code: 'invalid_transition' }));
  });

  it('lists the sources of assignment', () => {
    expect(sourcesOf('assigned').sort()).toEqual(['assigned', 'bot', 'queued']);
  });
});

import { describe, expect, it } from 'vitest';
import { AgentPool, pickAgent, preferredAgentOf } from './agent-pool.ts';

const agent = (id: string, activeCount: number, limit: number, last: string | null = null) => ({
  id,
  activeCount,
  autoAcceptLimit: limit,
  lastAssignedAt: last ? new Date(last) : null,
});

describe('pickAgent()', () => {
  it('picks the least loaded agent', () => {
    expect(pickAgent([agent('a', 2, 5), agent('b', 1, 5), agent('c', 3, 5)])?.id).toBe('b');
  });
  it('breaks ties towards the longest idle, never-assigned first', () => {
    expect(pickAgent([agent('a', 1, 5, '2025-01-01T10:00:00Z'), agent('b', 1, 5, '2025-01-01T09:00:00Z')])?.id).toBe('b');
    expect(pickAgent([agent('a', 1, 5, '2025-01-01T10:00:00Z'), agent('b', 1, 5)])?.id).toBe('b');
  });
  it('skips agents at their limit and returns null when everyone is full', () => {
    expect(pickAgent([agent('a', 5, 5), agent('b', 0, 0)])).toBeNull();
  });
});

describe('AgentPool', () => {
  it('never hands out more slots than the limits allow', () => {
    const pool = new AgentPool([agent('a', 0, 2), agent('b', 1, 2)]);
    const taken = [pool.take(), pool.take(), pool.take(), pool.take()].map((a) => a?.id ?? null);
    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(taken[3]).toBeNull();
  });
  it('spreads load: the same agent is not taken twice while another has fewer', () => {
    const pool = new AgentPool([agent('a', 0, 5), agent('b', 0, 5)]);
    expect(new Set([pool.take()!.id, pool.take()!.id])).toEqual(new Set(['a', 'b']));
  });
  it('prefers the given agent while it has room, else the best one', () => {
    const pool = new AgentPool([agent('a', 0, 5), agent('b', 4, 5)]);
    expect(pool.take('b')?.id).toBe('b');
    expect(pool.take('b')?.id).toBe('a');
  });
});

describe('preferredAgentOf()', () => {
  const now = new Date('2025-01-02T12:00:00Z');
  it('prefers the previous agent within the window only', () => {
    expect(preferredAgentOf({ lastAgentId: 'x', lastAgentAt: new Date('2025-01-02T00:00:00Z') }, 24, now)).toBe('x');
    expect(preferredAgentOf({ lastAgentId: 'x', lastAgentAt: new Date('2024-12-31T00:00:00Z') }, 24, now)).toBeNull();
    expect(preferredAgentOf({ lastAgentId: 'x', lastAgentAt: new Date('2025-01-02T11:00:00Z') }, 0, now)).toBeNull();
  });
});

describe('AgentPool.take() with an agent to avoid', () => {
  it('takes someone else first and the avoided agent only when nobody else has room', () => {
    const pool = new AgentPool([agent('a', 0, 5), agent('b', 2, 3)]);
    expect(pool.take(null, new Date(), 'a')?.id).toBe('b');
    expect(pool.take(null, new Date(), 'a')?.id).toBe('a');
  });
});

import { describe, expect, it } from 'vitest';
import { AgentPool } from './agent-pool.ts';
import { planAssignments } from './queue-drainer.ts';

const now = new Date('2025-01-02T12:00:00Z');
const agent = (id: string, activeCount: number, limit: number, last: string | null = null) => ({
  id,
  activeCount,
  autoAcceptLimit: limit,
  lastAssignedAt: last ? new Date(last) : null,
});
const queued = (id: string, extra: { priority?: number; lastAgentId?: string; lastAgentAt?: string } = {}) => ({
  id,
  visitorId: `v-${id}`,
  priority: extra.priority ?? 0,
  lastAgentId: extra.lastAgentId ?? null,
  lastAgentAt: extra.lastAgentAt ? new Date(extra.lastAgentAt) : null,
});

describe('planAssignments()', () => {
  it('follows queue order, least loaded first, and stops when nobody has room', () => {
    const pool = new AgentPool([agent('a', 1, 2), agent('b', 0, 2, '2025-01-02T11:00:00Z'), agent('c', 0, 1)]);
    const pairs = planAssignments([queued('1'), queued('2'), queued('3'), queued('4'), queued('5'), queued('6')], pool, 24, now);
    // c never assigned counts as idlest; then b (0 active), then a and b tie on load, a idler.
    expect(pairs.map((p) => `${p.conversationId}:${p.agentId}`)).toEqual(['1:c', '2:b', '3:a', '4:b']);
  });

  it('gives a visitor the previous agent within the window, but never a re-routed one back to the last agent', () => {
    const pool = new AgentPool([agent('a', 3, 5), agent('b', 0, 5)]);
    const pairs = planAssignments(
      [
        queued('back', { priority: -1, lastAgentId: 'b', lastAgentAt: '2025-01-02T11:50:00Z' }),
        queued('loyal', { lastAgentId: 'a', lastAgentAt: '2025-01-02T10:00:00Z' }),
        queued('old', { lastAgentId: 'a', lastAgentAt: '2024-12-01T10:00:00Z' }),
      ],
      pool,
      24,
      now,
    );
    expect(pairs).toEqual([
      { conversationId: 'back', agentId: 'a' },
      { conversationId: 'loyal', agentId: 'a' },
      { conversationId: 'old', agentId: 'b' },
    ]);
  });
});

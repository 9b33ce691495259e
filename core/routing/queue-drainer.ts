import { isWithinServiceHours } from './service-hours.ts';
import type { Actor } from '../conversation/records.ts';
import type { BatchAssignment } from '../conversation/store.ts';
import { AgentPool, preferredAgentOf } from './agent-pool.ts';
import type { RoutingDeps } from './routing-deps.ts';
import type { QueuedConversation } from './routing-store.ts';

const system: Actor = { type: 'system', reason: 'assignment' };

export interface DrainOptions {
  /** Queued conversations read and planned per pass. */
  batch?: number;
  /** Planned pairs applied per store transaction (agents' rows stay locked for one chunk only). */
  chunk?: number;
}

/**
 * Assigns queued conversations in queue order (priority, queued time) to eligible agents: least
 * loaded, ties to the longest idle, the visitor's previous agent first when eligible within the
 * configured hours, a no-reply re-route not straight back to the agent who did not answer.
 *
 * Each pass plans from one read of the agents (a guess) and one read of the queue head, and the
 * store applies the plan chunk by chunk, each chunk atomically: it refuses pairs whose agent is over
 * the limit, paused or offline, and conversations already taken or being changed, so concurrent
 * drains and manual picks can never over-assign. After a chunk with refusals the guess is stale:
 * the pass ends and the next one reads again. The events of one chunk are emitted while the next
 * is applied.
 */
export class QueueDrainer {
  constructor(private readonly deps: RoutingDeps) {}

  /** Drains until the queue is empty or nobody has room; returns how many were assigned. */
  async drain(options: DrainOptions = {}): Promise<number> {
    const batch = options.batch ?? 2000;
    const chunk = options.chunk ?? 1000;
    const { routing, settings, clock } = this.deps;
    // Outside service hours (or with human service off) nothing is handed out automatically;
    // agents may still pick from the queue by hand.
    if (!(await settings.get('humanService')).enabled) return 0;
    if (!isWithinServiceHours(await settings.get('serviceHours'), clock.now())) return 0;
    const preferHours = (await settings.get('assignment')).preferPreviousAgentHours;
    let total = 0;
    let publishing: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        const [agents, queued] = await Promise.all([routing.eligibleAgents(), routing.queuedConversations(batch)]);
        const pool = new AgentPool(agents);
        if (pool.size === 0 || queued.length === 0) break;
        const pairs = planAssignments(queued, pool, preferHours, clock.now());
        let assigned = 0;
        let refused = 0;
        for (let at = 0; at < pairs.length && refused === 0; at += chunk) {
          const outcome = await this.deps.conversations.assignMany(pairs.slice(at, at + chunk), system, 'auto');
          // At most one chunk's events in flight behind the one just applied.
          await publishing;
          publishing = outcome.published;
          assigned += outcome.applied.length;
          refused += outcome.refused.length;
        }
        total += assigned;
        if (assigned === 0) break;
      }
    } finally {
      await publishing;
    }
    return total;
  }
}

/** Pairs the queue head, in order, with the pool's agents until the pool runs out of room. */
export function planAssignments(queued: readonly QueuedConversation[], pool: AgentPool, preferHours: number, now: Date): BatchAssignment[] {
  const pairs: BatchAssignment[] = [];
  for (const conversation of queued) {
    // A conversation re-routed for no reply must not go straight back to the agent who did not answer.
    const requeued = conversation.priority < 0;
    const preferred = requeued ? null : preferredAgentOf(conversation, preferHours, now);
    const agent = pool.take(preferred, now, requeued ? conversation.lastAgentId : null);
    if (!agent) break;
    pairs.push({ conversationId: conversation.id, agentId: agent.id });
  }
  return pairs;
}

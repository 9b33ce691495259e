import { isWithinServiceHours } from './service-hours.ts';
import { isAppError } from '../errors.ts';
import type { Actor } from '../conversation/records.ts';
import { AgentPool, preferredAgentOf } from './agent-pool.ts';
import type { RoutingDeps } from './routing-deps.ts';
import type { QueuedConversation } from './routing-store.ts';

const system: Actor = { type: 'system', reason: 'assignment' };

export interface DrainOptions {
  /** Assignments in flight at once; the store's atomic assign keeps this safe. */
  parallel?: number;
  batch?: number;
}

/**
 * Assigns queued conversations in queue order (priority, queued time) to eligible agents: least
 * loaded, ties to the longest idle, the visitor's previous agent first when eligible within the
 * configured hours. The pool is a guess made from one read; every assignment goes through the
 * store's atomic `assign`, which refuses over-limit, paused and offline agents and conversations
 * already taken, so concurrent drains and manual picks can never over-assign.
 */
export class QueueDrainer {
  constructor(private readonly deps: RoutingDeps) {}

  /** Drains until the queue is empty or nobody has room; returns how many were assigned. */
  async drain(options: DrainOptions = {}): Promise<number> {
    const parallel = options.parallel ?? 16;
    const batch = options.batch ?? 500;
    const { routing, settings, clock } = this.deps;
    // Outside service hours (or with human service off) nothing is handed out automatically;
    // agents may still pick from the queue by hand.
    if (!(await settings.get('humanService')).enabled) return 0;
    if (!isWithinServiceHours(await settings.get('serviceHours'), clock.now())) return 0;
    const preferHours = (await settings.get('assignment')).preferPreviousAgentHours;
    let total = 0;
    for (;;) {
      const pool = new AgentPool(await routing.eligibleAgents());
      if (pool.size === 0) return total;
      const queued = await routing.queuedConversations(batch);
      if (queued.length === 0) return total;
      let next = 0;
      let assigned = 0;
      const worker = async () => {
        while (next < queued.length) {
          const conversation = queued[next++];
          if (await this.assignOne(conversation, pool, preferHours, clock.now())) assigned++;
          if (pool.size === 0) return;
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, queued.length) }, worker));
      total += assigned;
      if (assigned === 0) return total;
    }
  }

  private async assignOne(conversation: QueuedConversation, pool: AgentPool, preferHours: number, now: Date): Promise<boolean> {
    // A conversation re-routed for no reply must not go straight back to the agent who did not answer.
    const requeued = conversation.priority < 0;
    const preferred = requeued ? null : preferredAgentOf(conversation, preferHours, now);
    for (let attempt = 0; attempt < 5; attempt++) {
      const agent = pool.take(preferred, now, requeued ? conversation.lastAgentId : null);
      if (!agent) return false;
      try {
        await this.deps.conversations.assign(conversation.id, agent.id, system, 'auto');
        return true;
      } catch (error) {
        if (!isAppError(error)) throw error;
        if (error.code === 'over_limit' || error.code === 'agent_unavailable') {
          pool.drop(agent.id);
          continue;
        }
        if (error.code === 'invalid_transition') {
          pool.giveBack(agent);
          return false;
        }
        throw error;
      }
    }
    return false;
  }
}

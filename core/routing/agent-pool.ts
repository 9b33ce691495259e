import type { EligibleAgent } from './routing-store.ts';

/**
 * The drainer's view of free capacity during one pass: least loaded first, ties to the longest idle
 * (never assigned counts as idlest). It is only a guess: the store's batch assignment decides, and
 * after a refusal the drainer reads the agents again.
 */
export class AgentPool {
  private readonly agents = new Map<string, EligibleAgent>();

  constructor(agents: EligibleAgent[]) {
    for (const agent of agents) if (agent.activeCount < agent.autoAcceptLimit) this.agents.set(agent.id, { ...agent });
  }

  get size(): number {
    return this.agents.size;
  }

  /**
   * Takes a slot with `preferredId` when it has one, otherwise with the best agent other than
   * `avoidId` (who is still taken when nobody else has room); null when everyone is full.
   */
  take(preferredId: string | null = null, now = new Date(), avoidId: string | null = null): EligibleAgent | null {
    const preferred = preferredId ? this.agents.get(preferredId) : undefined;
    const others = avoidId ? [...this.agents.values()].filter((a) => a.id !== avoidId) : [...this.agents.values()];
    const agent = preferred ?? pickAgent(others) ?? (avoidId ? this.agents.get(avoidId) : undefined) ?? null;
    if (!agent) return null;
    agent.activeCount += 1;
    agent.lastAssignedAt = now;
    if (agent.activeCount >= agent.autoAcceptLimit) this.agents.delete(agent.id);
    return { ...agent };
  }
}

/** Least loaded first, ties to the longest idle; null when there is nobody. */
export function pickAgent(agents: readonly EligibleAgent[]): EligibleAgent | null {
  let best: EligibleAgent | null = null;
  for (const agent of agents) {
    if (agent.activeCount >= agent.autoAcceptLimit) continue;
    if (!best || agent.activeCount < best.activeCount || (agent.activeCount === best.activeCount && idleSince(agent) < idleSince(best))) {
      best = agent;
    }
  }
  return best;
}

function idleSince(agent: EligibleAgent): number {
  return agent.lastAssignedAt ? agent.lastAssignedAt.getTime() : Number.NEGATIVE_INFINITY;
}

/** The visitor's previous agent when it served them within `hours` (0 = never prefer). */
export function preferredAgentOf(
  conversation: { lastAgentId: string | null; lastAgentAt: Date | null },
  hours: number,
  now: Date,
): string | null {
  if (hours <= 0 || !conversation.lastAgentId || !conversation.lastAgentAt) return null;
  return now.getTime() - conversation.lastAgentAt.getTime() <= hours * 3_600_000 ? conversation.lastAgentId : null;
}

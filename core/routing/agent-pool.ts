import type { EligibleAgent } from './routing-store.ts';

/**
 * The drainer's view of free capacity during one pass: least loaded first, ties to the longest idle
 * (never assigned counts as idlest). It is only a guess: the store's atomic `assign` decides, and a
 * refused agent is dropped from the pass.
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

  /** Gives back a slot that was not used (the conversation had gone). */
  giveBack(agent: EligibleAgent): void {
    const current = this.agents.get(agent.id);
    if (current) current.activeCount = Math.max(0, current.activeCount - 1);
    else this.agents.set(agent.id, { ...agent, activeCount: Math.max(0, agent.activeCount - 1) });
  }

  /** The store refused this agent (over the limit, paused, offline): no more from it in this pass. */
  drop(agentId: string): void {
    this.agents.delete(agentId);
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

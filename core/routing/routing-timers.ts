import type { Actor } from '../conversation/records.ts';
import { minutesToMs, type RoutingDeps } from './routing-deps.ts';
import type { RoutingEngine } from './routing-engine.ts';
import { routingJobs, timerJobId } from './routing-jobs.ts';

const system: Actor = { type: 'system', reason: 'timer' };
/** Timers may fire a little early or late; activity closer than this to the deadline still counts. */
const toleranceMs = 20;

const time = (value: Date | string | null | undefined): number => (value ? new Date(value).getTime() : 0);

/**
 * What the routing timers do when they fire. Each reloads the conversation and re-checks it: a timer
 * made stale by later activity or a state change does nothing (or re-arms itself when activity
 * happened while it was running, so no deadline is lost).
 */
export class RoutingTimers {
  constructor(
    private readonly deps: RoutingDeps,
    private readonly engine: RoutingEngine,
  ) {}

  /** 自动结单: closes with the close prompt after T minutes without a message from either side. */
  async autoClose(conversationId: string): Promise<'closed' | 'stale'> {
    const { store, settings, conversations, clock, scheduler } = this.deps;
    const conversation = await store.getConversation(conversationId);
    if (!conversation || conversation.status === 'closed' || conversation.status === 'queued') return 'stale';
    const delayMs = minutesToMs(this.deps, (await settings.get('session')).autoCloseMinutes);
    const lastActivity = Math.max(time(conversation.lastMessageAt), time(conversation.assignedAt));
    const dueAt = lastActivity + delayMs;
    if (dueAt - toleranceMs > clock.now().getTime()) {
      // Activity arrived while this timer was running, so its replacement may have been refused.
      await scheduler.enqueue(
        routingJobs.autoClose,
        { conversationId, at: new Date(lastActivity).toISOString() },
        { jobId: `${timerJobId(routingJobs.autoClose, conversationId)}-${lastActivity}`, delayMs: dueAt - clock.now().getTime() },
      );
      return 'stale';
    }
    await conversations.sendAutomatic(conversationId, 'system', { text: (await settings.get('session')).closePrompt });
    await conversations.close(conversationId, system, 'auto_close');
    return 'closed';
  }

  /** No-reply re-route: a visitor message unanswered for N minutes goes back to the head of the queue, or alerts admins. */
  async noReply(conversationId: string, since: string, assigneeId: string | null): Promise<'requeued' | 'alerted' | 'stale'> {
    const { store, settings, conversations, clock, publish } = this.deps;
    const session = await settings.get('session');
    const conversation = await store.getConversation(conversationId);
    if (!session.noReplyEnabled || !conversation || conversation.status !== 'assigned' || conversation.assigneeId !== assigneeId) return 'stale';
    if (time(conversation.lastAgentMessageAt) >= time(since)) return 'stale';
    if (time(since) + minutesToMs(this.deps, session.noReplyMinutes) - toleranceMs > clock.now().getTime()) return 'stale';
    if (session.noReplyAction === 'alert') {
      await publish({ name: 'notice', audience: 'admins', kind: 'conversation.no_reply', payload: { conversationId, assigneeId, since } });
      return 'alerted';
    }
    const requeued = await conversations.requeue(conversationId, system, 'no_reply');
    if (!requeued) return 'stale';
    if (session.noReplyHoldingMessage) await conversations.sendAutomatic(conversationId, 'bot', { text: session.noReplyHoldingMessage });
    return 'requeued';
  }

  /** Queue maximum wait: the visitor leaves the queue with the 留言 offer or the max-wait reply. */
  async queueTimeout(conversationId: string, queuedAt: string): Promise<'returned' | 'stale'> {
    const { store, settings, conversations } = this.deps;
    const conversation = await store.getConversation(conversationId);
    if (!conversation || conversation.status !== 'queued' || time(conversation.queuedAt) !== time(queuedAt)) return 'stale';
    const back = await conversations.returnToBot(conversationId, system, 'queue_timeout');
    if (!back) return 'stale';
    await this.engine.tellUnavailable(back, 'unavailable', (await settings.get('queue')).maxWaitReply);
    return 'returned';
  }
}

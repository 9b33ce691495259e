import type { Actor } from '../conversation/records.ts';
import type { ConversationStatus } from '../conversation/transitions.ts';
import { minutesToMs, type RoutingDeps } from './routing-deps.ts';
import type { RoutingEngine } from './routing-engine.ts';
import { routingJobs, timerJobId } from './routing-jobs.ts';

const system: Actor = { type: 'system', reason: 'timer' };
/** Timers may fire a little early or late; activity closer than this to the deadline still counts. */
const toleranceMs = 20;

/** What re-arming a conversation's timers needs to know, as the database has it. */
export interface TimerSnapshot {
  id: string;
  status: ConversationStatus;
  assigneeId: string | null;
  queuedAt: Date | null;
  assignedAt: Date | null;
  lastMessageAt: Date | null;
  /** The first visitor message the assignee has not answered yet (null when none). */
  unansweredSince: Date | null;
  /** A closed conversation's open satisfaction invitation. */
  ratingExpiresAt: string | null;
}

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

  /**
   * 自动结单: closes with the close prompt after T minutes without a message from either side. In the
   * queue nobody is inactive but the service: it only arms itself again. Two timers of one
   * conversation due together (one armed by activity while the other re-armed itself) close it once:
   * the close is a compare-and-set, and only its winner sends the prompt.
   */
  async autoClose(conversationId: string): Promise<'closed' | 'stale'> {
    const { store, settings, conversations, clock, scheduler } = this.deps;
    const conversation = await store.getConversation(conversationId);
    if (!conversation || conversation.status === 'closed') return 'stale';
    const session = await settings.get('session');
    const delayMs = minutesToMs(this.deps, session.autoCloseMinutes);
    const now = clock.now().getTime();
    const lastActivity = conversation.status === 'queued' ? now : Math.max(time(conversation.lastMessageAt), time(conversation.assignedAt));
    const dueAt = lastActivity + delayMs;
    if (dueAt - toleranceMs > now) {
      // Activity arrived while this timer was running, so its replacement may have been refused.
      await scheduler.enqueue(
        routingJobs.autoClose,
        { conversationId, at: new Date(lastActivity).toISOString() },
        { jobId: `${timerJobId(routingJobs.autoClose, conversationId)}-${lastActivity}`, delayMs: dueAt - now },
      );
      return 'stale';
    }
    return (await conversations.closeOnce(conversationId, system, 'auto_close', { prompt: session.closePrompt })) ? 'closed' : 'stale';
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

  /**
   * Schedules again every timer the conversation's state calls for, due when it would have been due,
   * after the job queue lost its data. Job ids are the usual per-conversation ones, so a timer that
   * still exists, or one armed by another process doing the same, is not duplicated. Returns how many
   * timers were asked for.
   */
  async rearm(conversation: TimerSnapshot): Promise<number> {
    const { settings, scheduler, clock } = this.deps;
    const now = clock.now().getTime();
    const due = (at: number) => ({ delayMs: Math.max(0, at - now) });
    const id = conversation.id;
    let armed = 0;
    if (conversation.status !== 'closed') {
      const session = await settings.get('session');
      const lastActivity = Math.max(time(conversation.lastMessageAt), time(conversation.assignedAt)) || now;
      await scheduler.enqueue(
        routingJobs.autoClose,
        { conversationId: id, at: new Date(lastActivity).toISOString() },
        { jobId: timerJobId(routingJobs.autoClose, id), ...due(lastActivity + minutesToMs(this.deps, session.autoCloseMinutes)) },
      );
      armed++;
      if (conversation.status === 'assigned' && session.noReplyEnabled && conversation.unansweredSince) {
        const since = time(conversation.unansweredSince);
        await scheduler.enqueue(
          routingJobs.noReply,
          { conversationId: id, since: new Date(since).toISOString(), assigneeId: conversation.assigneeId },
          { jobId: timerJobId(routingJobs.noReply, id), ...due(since + minutesToMs(this.deps, session.noReplyMinutes)) },
        );
        armed++;
      }
    }
    if (conversation.status === 'queued' && conversation.queuedAt) {
      const queue = await settings.get('queue');
      if (queue.maxWaitMinutes > 0) {
        const queuedAt = time(conversation.queuedAt);
        await scheduler.enqueue(
          routingJobs.queueTimeout,
          { conversationId: id, queuedAt: new Date(queuedAt).toISOString() },
          { jobId: timerJobId(routingJobs.queueTimeout, id), ...due(queuedAt + minutesToMs(this.deps, queue.maxWaitMinutes)) },
        );
        armed++;
      }
    }
    if (conversation.status === 'closed' && conversation.ratingExpiresAt) {
      await scheduler.enqueue(
        routingJobs.ratingExpire,
        { conversationId: id },
        { jobId: timerJobId(routingJobs.ratingExpire, id), ...due(time(conversation.ratingExpiresAt)) },
      );
      armed++;
    }
    return armed;
  }
}

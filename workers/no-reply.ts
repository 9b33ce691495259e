import { routingJobs } from '../core/routing/routing-jobs.ts';
import type { RoutingTimers } from '../core/routing/routing-timers.ts';
import type { JobQueues } from '../infra/job-queue.ts';
import { parsePayload } from './jobs.ts';

/** `no-reply-${conversationId}`: re-route (or alert) when an agent leaves a visitor unanswered. */
export function registerNoReply(jobs: JobQueues, timers: RoutingTimers): void {
  jobs.register(routingJobs.noReply, async (payload) => {
    const { conversationId, since, assigneeId } = parsePayload(routingJobs.noReply, payload);
    return { outcome: await timers.noReply(conversationId, since, assigneeId) };
  }, 20);
}

import { routingJobs } from '../core/routing/routing-jobs.ts';
import type { RoutingTimers } from '../core/routing/routing-timers.ts';
import type { JobQueues } from '../infra/job-queue.ts';
import { parsePayload } from './jobs.ts';

/** `queue-timeout-${conversationId}`: the queue's maximum wait. */
export function registerQueueTimeout(jobs: JobQueues, timers: RoutingTimers): void {
  jobs.register(routingJobs.queueTimeout, async (payload) => {
    const { conversationId, queuedAt } = parsePayload(routingJobs.queueTimeout, payload);
    return { outcome: await timers.queueTimeout(conversationId, queuedAt) };
  }, 20);
}

import { routingJobs } from '../core/routing/routing-jobs.ts';
import type { RoutingTimers } from '../core/routing/routing-timers.ts';
import type { JobQueues } from '../infra/job-queue.ts';
import { parsePayload } from './jobs.ts';

/** `auto-close-${conversationId}`: 自动结单 after T minutes without a message. */
export function registerAutoClose(jobs: JobQueues, timers: RoutingTimers): void {
  jobs.register(routingJobs.autoClose, async (payload) => {
    const { conversationId } = parsePayload(routingJobs.autoClose, payload);
    return { outcome: await timers.autoClose(conversationId) };
  }, 20);
}

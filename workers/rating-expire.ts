import { routingJobs } from '../core/routing/routing-jobs.ts';
import type { SatisfactionService } from '../core/routing/satisfaction-service.ts';
import type { JobQueues } from '../infra/job-queue.ts';
import { parsePayload } from './jobs.ts';

/** `rating-expire-${conversationId}`: closes a satisfaction invitation at the end of its window. */
export function registerRatingExpire(jobs: JobQueues, satisfaction: SatisfactionService): void {
  jobs.register(routingJobs.ratingExpire, async (payload) => {
    const { conversationId } = parsePayload(routingJobs.ratingExpire, payload);
    await satisfaction.expire(conversationId);
    return {};
  }, 20);
}

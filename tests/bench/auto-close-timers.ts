import { routingJobs, timerJobId } from '../../core/routing/routing-jobs.ts';
import type { JobQueues } from '../../infra/job-queue.ts';

/**
 * One 自动结单 timer per conversation, as `RoutingEngine.armAutoClose` enqueues it when the
 * conversation opens, added in bulk: the state of conversations a bench seeds straight into the
 * database. Returns how many timers the queue then holds delayed.
 */
export async function armAutoCloseTimers(jobs: JobQueues, conversationIds: string[], delayMs: number): Promise<number> {
  const queue = jobs.queue(routingJobs.autoClose);
  const at = new Date().toISOString();
  for (let i = 0; i < conversationIds.length; i += 2_000) {
    await queue.addBulk(
      conversationIds.slice(i, i + 2_000).map((conversationId) => ({
        name: routingJobs.autoClose,
        data: { conversationId, at },
        opts: {
          jobId: timerJobId(routingJobs.autoClose, conversationId),
          delay: delayMs,
          attempts: 5,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
          removeOnFail: { count: 1000 },
        },
      })),
    );
  }
  return queue.getDelayedCount();
}

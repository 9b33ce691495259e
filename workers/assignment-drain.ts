import type { QueueDrainer } from '../core/routing/queue-drainer.ts';
import { routingJobs } from '../core/routing/routing-jobs.ts';
import type { JobQueues } from '../infra/job-queue.ts';
import { parsePayload } from './jobs.ts';

/** `assignment-drain`: one at a time (a single job id), assigns until the queue or capacity runs out. */
export function registerAssignmentDrain(jobs: JobQueues, drainer: QueueDrainer): void {
  jobs.register(
    routingJobs.drain,
    async (payload) => {
      parsePayload(routingJobs.drain, payload);
      return { assigned: await drainer.drain() };
    },
    1,
  );
}

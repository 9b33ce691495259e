import type { Queue } from 'bullmq';
import { AppError } from '../../../core/errors.ts';
import type { JobQueues } from '../../../infra/job-queue.ts';
import { countJobs } from '../../../infra/metrics.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireAdmin } from '../sessions.ts';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** BullMQ at a glance for admins: counts per queue, the failed jobs of one, and retrying one. */
export function queueDashboardRoutes(api: ApiRouter, app: AppContext, jobs: JobQueues): void {
  const find = (name: string): Queue => {
    const queue = jobs.allQueues().find((q) => q.name === name);
    if (!queue) throw new AppError('not_found', { userMessage: `No queue named ${name}.` });
    return queue;
  };

  api.get('/api/admin/queues', { summary: 'Admin: BullMQ queues with job counts by state', access: 'admin', tag: 'operations' }, async (ctx) => {
    requireAdmin(ctx);
    const queues = await countJobs(jobs.allQueues(), [...STATES]);
    return { backend: (jobs as { backend?: string }).backend ?? null, queues: queues.sort((a, b) => a.name.localeCompare(b.name)) };
  });

  api.get('/api/admin/queues/:name/failed', { summary: 'Admin: the latest failed jobs of a queue', access: 'admin', tag: 'operations' }, async (ctx) => {
    requireAdmin(ctx);
    const queue = find(ctx.params.name);
    const failed = await queue.getJobs(['failed'], 0, 49);
    return {
      jobs: failed.filter(Boolean).map((job) => ({
        id: job.id,
        name: job.name,
        data: job.data,
        attemptsMade: job.attemptsMade,
        failedReason: job.failedReason,
        timestamp: job.timestamp,
        finishedOn: job.finishedOn ?? null,
      })),
    };
  });

  api.post('/api/admin/queues/:name/jobs/:id/retry', { summary: 'Admin: retry one failed job', access: 'admin', tag: 'operations' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const queue = find(ctx.params.name);
    const job = await queue.getJob(ctx.params.id);
    if (!job) throw new AppError('not_found', { userMessage: 'No such job.' });
    if (!(await job.isFailed())) throw new AppError('conflict', { userMessage: 'Only failed jobs can be retried.' });
    await job.retry('failed');
    await audit(app, user, 'job.retry', 'job', `${queue.name}/${job.id}`);
    return { ok: true };
  });
}

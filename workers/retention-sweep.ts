import type { Logger } from 'pino';
import type { JobQueues } from '../infra/job-queue.ts';
import { readRetentionSettings, sweepRetention, type SweepResult } from '../infra/retention.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';

export const RETENTION_SWEEP_JOB = 'retention-sweep';
/** Daily at 03:30 server time, when traffic is lowest. */
export const RETENTION_SCHEDULE = '30 3 * * *';

export interface RetentionDeps {
  prisma: PrismaClient;
  uploadDir: string;
  logger: Logger;
}

/** The daily job: reads the retention settings now (they may have changed) and deletes what is past them. */
export async function runRetentionSweep(deps: RetentionDeps, now = new Date()): Promise<SweepResult> {
  const settings = await readRetentionSettings(deps.prisma);
  const result = await sweepRetention(deps.prisma, deps.uploadDir, settings, now);
  deps.logger.info({ ...result, settings }, 'retention sweep finished');
  return result;
}

/** One repeatable job for the whole installation; upserting it again from each worker is harmless. */
export async function scheduleRetentionSweep(jobs: JobQueues): Promise<void> {
  await jobs.queue(RETENTION_SWEEP_JOB).upsertJobScheduler('retention-daily', { pattern: RETENTION_SCHEDULE }, { name: RETENTION_SWEEP_JOB, data: {}, opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } } });
}

import type { Logger } from 'pino';
import { readWecomCredentials } from '../connectors/wecom/credentials.ts';
import type { RoutingEngine } from '../core/routing/routing-engine.ts';
import type { RoutingTimers } from '../core/routing/routing-timers.ts';
import { loadChannelConfig } from '../infra/channel-credentials.ts';
import type { SqlExecutor } from '../infra/database.ts';
import type { JobQueues } from '../infra/job-queue.ts';
import type { RedisDataMarker } from '../infra/recovery-marker.ts';
import { enabledChannelIds, pendingDeliveries, recentlyClosedWecom, timerSnapshots } from '../infra/recovery-queries.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';
import { deliverJobName, wecomSyncJobId } from './channel-jobs.ts';

export interface RecoveryDeps {
  sql: SqlExecutor;
  prisma: PrismaClient;
  secret: string;
  jobs: JobQueues;
  timers: RoutingTimers;
  engine: RoutingEngine;
  /** Absent when the job queue is not on Redis (the embedded queue keeps its jobs on disk). */
  marker?: RedisDataMarker;
  logger: Logger;
  /** How often the sweep runs (ms). */
  intervalMs: number;
  /** A pending message younger than this is left to its own job. */
  pendingAgeMs?: number;
  batch?: number;
}

export interface SweepResult {
  redelivered: number;
  rearmed: number;
  /** True when the job queue was found without its marker and the timers were re-armed. */
  dataLost: boolean;
}

/**
 * The recovery sweep of worker processes. A message is committed before its delivery job is queued,
 * and the job queue (Redis) may lose its data, so: outbound messages still pending after a few seconds
 * get their `deliver-<id>` job again (the same id: BullMQ ignores it while the job waits or runs, a
 * failed one is replaced, and the handler skips a message that is no longer pending); and when Redis
 * comes back empty, every timer of the conversations is re-armed from the database, and the queue
 * drain, the WeCom pulls and the ends of recently closed WeCom sessions are requested again.
 * Everything it asks for has a deterministic job id, so several workers sweeping at once add nothing twice.
 */
export class RecoverySweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(private readonly deps: RecoveryDeps) {}

  start(): void {
    const tick = () => {
      if (this.stopped || this.running) return;
      this.running = this.sweep()
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'recovery sweep failed; it runs again'))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, this.deps.intervalMs);
    this.timer.unref();
    setTimeout(tick, Math.min(1_000, this.deps.intervalMs)).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // A sweep waiting for an unreachable service is abandoned; it does nothing that a later one cannot redo.
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  /** One pass: re-enqueue stale pending deliveries, then re-arm everything if Redis lost its data. */
  async sweep(): Promise<SweepResult> {
    const redelivered = await this.redeliver();
    const { marker } = this.deps;
    if (!marker || (await marker.present())) return { redelivered, rearmed: 0, dataLost: false };
    const token = await marker.begin();
    const rearmed = await this.rearmAll();
    await this.deps.engine.requestDrain();
    await this.resyncWecom();
    await this.recloseWecom();
    const complete = await marker.finish(token);
    this.deps.logger.warn({ rearmed, complete }, 'job queue data was lost: timers re-armed from the database');
    return { redelivered, rearmed, dataLost: true };
  }

  private async redeliver(): Promise<number> {
    const batch = this.deps.batch ?? 500;
    const age = this.deps.pendingAgeMs ?? Math.min(5_000, this.deps.intervalMs);
    let total = 0;
    let after: Date | undefined;
    for (;;) {
      const rows = await pendingDeliveries(this.deps.sql, age, batch, after);
      for (const row of rows) {
        // Its job may be gone with Redis's data, or have failed while the database was away (leaving it pending).
        await this.deps.jobs.enqueueAgain(deliverJobName(row.channelType), { messageId: row.id }, { jobId: `deliver-${row.id}` });
      }
      total += rows.length;
      if (rows.length < batch) return total;
      after = rows.at(-1)!.createdAt;
    }
  }

  /** Pages through the conversations (50,000 open ones are a few dozen pages), a few re-arms at a time. */
  private async rearmAll(): Promise<number> {
    const batch = this.deps.batch ?? 500;
    let after: string | null = null;
    let armed = 0;
    for (;;) {
      const page = await timerSnapshots(this.deps.sql, after, batch);
      for (let i = 0; i < page.length; i += 25) {
        const counts = await Promise.all(page.slice(i, i + 25).map((snapshot) => this.deps.timers.rearm(snapshot)));
        armed += counts.reduce((a, b) => a + b, 0);
      }
      if (page.length < batch) return armed;
      after = page.at(-1)!.id;
    }
  }

  /** A pull without a notice token continues from the stored cursor, so nothing WeCom holds is left unread. */
  /** WeCom sessions whose end (state 4, end message or rating menu) may have been lost with the queue. */
  private async recloseWecom(): Promise<void> {
    // WeCom keeps a session's reply window for 48 hours; an older one has nothing left to end.
    for (const conversationId of await recentlyClosedWecom(this.deps.sql, 48)) {
      await this.deps.jobs.enqueue('wecom-close', { conversationId }, { jobId: `wecom-close-${conversationId}` });
    }
  }

  private async resyncWecom(): Promise<void> {
    for (const channelId of await enabledChannelIds(this.deps.sql, 'wecom')) {
      const channel = await loadChannelConfig(this.deps.prisma, this.deps.secret, channelId);
      if (!channel) continue;
      let openKfId: string;
      try {
        openKfId = readWecomCredentials(channel).openKfId;
      } catch {
        continue; // A channel without complete credentials has nothing to pull.
      }
      await this.deps.jobs.enqueue('wecom-sync', { channelId, openKfId }, { jobId: wecomSyncJobId(channelId, openKfId), attempts: 8 });
    }
  }
}

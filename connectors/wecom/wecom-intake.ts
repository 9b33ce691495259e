import type { Context } from 'koa';
import type { ApiRouter } from '../../console/server/api-router.ts';
import type { AppContext } from '../../console/server/app-context.ts';
import { AppError } from '../../core/errors.ts';
import { loadChannelConfig } from '../../infra/channel-credentials.ts';
import type { JobQueues } from '../../infra/job-queue.ts';
import { wecomSyncJobId } from '../../workers/channel-jobs.ts';
import type { SignedQuery } from '../wechat-common/msg-crypt.ts';
import { readRawBody } from '../wechat-common/raw-body.ts';
import { readWecomCallback, verifyWecomUrl, type KfNotice } from './callback.ts';
import { readWecomCredentials } from './credentials.ts';

export interface WecomIntakeDeps {
  app: Pick<AppContext, 'prisma' | 'secret' | 'logger'>;
  jobs: JobQueues;
  /** Clock for the replay window (tests move it with the peer's clock). */
  now?: () => Date;
}

/**
 * Queues a pull for one kf account. One waiting job per (channel, open_kfid) absorbs a burst of
 * notices; a notice that arrives while that job is already pulling queues one follow-up, so messages
 * written after the running pull's last page are not left behind. The sync handler serializes both.
 */
export async function enqueueKfSync(jobs: JobQueues, channelId: string, notice: KfNotice): Promise<void> {
  const jobId = wecomSyncJobId(channelId, notice.openKfId);
  const payload = { channelId, openKfId: notice.openKfId, syncToken: notice.syncToken };
  const existing = await jobs.queue('wecom-sync').getJob(jobId);
  const running = existing ? await existing.isActive() : false;
  if (running) await jobs.enqueue('wecom-sync', payload, { jobId: `${jobId}-next`, delayMs: 200, attempts: 8 });
  else await jobs.enqueue('wecom-sync', payload, { jobId, attempts: 8 });
}

/**
 * `GET|POST /connectors/wecom/:channelId/callback`: URL verification, and the encrypted
 * kf_msg_or_event notice, answered at once; the messages are pulled by the `wecom-sync` job.
 */
export function wecomCallbackRoutes(deps: WecomIntakeDeps) {
  const now = deps.now ?? (() => new Date());
  async function channelOf(ctx: Context) {
    const channel = await loadChannelConfig(deps.app.prisma, deps.app.secret, ctx.params.channelId ?? '');
    if (!channel || channel.type !== 'wecom') throw new AppError('channel_not_found', { userMessage: 'No WeCom channel here.' });
    return channel;
  }
  return (api: ApiRouter) => {
    api.get('/connectors/wecom/:channelId/callback', { summary: 'WeCom callback URL verification (echostr)', access: 'signature', tag: 'connectors' }, async (ctx) => {
      const channel = await channelOf(ctx);
      const plaintext = verifyWecomUrl(readWecomCredentials(channel), ctx.query as SignedQuery & { echostr?: unknown }, { now: now() });
      ctx.type = 'text/plain';
      ctx.body = plaintext;
    });
    api.post('/connectors/wecom/:channelId/callback', { summary: 'WeCom encrypted kf_msg_or_event notice', access: 'signature', tag: 'connectors' }, async (ctx) => {
      const channel = await channelOf(ctx);
      const body = await readRawBody(ctx);
      const notice = readWecomCallback(readWecomCredentials(channel), ctx.query as SignedQuery, body, { now: now() });
      if (notice && channel.enabled) await enqueueKfSync(deps.jobs, channel.id, notice);
      ctx.type = 'text/plain';
      ctx.body = 'success';
    });
  };
}

import type { Context } from 'koa';
import type { ApiRouter } from '../../console/server/api-router.ts';
import type { AppContext } from '../../console/server/app-context.ts';
import { AppError } from '../../core/errors.ts';
import { channelSettingsSchema } from '../../core/settings/settings-schema.ts';
import { loadChannelConfig } from '../../infra/channel-credentials.ts';
import { fetchMediaUrl, localizeInboundImage } from '../wechat-common/inbound-image.ts';
import { readRawBody } from '../wechat-common/raw-body.ts';
import type { MpConnector } from './mp-connector.ts';
import { readMpCallback, verifyMpUrl, type MpCallbackQuery } from './callback.ts';
import { readMpCredentials } from './credentials.ts';
import { normalizeMpMessage } from './normalize.ts';

/** Time an inbound image may take to download before the message is stored without it. */
const imageFetchMs = 3_000;

function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`超时（${ms} ms）`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface MpIntakeDeps {
  app: Pick<AppContext, 'prisma' | 'secret' | 'conversations'>;
  /** Fetches visitors' images (media/get, else PicUrl) into `uploadDir` before intake; without it images keep their WeChat reference. */
  images?: { connector: MpConnector; uploadDir: string; fetch?: typeof fetch };
  now?: () => Date;
}

/**
 * `GET|POST /connectors/wechat-mp/:channelId/callback` in plain, compatible and safe mode. The message
 * is stored before answering `success` (a fast insert, well inside the 5-second rule) so that WeChat's
 * retry covers a failed store; a retried or repeated delivery is a duplicate and changes nothing.
 * Replies go out later through the customer-service API, never as a passive reply.
 */
export function mpCallbackRoutes(deps: MpIntakeDeps) {
  const now = deps.now ?? (() => new Date());
  async function channelOf(ctx: Context) {
    const channel = await loadChannelConfig(deps.app.prisma, deps.app.secret, ctx.params.channelId ?? '');
    if (!channel || channel.type !== 'wechat_mp') throw new AppError('channel_not_found', { userMessage: 'No Official Account channel here.' });
    return channel;
  }
  return (api: ApiRouter) => {
    api.get('/connectors/wechat-mp/:channelId/callback', { summary: 'Official Account server URL verification', access: 'signature', tag: 'connectors' }, async (ctx) => {
      const channel = await channelOf(ctx);
      ctx.type = 'text/plain';
      ctx.body = verifyMpUrl(readMpCredentials(channel), ctx.query as MpCallbackQuery, { now: now() });
    });
    api.post('/connectors/wechat-mp/:channelId/callback', { summary: 'Official Account message or event (plain, compatible or safe mode)', access: 'signature', tag: 'connectors' }, async (ctx) => {
      const channel = await channelOf(ctx);
      const body = await readRawBody(ctx);
      const { fields } = readMpCallback(readMpCredentials(channel), ctx.query as MpCallbackQuery, body, { now: now() });
      let inbound = channel.enabled ? normalizeMpMessage(fields, { channelId: channel.id, receivedAt: now() }) : null;
      if (inbound?.kind === 'image' && deps.images) {
        const { connector, uploadDir } = deps.images;
        const known = await deps.app.prisma.message.findFirst({ where: { channelId: channel.id, channelMessageId: inbound.channelMessageId }, select: { id: true } });
        // Bounded so the answer stays inside WeChat's 5 seconds; a miss keeps the PicUrl and media id.
        if (!known) {
          inbound = await localizeInboundImage(inbound, uploadDir, {
            byMediaId: (mediaId) => withinMs(connector.clientFor(channel).getMedia(mediaId), imageFetchMs),
            byUrl: fetchMediaUrl(deps.images.fetch, imageFetchMs),
          });
        }
      }
      if (inbound && !(inbound.kind === 'event' && inbound.event?.name === 'unsubscribe')) {
        const result = await deps.app.conversations.receive(inbound);
        if (!result.duplicate && inbound.kind === 'event' && inbound.event?.name === 'subscribe') {
          const settings = channelSettingsSchema.safeParse(channel.settings);
          const greeting = settings.success ? settings.data.greeting.trim() : '';
          if (greeting) {
            await deps.app.conversations.sendAutomatic(result.conversation.id, 'bot', { text: greeting, clientMessageId: `greeting-${result.message.id}` });
          }
        }
      }
      ctx.type = 'text/plain';
      ctx.body = 'success';
    });
  };
}

import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { addWechatConnectors, type ConnectorRegistry } from '../app/connectors.ts';
import type { Feature } from '../app/features.ts';
import type { ConversationService } from '../core/conversation/conversation-service.ts';
import type { ConversationStore } from '../core/conversation/store.ts';
import { channelRoutes } from '../console/server/routes/channel-routes.ts';
import { isSettingsKey, SettingsService } from '../core/settings/settings-service.ts';
import { RedisTokenCache } from '../infra/redis-token-cache.ts';
import { PrismaRoutingStore } from '../infra/routing-store.ts';
import { PrismaSettingsStore } from '../infra/settings-store.ts';
import { createQueueUpdateHandler, queueUpdatesJob } from '../workers/queue-updates.ts';
import type { DomainEvent } from '../core/conversation/events.ts';
import { loadChannelConfig } from '../infra/channel-credentials.ts';
import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.ts';
import { countSentSinceVisitor, createDeliverHandler, type ChannelRateLimiter } from '../workers/deliver-message.ts';
import { deliverJobName } from '../workers/channel-jobs.ts';
import { createWecomCloseHandler, createWecomSyncHandler } from '../workers/wecom-sync.ts';
import { MemoryChannelLock, RedisChannelLock } from './channel-lock.ts';
import { SendRateExceeded } from './connector.ts';
import { checkSendAllowed } from './send-guard.ts';
import { MemoryTokenCache } from './wechat-common/token-cache.ts';
import { mpCallbackRoutes } from './wechat-mp/mp-intake.ts';
import { WechatyRunner } from './wechaty/wechaty-runner.ts';
import { wecomCallbackRoutes } from './wecom/wecom-intake.ts';

/** How often queued WeChat-family visitors are checked for a position update (scaled by KEFU_TIMER_SCALE). */
const queueWalkMs = 15_000;

/** At most one typing indicator per conversation in this period, cluster-wide with Redis. */
const typingEverySeconds = 10;

/**
 * The WeChat family (WeCom 微信客服, Official Account, personal WeChat through Wechaty): connectors,
 * callback routes, admin channel routes, delivery and sync workers, the Wechaty runner, and the
 * send guard that refuses replies beyond a channel's message budget or reply window.
 */
export const channelsFeature: Feature = {
  name: 'wechat-channels',
  async install({ app, jobs, store, connectors, onEvent, role }) {
    const redis = app.config.redisUrl ? new Redis(app.config.redisUrl, { maxRetriesPerRequest: 2 }) : undefined;
    redis?.on('error', () => undefined);
    const prefix = `${app.config.redisPrefix}-channels`;
    const tokenCache = redis ? new RedisTokenCache(redis, prefix) : new MemoryTokenCache();
    const lock = redis ? new RedisChannelLock(redis, prefix) : new MemoryChannelLock();

    // Each runner consumes its own Wechaty delivery queue; other processes hand deliveries to it there.
    const ownDeliveryQueue = `${deliverJobName('wechaty')}-at-${randomUUID().slice(0, 8)}`;
    const runner = new WechatyRunner({
      deliveryQueue: role === 'api' ? undefined : ownDeliveryQueue,
      prisma: app.prisma,
      secret: app.secret,
      conversations: app.conversations,
      lock,
      logger: app.logger,
      uploadDir: app.config.uploadDir,
      defaultPuppet: app.config.wechatyPuppet,
      defaultPuppetToken: app.config.wechatyPuppetToken,
    });
    const { wecom, mp } = addWechatConnectors(connectors, { config: app.config, tokenCache, botOf: (id) => runner.botOf(id) });

    // Starts or stops a Wechaty bot right away when this process runs bots; others pick it up on their rescan.
    const onChannelChanged = role === 'api' ? undefined : () => runner.rescan();
    app.extraRoutes.push(channelRoutes(connectors, onChannelChanged), wecomCallbackRoutes({ app, jobs }), mpCallbackRoutes({ app, images: { connector: mp, uploadDir: app.config.uploadDir } }));
    guardAgentSends(app.conversations, store, connectors, (id) => countSentSinceVisitor(app.prisma, id));

    const limiter = channelRateLimiter(redis, prefix, app.config.channelSendsPerSecond);
    const handOver = async (channelId: string, messageId: string): Promise<boolean> => {
      const row = await app.prisma.channel.findUnique({ where: { id: channelId }, select: { state: true } });
      const queue = ((row?.state ?? {}) as { wechaty?: { deliveryQueue?: string } }).wechaty?.deliveryQueue;
      if (!queue || queue === ownDeliveryQueue) return false;
      await jobs.enqueue(queue, { messageId }, { jobId: `deliver-${messageId}` });
      return true;
    };
    const deliver = createDeliverHandler({ prisma: app.prisma, secret: app.secret, store, conversations: app.conversations, connectors, limiter, handOver });
    for (const type of ['wecom', 'wechat_mp', 'wechaty'] as const) jobs.register(deliverJobName(type), deliver, 8);
    if (role !== 'api') jobs.register(ownDeliveryQueue, deliver, 8);
    const settings = new SettingsService(new PrismaSettingsStore(app.prisma));
    // Typing frames reach the bus in the api process; worker processes forward them to the channel (the throttle makes it once).
    const forwardTyping = role === 'api' ? undefined : createTypingForwarder({ prisma: app.prisma, secret: app.secret, connectors, logger: app.logger, redis, prefix });
    const unsubscribe = app.bus.subscribe((event) => {
      if (event.name === 'notice' && event.kind === 'settings.updated' && isSettingsKey(String(event.payload.key))) settings.invalidate();
      if (forwardTyping && event.name === 'conversation.typing' && event.from === 'agent') void forwardTyping(event);
    });
    const syncDeps = {
      prisma: app.prisma,
      secret: app.secret,
      conversations: app.conversations,
      store,
      connector: wecom,
      lock,
      logger: app.logger,
      satisfaction: () => settings.get('satisfaction'),
      uploadDir: app.config.uploadDir,
    };
    jobs.register('wecom-sync', createWecomSyncHandler(syncDeps), 4);
    jobs.register('wecom-close', createWecomCloseHandler(syncDeps), 2);

    jobs.register(
      queueUpdatesJob,
      createQueueUpdateHandler({
        prisma: app.prisma,
        store,
        conversations: app.conversations,
        connectors,
        routing: new PrismaRoutingStore(app.prisma, app.db.sql),
        queueSettings: () => settings.get('queue'),
        timerScale: app.config.timerScale,
      }),
      1,
    );
    // Worker processes ask for a queue-update walk every period; the bucketed job id makes it one walk per period cluster-wide.
    const walkMs = Math.max(250, Math.round(queueWalkMs * app.config.timerScale));
    const walks =
      role === 'api'
        ? undefined
        : setInterval(() => {
            const bucket = Math.floor(Date.now() / walkMs);
            void jobs.enqueue(queueUpdatesJob, {}, { jobId: `${queueUpdatesJob}-${bucket}`, attempts: 1 }).catch((error: unknown) => app.logger.warn({ error }, 'queue update walk not queued'));
          }, walkMs);
    walks?.unref();

    onEvent(async (event) => {
      if (event.name === 'conversation.closed' && event.conversation.channelType === 'wecom') {
        await jobs.enqueue('wecom-close', { conversationId: event.conversation.id }, { jobId: `wecom-close-${event.conversation.id}` });
      }
    });

    if (role !== 'api') await runner.start();
    return {
      async close() {
        if (walks) clearInterval(walks);
        unsubscribe();
        await runner.close();
        redis?.disconnect();
      },
    };
  },
};

/**
 * Checks an agent's reply against the channel's capabilities before it is stored, so the agent gets
 * 422 message_quota_exceeded / reply_window_closed instead of a message that fails later.
 */
function guardAgentSends(
  conversations: ConversationService,
  store: ConversationStore,
  connectors: ConnectorRegistry,
  countSent: (conversationId: string) => Promise<number>,
): void {
  const send = conversations.sendAgentMessage.bind(conversations);
  conversations.sendAgentMessage = async (actor, conversationId, input) => {
    const conversation = await store.getConversation(conversationId).catch(() => null);
    const capabilities = conversation ? connectors.get(conversation.channelType)?.capabilities : undefined;
    if (conversation && capabilities) {
      const sentSinceVisitor = capabilities.messageQuota === null ? 0 : await countSent(conversation.id);
      const refusal = checkSendAllowed({ ...conversation, sentSinceVisitor }, capabilities, new Date());
      if (refusal) throw refusal;
    }
    return send(actor, conversationId, input);
  };
}

interface TypingDeps {
  prisma: PrismaClient;
  secret: string;
  connectors: ConnectorRegistry;
  logger: Logger;
  redis: Redis | undefined;
  prefix: string;
}

/**
 * Shows the agent's typing to visitors of channels that have their own indicator API (`sendTyping`),
 * at most once per conversation every `typingEverySeconds`. Never throws: the indicator is a nicety,
 * and WeChat refuses it routinely (45080 once the visitor has been quiet for 30 s).
 */
function createTypingForwarder(deps: TypingDeps): (event: Extract<DomainEvent, { name: 'conversation.typing' }>) => Promise<void> {
  const options = { points: 1, duration: typingEverySeconds, keyPrefix: `${deps.prefix}-typing` };
  const throttle: RateLimiterAbstract = deps.redis
    ? new RateLimiterRedis({ ...options, storeClient: deps.redis, insuranceLimiter: new RateLimiterMemory(options) })
    : new RateLimiterMemory(options);
  return async ({ conversation }) => {
    const connector = deps.connectors.get(conversation.channelType);
    if (!connector?.sendTyping || !connector.capabilities.supportsTyping || connector.capabilities.deliversOverRealtime) return;
    if (conversation.status === 'closed') return;
    try {
      await throttle.consume(conversation.id);
    } catch {
      return; // shown recently (or the throttle is unreachable): skip this one
    }
    try {
      const channel = await loadChannelConfig(deps.prisma, deps.secret, conversation.channelId);
      if (!channel?.enabled) return;
      await connector.sendTyping(channel, conversation.visitor.externalId);
    } catch (error) {
      deps.logger.debug({ conversationId: conversation.id, reason: error instanceof Error ? error.message : String(error) }, 'typing indicator not shown');
    }
  };
}

/** Sends per second per channel (`KEFU_CHANNEL_SENDS_PER_SECOND`), shared across processes with Redis. */
function channelRateLimiter(redis: Redis | undefined, prefix: string, sendsPerSecond: number): ChannelRateLimiter {
  const options = { points: sendsPerSecond, duration: 1, keyPrefix: `${prefix}-send` };
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) })
    : new RateLimiterMemory(options);
  return {
    async consume(channelId) {
      try {
        await limiter.consume(channelId);
      } catch (result) {
        if (result instanceof RateLimiterRes) throw new SendRateExceeded(result.msBeforeNext);
        throw result;
      }
    },
  };
}

import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { ChannelConfig, InboundMessage } from '../connectors/connector.ts';
import { withLock, type ChannelLock } from '../connectors/channel-lock.ts';
import { localizeInboundImage } from '../connectors/wechat-common/inbound-image.ts';
import { normalizeKfMessages } from '../connectors/wecom/normalize.ts';
import { readWecomCredentials } from '../connectors/wecom/credentials.ts';
import type { KfEventMessageBody } from '../connectors/wecom/api-client.ts';
import { toKfMsgId, wecomCapabilities, type WecomConnector } from '../connectors/wecom/wecom-connector.ts';
import type { ConversationRecord } from '../core/conversation/records.ts';
import { ratingMenuItemId } from '../core/routing/satisfaction-service.ts';
import type { Settings } from '../core/settings/settings-schema.ts';
import type { ConversationService } from '../core/conversation/conversation-service.ts';
import type { ConversationStore } from '../core/conversation/store.ts';
import { isAppError } from '../core/errors.ts';
import { channelSettingsSchema } from '../core/settings/settings-schema.ts';
import { loadChannelConfig } from '../infra/channel-credentials.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';
import { channelJobs, safeJobIdPart } from './channel-jobs.ts';

export interface WecomSyncDeps {
  prisma: PrismaClient;
  secret: string;
  conversations: ConversationService;
  store: ConversationStore;
  connector: WecomConnector;
  lock: ChannelLock;
  logger: Logger;
  /** The current 满意度评价 settings (the close handler sends the rating menu when they are on). */
  satisfaction: () => Promise<Settings['satisfaction']>;
  /** Where visitors' images are stored after media/get (config.uploadDir). */
  uploadDir: string;
}

/** Pages pulled per job at most; a longer backlog continues in the next notice's job. */
const maxPages = 200;

/** The stored kf/sync_msg cursor of one kf account. */
export async function readKfCursor(prisma: PrismaClient, channelId: string, openKfId: string): Promise<string | undefined> {
  const row = await prisma.channel.findUnique({ where: { id: channelId }, select: { state: true } });
  const cursors = ((row?.state ?? {}) as { wecomCursors?: Record<string, unknown> }).wecomCursors ?? {};
  const cursor = cursors[openKfId];
  return typeof cursor === 'string' ? cursor : undefined;
}

/** Merges the cursor into channel.state in one statement, so other state keys written meanwhile survive. */
export async function saveKfCursor(prisma: PrismaClient, channelId: string, openKfId: string, cursor: string): Promise<void> {
  await prisma.$executeRawUnsafe(
    `UPDATE channels SET state = COALESCE(state, '{}'::jsonb) || jsonb_build_object('wecomCursors',
       COALESCE(state->'wecomCursors', '{}'::jsonb) || jsonb_build_object($2::text, $3::text)), updated_at = now()
     WHERE id = $1::uuid`,
    channelId,
    openKfId,
    cursor,
  );
}

/**
 * The `wecom-sync` handler: pulls kf/sync_msg with the notice's token while has_more, saving the cursor
 * after every page, serialized per (channel, open_kfid) by a lease. Each item goes through
 * `conversations.receive()` (a repeated msgid is a no-op thanks to the unique channel message id);
 * enter_session sends the channel greeting with its welcome_code, msg_send_fail marks the message failed.
 */
export function createWecomSyncHandler(deps: WecomSyncDeps) {
  return async (payload: Record<string, unknown>): Promise<number> => {
    const { channelId, openKfId, syncToken } = channelJobs['wecom-sync'].parse(payload);
    const channel = await loadChannelConfig(deps.prisma, deps.secret, channelId);
    if (!channel || channel.type !== 'wecom' || !channel.enabled) return 0;
    const client = deps.connector.clientFor(channel);
    return withLock(deps.lock, `wecom-sync-${channelId}-${safeJobIdPart(openKfId)}`, async () => {
      let cursor = await readKfCursor(deps.prisma, channelId, openKfId);
      let received = 0;
      for (let page = 0; page < maxPages; page++) {
        const result = await client.syncMessages({ cursor, token: syncToken, openKfId, limit: 1000 });
        const items = normalizeKfMessages(result.msgList, { channelId, openKfId, receivedAt: new Date() });
        for (const inbound of items) received += await handleKfItem(deps, channel, inbound);
        if (result.nextCursor && result.nextCursor !== cursor) {
          cursor = result.nextCursor;
          await saveKfCursor(deps.prisma, channelId, openKfId, cursor);
        }
        if (!result.hasMore) break;
      }
      return received;
    });
  };
}

async function handleKfItem(deps: WecomSyncDeps, channel: ChannelConfig, item: InboundMessage): Promise<number> {
  const inbound = await downloadImage(deps, channel, item);
  const event = inbound.event;
  if (inbound.kind === 'event' && event?.name === 'msg_send_fail') {
    const failMsgId = typeof event.data?.fail_msgid === 'string' ? event.data.fail_msgid : undefined;
    if (!failMsgId) return 0;
    const message = await deps.prisma.message.findFirst({ where: { channelId: channel.id, channelMessageId: failMsgId }, select: { id: true } });
    if (message) await deps.conversations.markDelivery(message.id, 'failed', String(event.data?.fail_reason ?? '发送失败'));
    return 0;
  }
  if (inbound.kind === 'event' && event?.name === 'session_status_change') {
    // A WeCom servicer took, passed on or ended the session: its state must be asked again before sending.
    deps.connector.forgetSessionState({ channelId: channel.id, openKfId: readWecomCredentials(channel).openKfId, externalUserId: inbound.visitor.externalId });
  }
  const result = await deps.conversations.receive(inbound);
  if (result.duplicate) return 0;
  if (inbound.kind === 'event' && event?.name === 'enter_session' && typeof event.data?.welcome_code === 'string') {
    await sendGreeting(deps, channel, result.conversation.id, event.data.welcome_code, inbound.channelMessageId);
  }
  return 1;
}

/** An image's bytes fetched with media/get into the upload folder before intake (a known msgid is not fetched again). */
async function downloadImage(deps: WecomSyncDeps, channel: ChannelConfig, inbound: InboundMessage): Promise<InboundMessage> {
  if (inbound.kind !== 'image') return inbound;
  const known = await deps.prisma.message.findFirst({ where: { channelId: channel.id, channelMessageId: inbound.channelMessageId }, select: { id: true } });
  if (known) return inbound;
  const client = deps.connector.clientFor(channel);
  return localizeInboundImage(inbound, deps.uploadDir, { byMediaId: (mediaId) => client.getMedia(mediaId) });
}

/** The channel greeting through send_msg_on_event (the welcome_code is single-use and valid 20 s). */
async function sendGreeting(deps: WecomSyncDeps, channel: ChannelConfig, conversationId: string, welcomeCode: string, eventId: string): Promise<void> {
  const settings = channelSettingsSchema.safeParse(channel.settings);
  const greeting = settings.success ? settings.data.greeting.trim() : '';
  if (!greeting) return;
  const conversation = await deps.conversations.requireConversation(conversationId);
  try {
    await deps.connector.clientFor(channel).sendMessageOnEvent({
      code: welcomeCode,
      msgid: toKfMsgId(`welcome-${eventId}`),
      body: { msgtype: 'text', text: { content: greeting } },
    });
    await deps.conversations.recordSystemEvent(conversation, 'greeting', greeting, { via: 'send_msg_on_event' });
  } catch (error) {
    // The code cannot be retried (single use, 20 s); the agent sees that the visitor got no greeting.
    const reason = error instanceof Error ? error.message : String(error);
    await deps.conversations.recordSystemEvent(conversation, 'greeting_failed', '欢迎语发送失败', { reason });
  }
}

/** Closing message shown to the visitor when Kefu ends a WeCom session. */
export const wecomEndMessage = '本次会话已结束，感谢您的咨询。';

/**
 * What the session-end code carries: the satisfaction menu (items 1–5 with the configured labels, click
 * ids from `ratingMenuItemId`) when the conversation reached a human, satisfaction is on and the visitor
 * wrote within the reply window (the same rule as the routing invitation); otherwise the end message.
 */
export function buildWecomEndBody(
  conversation: Pick<ConversationRecord, 'reachedHuman' | 'lastVisitorMessageAt'>,
  satisfaction: Settings['satisfaction'],
  now: Date,
): KfEventMessageBody {
  const windowHours = wecomCapabilities.replyWindowHours;
  const lastVisitor = conversation.lastVisitorMessageAt ? new Date(conversation.lastVisitorMessageAt).getTime() : null;
  const inWindow = windowHours === null || (lastVisitor !== null && now.getTime() - lastVisitor <= windowHours * 3_600_000);
  if (!satisfaction.enabled || !conversation.reachedHuman || !inWindow) return { msgtype: 'text', text: { content: wecomEndMessage } };
  return {
    msgtype: 'msgmenu',
    msgmenu: {
      head_content: `${wecomEndMessage}\n${satisfaction.prompt}`,
      list: satisfaction.labels.map((label, i) => ({ type: 'click' as const, click: { id: ratingMenuItemId(i + 1), content: label } })),
    },
  };
}

/**
 * The `wecom-close` handler: after Kefu closed a conversation, ends the WeCom session
 * (service_state → 4) and sends, with the returned msg_code, the satisfaction menu or the end message.
 */
export function createWecomCloseHandler(deps: WecomSyncDeps) {
  return async (payload: Record<string, unknown>): Promise<string> => {
    const { conversationId } = channelJobs['wecom-close'].parse(payload);
    const conversation = await deps.store.getConversation(conversationId);
    if (!conversation || conversation.status !== 'closed' || conversation.channelType !== 'wecom') return 'skipped';
    const channel = await loadChannelConfig(deps.prisma, deps.secret, conversation.channelId);
    if (!channel || !channel.enabled) return 'skipped';
    let openKfId: string;
    try {
      openKfId = readWecomCredentials(channel).openKfId;
    } catch (error) {
      throw new UnrecoverableError(isAppError(error) ? error.message : String(error));
    }
    const client = deps.connector.clientFor(channel);
    const externalUserId = conversation.visitor.externalId;
    deps.connector.forgetSessionState({ channelId: channel.id, openKfId, externalUserId });
    const state = await client.getServiceState({ openKfId, externalUserId });
    if (state.serviceState === 4) return 'already-ended';
    const { msgCode } = await client.transServiceState({ openKfId, externalUserId, serviceState: 4 });
    if (!msgCode) return 'ended';
    const body = buildWecomEndBody(conversation, await deps.satisfaction(), new Date());
    try {
      await client.sendMessageOnEvent({ code: msgCode, msgid: toKfMsgId(`end-${conversationId}`), body });
    } catch (error) {
      // The code is single use and the session has ended: a retry could not send it either.
      const reason = error instanceof Error ? error.message : String(error);
      await deps.conversations.recordSystemEvent(conversation, 'session_end_message_failed', '结束语发送失败', { reason });
      return 'ended';
    }
    if (body.msgtype === 'msgmenu') {
      await deps.conversations.recordSystemEvent(conversation, 'rating_requested', body.msgmenu.head_content ?? '', { via: 'msgmenu' });
    }
    return 'ended';
  };
}

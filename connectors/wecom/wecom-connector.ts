import { createHash } from 'node:crypto';
import { ClientCache } from '../wechat-common/client-cache.ts';
import {
  DeliveryFailure,
  type ChannelCapabilities,
  type ChannelConfig,
  type Connector,
  type OutboundMessage,
  type SendResult,
} from '../connector.ts';
import { isAppError } from '../../core/errors.ts';
import { toDeliveryFailure } from '../wechat-common/errcodes.ts';
import { createFetchMediaLoader, type MediaLoader } from '../wechat-common/media-loader.ts';
import type { TokenCache } from '../wechat-common/token-cache.ts';
import { WecomApiClient, type KfMenu, type KfMessageBody } from './api-client.ts';
import { readWecomCredentials, type WecomCredentials } from './credentials.ts';
import { isSessionStateRefusal, KfSessionStates, type KfSessionKey } from './session-state.ts';

export const wecomCapabilities: ChannelCapabilities = {
  replyWindowHours: 48,
  messageQuota: 5,
  supportsImages: true,
  supportsMenus: true,
  supportsTyping: false,
  liveQueuePosition: false,
  offlineMessageForm: false,
  invitesRatingOnSessionEnd: true,
};

export interface WecomConnectorOptions {
  tokenCache: TokenCache;
  /** WECOM_API_BASE. */
  apiBase?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** How image URLs of outbound messages become bytes; defaults to fetching absolute http(s) URLs. */
  loadMedia?: MediaLoader;
  /** How long a session seen in state 1 is trusted without asking service_state/get again. Default 3 min. */
  sessionStateTtlMs?: number;
}

const maxTextBytes = 2048;
const maxMenuItems = 10;

/**
 * WeCom 微信客服 connector: sends text, images (uploaded through media/upload) and click menus with
 * kf/send_msg, after making sure the WeCom session is in state 1 (API reception; see `KfSessionStates`),
 * since only states 0/1 allow API sends. Kefu's messageId becomes the kf `msgid` (the UUID without
 * dashes), so a message re-sent after a crash is recognisable. Every failure is a `DeliveryFailure`
 * with a readable reason.
 */
export class WecomConnector implements Connector {
  readonly type = 'wecom' as const;
  readonly capabilities = wecomCapabilities;
  readonly #clients = new ClientCache<WecomApiClient>();
  readonly #loadMedia: MediaLoader;
  readonly #sessions: KfSessionStates;

  constructor(private readonly options: WecomConnectorOptions) {
    this.#loadMedia = options.loadMedia ?? createFetchMediaLoader(options.fetch);
    this.#sessions = new KfSessionStates(options.sessionStateTtlMs);
  }

  /** Drops what is known about a session's state (it changed: session_status_change, Kefu ended it). */
  forgetSessionState(key: KfSessionKey): void {
    this.#sessions.forget(key);
  }

  /** The API client of a channel (shared token cache), for sync_msg, service_state and media calls. */
  clientFor(channel: Pick<ChannelConfig, 'id' | 'credentials'>): WecomApiClient {
    return this.#client(channel.id, readWecomCredentials(channel));
  }

  async send(channel: ChannelConfig, message: OutboundMessage): Promise<SendResult> {
    let credentials: WecomCredentials;
    try {
      credentials = readWecomCredentials(channel);
    } catch (error) {
      throw new DeliveryFailure(isAppError(error) ? error.userMessage : '企业微信客服渠道配置无效', true);
    }
    const client = this.#client(channel.id, credentials);
    const session: KfSessionKey = { channelId: channel.id, openKfId: credentials.openKfId, externalUserId: message.visitorExternalId };
    try {
      const body = await this.#buildBody(client, message);
      const request = { toUser: message.visitorExternalId, openKfId: credentials.openKfId, msgid: toKfMsgId(message.messageId), body };
      const remembered = await this.#sessions.ensureApiOwned(client, session);
      try {
        return { channelMessageId: (await client.sendMessage(request)).msgid };
      } catch (error) {
        if (!isSessionStateRefusal(error)) throw error;
        this.#sessions.forget(session);
        if (!remembered) throw error;
        // The remembered state 1 was stale (the session moved elsewhere): look again, once.
        await this.#sessions.ensureApiOwned(client, session);
        return { channelMessageId: (await client.sendMessage(request)).msgid };
      }
    } catch (error) {
      if (isSessionStateRefusal(error)) this.#sessions.forget(session);
      throw toDeliveryFailure(error);
    }
  }

  async #buildBody(client: WecomApiClient, message: OutboundMessage): Promise<KfMessageBody> {
    switch (message.kind) {
      case 'text': {
        const content = message.text ?? '';
        if (content.trim() === '') throw new DeliveryFailure('消息内容为空', true);
        if (Buffer.byteLength(content, 'utf8') > maxTextBytes) throw new DeliveryFailure('消息超过2048字节，请分段发送', true);
        return { msgtype: 'text', text: { content } };
      }
      case 'image': {
        if (!message.media?.url) throw new DeliveryFailure('图片消息缺少文件', true);
        const media = await this.#loadMedia(message.media.url, message.media.mimeType).catch((cause: unknown) => {
          throw new DeliveryFailure(`读取图片失败：${cause instanceof Error ? cause.message : String(cause)}`, false);
        });
        const { mediaId } = await client.uploadMedia('image', media);
        return { msgtype: 'image', image: { media_id: mediaId } };
      }
      case 'menu':
        if (!message.menu || message.menu.items.length === 0) throw new DeliveryFailure('菜单消息没有选项', true);
        return { msgtype: 'msgmenu', msgmenu: toKfMenu(message.menu) };
      default:
        throw new DeliveryFailure(`不支持的消息类型：${String((message as { kind: unknown }).kind)}`, true);
    }
  }

  #client(channelId: string, credentials: WecomCredentials): WecomApiClient {
    return this.#clients.get(channelId, `${credentials.corpId}\n${credentials.secret}`, () => new WecomApiClient({
      corpId: credentials.corpId,
      secret: credentials.secret,
      tokenCache: this.options.tokenCache,
      apiBase: this.options.apiBase,
      fetch: this.options.fetch,
      timeoutMs: this.options.timeoutMs,
    }));
  }
}

/** Kefu's menu as a kf msgmenu of click items (WeCom allows at most 10, ids 1–64 bytes). */
export function toKfMenu(menu: NonNullable<OutboundMessage['menu']>): KfMenu {
  if (menu.items.length > maxMenuItems) throw new DeliveryFailure('菜单选项超过10个', true);
  return {
    ...(menu.head ? { head_content: menu.head } : {}),
    list: menu.items.map((item) => ({ type: 'click', click: { id: item.id, content: item.text } })),
    ...(menu.tail ? { tail_content: menu.tail } : {}),
  };
}

/**
 * A kf msgid (≤32 bytes of [0-9a-zA-Z_-]) derived deterministically from Kefu's message id, so a
 * retried delivery reuses it: a UUID loses its dashes (32 hex characters), other ids that already fit
 * are kept, the rest are hashed.
 */
export function toKfMsgId(messageId: string): string {
  if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(messageId)) return messageId.replace(/-/g, '').toLowerCase();
  if (/^[0-9a-zA-Z_-]{1,32}$/.test(messageId)) return messageId;
  return createHash('sha256').update(messageId).digest('hex').slice(0, 32);
}

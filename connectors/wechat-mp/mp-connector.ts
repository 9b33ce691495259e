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
import { MpApiClient, type MpCustomMessageBody } from './api-client.ts';
import { readMpCredentials, type MpCredentials } from './credentials.ts';

export const mpCapabilities: ChannelCapabilities = {
  replyWindowHours: 48,
  messageQuota: null,
  supportsImages: true,
  supportsMenus: false,
  supportsTyping: true,
  liveQueuePosition: false,
  offlineMessageForm: false,
};

export interface MpConnectorOptions {
  tokenCache: TokenCache;
  /** WECHAT_MP_API_BASE. */
  apiBase?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  loadMedia?: MediaLoader;
}

/**
 * Official Account connector: text and images through the customer-service API
 * (message/custom/send) inside the 48-hour window, plus the typing indicator. The API has no
 * idempotency key, so exactly-once delivery rests on the outbound worker's own bookkeeping.
 * Menus are sent as numbered text (the router normally does this already, as menus are not a capability).
 */
export class MpConnector implements Connector {
  readonly type = 'wechat_mp' as const;
  readonly capabilities = mpCapabilities;
  readonly #clients = new ClientCache<MpApiClient>();
  readonly #loadMedia: MediaLoader;

  constructor(private readonly options: MpConnectorOptions) {
    this.#loadMedia = options.loadMedia ?? createFetchMediaLoader(options.fetch);
  }

  clientFor(channel: Pick<ChannelConfig, 'id' | 'credentials'>): MpApiClient {
    return this.#client(channel.id, readMpCredentials(channel));
  }

  async send(channel: ChannelConfig, message: OutboundMessage): Promise<SendResult> {
    const client = this.#clientOrFailure(channel);
    try {
      await client.sendCustomMessage(message.visitorExternalId, await this.#buildBody(client, message));
      return {};
    } catch (error) {
      throw toDeliveryFailure(error);
    }
  }

  /** The indicator while an agent types (message/custom/typing, command Typing). */
  async sendTyping(channel: ChannelConfig, visitorExternalId: string): Promise<void> {
    await this.setTyping(channel, visitorExternalId, true);
  }

  /** Shows or cancels the typing indicator; throws DeliveryFailure (45080 when the visitor was idle 30 s). */
  async setTyping(channel: ChannelConfig, visitorExternalId: string, typing: boolean): Promise<void> {
    const client = this.#clientOrFailure(channel);
    try {
      await client.setTyping(visitorExternalId, typing);
    } catch (error) {
      throw toDeliveryFailure(error);
    }
  }

  async #buildBody(client: MpApiClient, message: OutboundMessage): Promise<MpCustomMessageBody> {
    switch (message.kind) {
      case 'text': {
        const content = message.text ?? '';
        if (content.trim() === '') throw new DeliveryFailure('消息内容为空', true);
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
        return { msgtype: 'text', text: { content: renderMenuAsText(message.menu) } };
      default:
        throw new DeliveryFailure(`不支持的消息类型：${String((message as { kind: unknown }).kind)}`, true);
    }
  }

  #clientOrFailure(channel: ChannelConfig): MpApiClient {
    try {
      return this.clientFor(channel);
    } catch (error) {
      throw new DeliveryFailure(isAppError(error) ? error.userMessage : '公众号渠道配置无效', true);
    }
  }

  #client(channelId: string, credentials: MpCredentials): MpApiClient {
    return this.#clients.get(channelId, `${credentials.appId}\n${credentials.appSecret}`, () => new MpApiClient({
      appId: credentials.appId,
      appSecret: credentials.appSecret,
      tokenCache: this.options.tokenCache,
      apiBase: this.options.apiBase,
      fetch: this.options.fetch,
      timeoutMs: this.options.timeoutMs,
    }));
  }
}

/** "head / 1. a / 2. b / tail" — how a choice menu reads on channels without menus. */
export function renderMenuAsText(menu: NonNullable<OutboundMessage['menu']>): string {
  const lines = menu.items.map((item, index) => `${index + 1}. ${item.text}`);
  return [menu.head, ...lines, menu.tail].filter((line): line is string => Boolean(line)).join('\n');
}

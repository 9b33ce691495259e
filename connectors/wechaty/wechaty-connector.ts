import path from 'node:path';
import { FileBox } from 'file-box';
import type { Wechaty } from 'wechaty';
import { DeliveryFailure, HeldElsewhere, type ChannelCapabilities, type ChannelConfig, type Connector, type OutboundMessage, type SendResult } from '../connector.ts';
import { renderMenuAsText } from '../wechat-mp/mp-connector.ts';

export const wechatyCapabilities: ChannelCapabilities = {
  replyWindowHours: null,
  messageQuota: null,
  supportsImages: true,
  supportsMenus: false,
  supportsTyping: false,
  liveQueuePosition: false,
  offlineMessageForm: false,
};

export interface WechatyConnectorOptions {
  /** The running bot of a channel in this process (the Wechaty runner). */
  botOf(channelId: string): Wechaty | undefined;
  /** Where `/uploads/…` media URLs live on disk. */
  uploadDir: string;
}

/**
 * Personal WeChat through the channel's running Wechaty bot: `contact.say(text | FileBox)`. Wechaty has
 * no idempotency key; sends already made by this process are remembered by message id so a retried job
 * does not repeat them.
 */
export class WechatyConnector implements Connector {
  readonly type = 'wechaty' as const;
  readonly capabilities = wechatyCapabilities;
  readonly #sent = new Set<string>();

  constructor(private readonly options: WechatyConnectorOptions) {}

  async send(channel: ChannelConfig, message: OutboundMessage): Promise<SendResult> {
    if (this.#sent.has(message.messageId)) return {};
    const bot = this.options.botOf(channel.id);
    if (!bot) throw new HeldElsewhere('个人微信不在本进程运行，交由运行它的进程发送');
    if (!bot.isLoggedIn) throw new DeliveryFailure('个人微信未登录，稍后重试', false);
    const contact = await bot.Contact.find({ id: message.visitorExternalId });
    if (!contact) throw new DeliveryFailure('找不到该微信联系人', true);
    try {
      await contact.say(this.#sayable(message));
    } catch (error) {
      throw new DeliveryFailure(`发送失败：${error instanceof Error ? error.message : String(error)}`, false);
    }
    this.#remember(message.messageId);
    return {};
  }

  #sayable(message: OutboundMessage): string | FileBox {
    switch (message.kind) {
      case 'text':
        if (!message.text?.trim()) throw new DeliveryFailure('消息内容为空', true);
        return message.text;
      case 'image': {
        const url = message.media?.url;
        if (!url) throw new DeliveryFailure('图片消息缺少文件', true);
        if (url.startsWith('/uploads/')) {
          const file = path.resolve(this.options.uploadDir, url.slice('/uploads/'.length));
          if (!file.startsWith(path.resolve(this.options.uploadDir) + path.sep)) throw new DeliveryFailure('图片路径无效', true);
          return FileBox.fromFile(file);
        }
        return FileBox.fromUrl(url);
      }
      case 'menu':
        if (!message.menu?.items.length) throw new DeliveryFailure('菜单消息没有选项', true);
        return renderMenuAsText(message.menu);
      default:
        throw new DeliveryFailure(`不支持的消息类型：${String((message as { kind: unknown }).kind)}`, true);
    }
  }

  #remember(messageId: string): void {
    this.#sent.add(messageId);
    if (this.#sent.size > 10_000) this.#sent.delete(this.#sent.values().next().value!);
  }
}

/**
 * The one shape every channel speaks. A connector turns a channel's raw payload into an
 * `InboundMessage` through a pure `normalize` function and delivers `OutboundMessage`s through `send`.
 * Channel differences are `ChannelCapabilities`, never `if (channel === …)` in the router.
 */
export const channelTypes = ['web', 'wecom', 'wechat_mp', 'wechaty'] as const;
export type ChannelType = (typeof channelTypes)[number];

export type InboundKind = 'text' | 'image' | 'event' | 'unsupported';

export interface InboundVisitor {
  /** Stable id of the visitor within the channel (web visitor id, WeCom external_userid, OA openid, Wechaty contact id). */
  externalId: string;
  name?: string;
  avatarUrl?: string;
  /** Channel-specific profile facts worth showing an agent (device, page, city…). */
  profile?: Record<string, unknown>;
}

export interface InboundMedia {
  /** A URL Kefu can serve (after upload or download), or the channel's media id still to fetch. */
  url?: string;
  mediaId?: string;
  mimeType?: string;
  size?: number;
}

export interface InboundMessage {
  channelId: string;
  channelType: ChannelType;
  /**
   * The channel's own id of this message; (channelId, channelMessageId) is unique, which makes intake
   * idempotent when a channel delivers the same message again.
   */
  channelMessageId: string;
  visitor: InboundVisitor;
  kind: InboundKind;
  text?: string;
  media?: InboundMedia;
  /** For kind 'event': e.g. enter_session, subscribe, handoff_request, msg_send_fail, session_status_change. */
  event?: { name: string; data?: Record<string, unknown> };
  /** Who wrote it: the visitor, or a servicer typing in the channel's own client (WeCom origin 5). */
  origin: 'visitor' | 'servicer';
  sentAt: Date;
  /** The unsupported kind's original type name, for the transcript. */
  unsupportedType?: string;
}

export type OutboundKind = 'text' | 'image' | 'menu';

export interface OutboundMenu {
  head?: string;
  items: { id: string; text: string }[];
  tail?: string;
}

export interface OutboundMessage {
  /** Kefu's message id: delivery is idempotent by it. */
  messageId: string;
  conversationId: string;
  channelId: string;
  visitorExternalId: string;
  kind: OutboundKind;
  text?: string;
  media?: { url: string; mimeType?: string };
  menu?: OutboundMenu;
}

export interface SendResult {
  channelMessageId?: string;
}

export interface ChannelCapabilities {
  /** Hours after the visitor's last message in which the channel allows sending; null = no window. */
  replyWindowHours: number | null;
  /** Messages allowed per visitor message inside the window (WeCom kf: 5); null = unlimited. */
  messageQuota: number | null;
  supportsImages: boolean;
  /** Choice menus (WeCom msgmenu); otherwise numbered text is used. */
  supportsMenus: boolean;
  /** Typing indicator towards the visitor. */
  supportsTyping: boolean;
  /** The visitor sees its queue position live (web); otherwise updates are sent as messages. */
  liveQueuePosition: boolean;
  /** The 留言 (offline message) form can be shown. */
  offlineMessageForm: boolean;
  /** Outbound messages reach the visitor through Kefu's realtime socket: no delivery job is needed. */
  deliversOverRealtime?: boolean;
  /**
   * The channel itself sends the satisfaction invitation as part of ending its session (WeCom: a
   * msgmenu with the session-end code, since plain sends are refused once the session has ended), so
   * routing must not send its own prompt.
   */
  invitesRatingOnSessionEnd?: boolean;
}

/** A channel row as connectors see it: credentials already decrypted. */
export interface ChannelConfig {
  id: string;
  type: ChannelType;
  name: string;
  enabled: boolean;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}

/**
 * Why a send failed. `permanent` failures end retries and reach the agent with `reason`
 * (e.g. 超出48小时回复窗口); transient ones are retried with backoff.
 */
export class DeliveryFailure extends Error {
  constructor(
    readonly reason: string,
    readonly permanent: boolean,
    readonly channelCode?: string | number,
  ) {
    super(reason);
    this.name = 'DeliveryFailure';
  }
}

/** Kefu's own per-channel send rate is spent for now: the message waits its turn, it has not failed. */
export class SendRateExceeded extends DeliveryFailure {
  constructor(readonly retryAfterMs: number) {
    super('渠道发送频率超限，稍后重试', false);
    this.name = 'SendRateExceeded';
  }
}

/**
 * The channel's sending end runs in another process (a Wechaty bot lives in exactly one): the delivery
 * job should wait and be taken again, rather than spend its attempts here.
 */
export class HeldElsewhere extends DeliveryFailure {
  constructor(reason: string) {
    super(reason, false);
    this.name = 'HeldElsewhere';
  }
}

export interface Connector {
  readonly type: ChannelType;
  readonly capabilities: ChannelCapabilities;
  /** Deliver one message; throws DeliveryFailure. Must be safe to call again with the same messageId. */
  send(channel: ChannelConfig, message: OutboundMessage): Promise<SendResult>;
  /**
   * Show the visitor that an agent is typing (channels with `supportsTyping` that do not deliver over
   * realtime, e.g. the Official Account's message/custom/typing). Best effort: callers throttle it and
   * swallow its failures, since a missing indicator must never disturb the agent.
   */
  sendTyping?(channel: ChannelConfig, visitorExternalId: string): Promise<void>;
}

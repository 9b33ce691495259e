import type { InboundMessage } from '../connector.ts';

/**
 * Pure mapping from WeCom 微信客服 `kf/sync_msg` items to `InboundMessage`. Accepts `unknown` because the
 * items come straight from a remote JSON body: nothing here throws. origin 3 is the visitor, origin 5 a
 * servicer typing in the WeCom client, `msgtype: "event"` (origin 4) an event; message types Kefu does
 * not handle become kind `unsupported` with their type name.
 *
 * Returns null when an item cannot belong to a visitor conversation of this channel: no external_userid
 * (e.g. `servicer_status_change`), another kf account than `openKfId`, or an unknown origin.
 */
export interface KfNormalizeContext {
  channelId: string;
  /** When set, items of other kf accounts are ignored. */
  openKfId?: string;
  /** Used when an item carries no usable send_time. */
  receivedAt: Date;
}

type Json = Record<string, unknown>;

const eventFields = new Set(['event_type', 'external_userid']);

/** Why WeCom says a message could not be delivered (msg_send_fail.fail_type). */
export const kfFailReasons: Readonly<Record<number, string>> = {
  0: '未知原因',
  1: '客服账号已删除',
  2: '应用已关闭',
  4: '会话已过期，超过48小时',
  5: '会话已关闭',
  6: '超过5条限制',
  7: '未绑定视频号',
  8: '主体未验证',
  9: '未绑定视频号且主体未验证',
  10: '用户拒收',
};

export function normalizeKfMessage(item: unknown, context: KfNormalizeContext): InboundMessage | null {
  if (!isObject(item)) return null;
  const msgtype = readString(item, 'msgtype');
  if (msgtype === 'event') return normalizeKfEvent(item, context);

  const externalUserId = readString(item, 'external_userid');
  if (!externalUserId || !belongsTo(item, context)) return null;
  const originCode = readNumber(item, 'origin');
  const origin: InboundMessage['origin'] | undefined =
    originCode === 3 ? 'visitor' : originCode === 5 ? 'servicer' : undefined;
  if (!origin) return null;

  const base = {
    channelId: context.channelId,
    channelType: 'wecom' as const,
    channelMessageId: readString(item, 'msgid') ?? fallbackId(msgtype ?? 'unknown', externalUserId, item),
    visitor: { externalId: externalUserId },
    origin,
    sentAt: sentAtOf(item, context),
  };
  const body = isObject(item[msgtype ?? '']) ? (item[msgtype!] as Json) : {};

  if (msgtype === 'text') {
    const text = typeof body.content === 'string' ? body.content : undefined;
    if (text !== undefined) {
      const menuId = readString(body, 'menu_id');
      return menuId
        ? { ...base, kind: 'text', text, event: { name: 'menu_click', data: { menu_id: menuId } } }
        : { ...base, kind: 'text', text };
    }
  }
  if (msgtype === 'image') {
    const mediaId = readString(body, 'media_id');
    if (mediaId) return { ...base, kind: 'image', media: { mediaId } };
  }
  const mediaId = readString(body, 'media_id');
  return {
    ...base,
    kind: 'unsupported',
    unsupportedType: msgtype ?? 'unknown',
    text: describeUnsupported(msgtype, body),
    ...(mediaId ? { media: { mediaId } } : {}),
  };
}

/** All items of one sync_msg page, in order, skipping those `normalizeKfMessage` maps to null. */
export function normalizeKfMessages(items: unknown, context: KfNormalizeContext): InboundMessage[] {
  if (!Array.isArray(items)) return [];
  return items.flatMap((item) => normalizeKfMessage(item, context) ?? []);
}

function normalizeKfEvent(item: Json, context: KfNormalizeContext): InboundMessage | null {
  const event = isObject(item.event) ? item.event : undefined;
  const eventType = event ? readString(event, 'event_type') : undefined;
  if (!event || !eventType) return null;
  // Event items carry open_kfid / external_userid inside `event`, not at the top level.
  const externalUserId = readString(event, 'external_userid') ?? readString(item, 'external_userid');
  if (!externalUserId || !belongsTo(event, context)) return null;

  const data: Json = {};
  for (const [key, value] of Object.entries(event)) {
    if (eventFields.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') data[key] = value;
  }
  const channels = isObject(event.wechat_channels) ? readString(event.wechat_channels, 'nickname') : undefined;
  if (channels) data.wechat_channels_nickname = channels;
  if (eventType === 'msg_send_fail') {
    const failType = readNumber(event, 'fail_type');
    data.fail_reason = (failType !== undefined ? kfFailReasons[failType] : undefined) ?? kfFailReasons[0];
  }

  return {
    channelId: context.channelId,
    channelType: 'wecom',
    channelMessageId: readString(item, 'msgid') ?? fallbackId(eventType, externalUserId, item),
    visitor: { externalId: externalUserId },
    kind: 'event',
    event: { name: eventType, data },
    origin: 'visitor',
    sentAt: sentAtOf(item, context),
  };
}

function belongsTo(node: Json, context: KfNormalizeContext): boolean {
  const openKfId = readString(node, 'open_kfid');
  return !context.openKfId || !openKfId || openKfId === context.openKfId;
}

function fallbackId(type: string, externalUserId: string, item: Json): string {
  return `${type}:${externalUserId}:${readNumber(item, 'send_time') ?? 0}`;
}

function sentAtOf(item: Json, context: KfNormalizeContext): Date {
  const seconds = readNumber(item, 'send_time');
  return seconds !== undefined && seconds > 0 ? new Date(seconds * 1000) : context.receivedAt;
}

function describeUnsupported(msgtype: string | undefined, body: Json): string | undefined {
  if (msgtype === 'location') {
    const place = [readString(body, 'name'), readString(body, 'address')].filter(Boolean).join(' ');
    return place ? `[位置] ${place}` : '[位置]';
  }
  if (msgtype === 'link') {
    const title = readString(body, 'title');
    const url = readString(body, 'url');
    return `[链接] ${[title, url].filter(Boolean).join(' ')}`.trim();
  }
  return undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readString(node: Json, key: string): string | undefined {
  const value = Object.hasOwn(node, key) ? node[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readNumber(node: Json, key: string): number | undefined {
  const value = Object.hasOwn(node, key) ? node[key] : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

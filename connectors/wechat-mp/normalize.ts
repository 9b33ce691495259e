import type { InboundMessage } from '../connector.ts';
import { isXmlObject, readXmlString, type XmlObject } from '../wechat-common/safe-xml.ts';

/**
 * Pure mapping from a parsed Official Account callback (`parseCallbackXml` output, plaintext) to
 * `InboundMessage`. text and image are understood; voice, video, shortvideo, location, link and any
 * new type become kind `unsupported`; events (subscribe, unsubscribe, SCAN, CLICK, VIEW, LOCATION…)
 * become kind `event` named after `Event` with EventKey / Ticket / coordinates as data.
 *
 * channelMessageId is MsgId, or `${FromUserName}:${CreateTime}:${Event}` for events, which carry no
 * MsgId. Returns null when the body names no sender (FromUserName) — there is no visitor to attach it to.
 */
export interface MpNormalizeContext {
  channelId: string;
  /** Used when CreateTime is missing or malformed. */
  receivedAt: Date;
}

const eventDataFields = ['EventKey', 'Ticket', 'Latitude', 'Longitude', 'Precision', 'MenuId', 'Status'] as const;

export function normalizeMpMessage(fields: unknown, context: MpNormalizeContext): InboundMessage | null {
  if (!isXmlObject(fields)) return null;
  const openId = readXmlString(fields, 'FromUserName');
  if (!openId) return null;
  const msgType = readXmlString(fields, 'MsgType') ?? 'unknown';
  const createTime = readXmlString(fields, 'CreateTime');
  const seconds = createTime && /^\d{1,12}$/.test(createTime) ? Number(createTime) : undefined;
  const base = {
    channelId: context.channelId,
    channelType: 'wechat_mp' as const,
    visitor: { externalId: openId },
    origin: 'visitor' as const,
    sentAt: seconds ? new Date(seconds * 1000) : context.receivedAt,
  };

  if (msgType === 'event') {
    const name = readXmlString(fields, 'Event') ?? 'unknown';
    return {
      ...base,
      channelMessageId: `${openId}:${createTime ?? ''}:${name}`,
      kind: 'event',
      event: { name, data: pickStrings(fields, eventDataFields) },
    };
  }

  const msgId = readXmlString(fields, 'MsgId');
  const channelMessageId = msgId ?? `${openId}:${createTime ?? ''}:${msgType}`;
  if (msgType === 'text') {
    const text = readXmlString(fields, 'Content');
    if (text !== undefined) return { ...base, channelMessageId, kind: 'text', text };
  }
  if (msgType === 'image') {
    const mediaId = readXmlString(fields, 'MediaId');
    const url = readXmlString(fields, 'PicUrl');
    if (mediaId || url) {
      return { ...base, channelMessageId, kind: 'image', media: { ...(url ? { url } : {}), ...(mediaId ? { mediaId } : {}) } };
    }
  }
  const mediaId = readXmlString(fields, 'MediaId');
  return {
    ...base,
    channelMessageId,
    kind: 'unsupported',
    unsupportedType: msgType,
    text: describeUnsupported(msgType, fields),
    ...(mediaId ? { media: { mediaId } } : {}),
  };
}

function pickStrings(fields: XmlObject, keys: readonly string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const key of keys) {
    const value = readXmlString(fields, key);
    if (value !== undefined) data[key] = value;
  }
  return data;
}

function describeUnsupported(msgType: string, fields: XmlObject): string | undefined {
  switch (msgType) {
    case 'voice': {
      const recognition = readXmlString(fields, 'Recognition');
      return recognition ? `[语音] ${recognition}` : '[语音]';
    }
    case 'location': {
      const label = readXmlString(fields, 'Label');
      return label ? `[位置] ${label}` : '[位置]';
    }
    case 'link':
      return `[链接] ${[readXmlString(fields, 'Title'), readXmlString(fields, 'Url')].filter(Boolean).join(' ')}`.trim();
    default:
      return undefined;
  }
}

import type { MessageKey } from '../i18n/i18n.ts';
import type { ConversationDto, MessageDto } from '../shared/protocol.ts';

/**
 * The label key for a conversation's channel. Web visitors are split into PC and H5 by the `device`
 * fact the widget reports in the visitor profile.
 */
export function channelLabelKey(channelType: string, profile?: Record<string, unknown> | null): MessageKey {
  switch (channelType) {
    case 'web':
      return profile?.['device'] === 'h5' ? 'channel.h5' : 'channel.web';
    case 'wechaty':
      return 'channel.wechat';
    case 'wecom':
      return 'channel.wecom';
    case 'wechat_mp':
      return 'channel.mp';
    default:
      return 'channel.other';
  }
}

export function conversationChannelKey(conversation: ConversationDto): MessageKey {
  return channelLabelKey(conversation.channelType, conversation.visitor.profile);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `HH:mm` for today, `MM-DD HH:mm` this year, `YYYY-MM-DD` before; local time. */
export function formatClock(iso: string | null, now: Date = new Date()): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  if (at.toDateString() === now.toDateString()) return time;
  if (at.getFullYear() === now.getFullYear()) return `${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** A waiting time as a message key plus its parameters (minutes under an hour, hours and minutes above). */
export function waitingParts(
  sinceIso: string | null,
  now: Date = new Date(),
): { key: MessageKey; params?: Record<string, number> } {
  const since = sinceIso ? new Date(sinceIso).getTime() : NaN;
  const minutes = Number.isNaN(since) ? 0 : Math.floor(Math.max(0, now.getTime() - since) / 60_000);
  if (minutes < 1) return { key: 'time.justNow' };
  if (minutes < 60) return { key: 'time.minutes', params: { n: minutes } };
  return { key: 'time.hoursMinutes', params: { h: Math.floor(minutes / 60), m: minutes % 60 } };
}

/** The one-line preview of a message for the conversation list, or null when it has no preview text. */
export function previewOf(message: Pick<MessageDto, 'kind' | 'text'>): { key: MessageKey } | { text: string } | null {
  if (message.kind === 'image') return { key: 'msg.image' };
  if (message.kind === 'unsupported') return { key: 'msg.unsupported' };
  const text = message.text?.replace(/\s+/g, ' ').trim();
  return text ? { text: text.slice(0, 80) } : null;
}

import type { InboundMessage } from '../connector.ts';

/**
 * Pure mapping from a plain description of a Wechaty v1 message to `InboundMessage`. The caller reads
 * the fields off the live `Message` (`msg.id`, `msg.talker()`, `msg.room()`, `await msg.mentionSelf()`,
 * `msg.self()`, `msg.type()`, `msg.text()`, `msg.date()`) so this stays free of the wechaty package.
 *
 * Returns null for the account's own messages (Wechaty also emits what the bot sends) and for group
 * messages unless the account is mentioned and `allowRoomMentions` is on. Images come back as kind
 * `image` without media: the caller attaches the file from `msg.toFileBox()`.
 */
export interface WechatyMessageFacts {
  id: string;
  talkerId: string;
  talkerName?: string;
  roomId?: string;
  mentionSelf?: boolean;
  self: boolean;
  /** `types.Message` numeric value (7 Text, 6 Image…). */
  type: number;
  text?: string;
  /** Milliseconds since the epoch (seconds are accepted too). */
  timestamp?: number;
}

export interface WechatyNormalizeOptions {
  channelId: string;
  /** Group chats are answered only when the account is mentioned and this is on. */
  allowRoomMentions?: boolean;
  receivedAt: Date;
}

/** Names of wechaty-puppet's `types.Message` values, for the transcript of unsupported kinds. */
export const wechatyMessageTypes: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'attachment',
  2: 'audio',
  3: 'contact',
  4: 'chat_history',
  5: 'emoticon',
  6: 'image',
  7: 'text',
  8: 'location',
  9: 'mini_program',
  10: 'group_note',
  11: 'transfer',
  12: 'red_envelope',
  13: 'recalled',
  14: 'url',
  15: 'video',
  16: 'post',
  18: 'system',
};

const textType = 7;
const imageType = 6;

export function normalizeWechatyMessage(facts: unknown, options: WechatyNormalizeOptions): InboundMessage | null {
  if (typeof facts !== 'object' || facts === null) return null;
  const m = facts as Partial<Record<keyof WechatyMessageFacts, unknown>>;
  if (m.self !== false) return null;
  if (typeof m.id !== 'string' || m.id === '' || typeof m.talkerId !== 'string' || m.talkerId === '') return null;
  const roomId = typeof m.roomId === 'string' && m.roomId !== '' ? m.roomId : undefined;
  if (roomId && !(options.allowRoomMentions === true && m.mentionSelf === true)) return null;

  const name = typeof m.talkerName === 'string' && m.talkerName !== '' ? m.talkerName : undefined;
  const base = {
    channelId: options.channelId,
    channelType: 'wechaty' as const,
    channelMessageId: m.id,
    visitor: {
      externalId: m.talkerId,
      ...(name ? { name } : {}),
      ...(roomId ? { profile: { roomId } } : {}),
    },
    origin: 'visitor' as const,
    sentAt: sentAtOf(m.timestamp, options.receivedAt),
  };
  const type = typeof m.type === 'number' ? m.type : 0;
  const text = typeof m.text === 'string' ? m.text : '';
  if (type === textType) return { ...base, kind: 'text', text };
  if (type === imageType) return { ...base, kind: 'image' };
  return { ...base, kind: 'unsupported', unsupportedType: wechatyMessageTypes[type] ?? `type_${type}` };
}

function sentAtOf(timestamp: unknown, fallback: Date): Date {
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp <= 0) return fallback;
  // Puppets differ: some report seconds, Wechaty's own payloads milliseconds.
  return new Date(timestamp < 1e12 ? timestamp * 1000 : timestamp);
}

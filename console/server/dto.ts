import type { ConversationRecord, MessageRecord, VisitorRecord } from '../../core/conversation/records.ts';
import type { ConversationDto, MessageDto, VisitorDto } from '../shared/protocol.ts';

/** Records may arrive as parsed JSON from the bus: dates then are strings. */
function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.toISOString();
}

export function visitorDto(visitor: VisitorRecord, channelType: string): VisitorDto {
  return {
    id: visitor.id,
    name: visitor.name ?? `访客${visitor.externalId.slice(-4)}`,
    avatarUrl: visitor.avatarUrl,
    channelType,
    profile: visitor.profile,
    contact: visitor.contact,
    firstSeenAt: iso(visitor.firstSeenAt)!,
  };
}

export function conversationDto(c: ConversationRecord, extra: { queuePosition?: number | null } = {}): ConversationDto {
  return {
    id: c.id,
    status: c.status,
    channelId: c.channelId,
    channelType: c.channelType,
    visitor: visitorDto(c.visitor, c.channelType),
    assigneeId: c.assigneeId,
    assigneeName: c.assigneeName,
    reachedHuman: c.reachedHuman,
    queuedAt: iso(c.queuedAt),
    assignedAt: iso(c.assignedAt),
    closedAt: iso(c.closedAt),
    lastMessageAt: iso(c.lastMessageAt),
    lastMessagePreview: c.lastMessagePreview,
    unreadCount: c.unreadCount,
    queuePosition: extra.queuePosition ?? null,
    createdAt: iso(c.createdAt)!,
  };
}

export function messageDto(m: MessageRecord): MessageDto {
  return {
    id: m.id,
    seq: Number(m.seq),
    conversationId: m.conversationId,
    sender: m.sender,
    senderId: m.senderId,
    senderName: m.senderName,
    kind: m.kind,
    text: m.content,
    mediaUrl: m.mediaUrl,
    data: m.data,
    // A widget message's client id travels as its channel message id (`web-<id>`): the widget's outbox
    // recognizes its own messages by it.
    clientMessageId: m.clientMessageId ?? (m.channelMessageId?.startsWith('web-') ? m.channelMessageId.slice(4) : null),
    deliveryStatus: m.deliveryStatus,
    failureReason: m.failureReason,
    createdAt: iso(m.createdAt)!,
  };
}

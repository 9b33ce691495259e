import { createHash } from 'node:crypto';
import type { DomainEvent } from '../conversation/events.ts';
import type { ConversationRecord, MessageRecord } from '../conversation/records.ts';

/** The events an admin can subscribe a webhook to. */
export const webhookEventNames = [
  'conversation.created',
  'conversation.assigned',
  'conversation.closed',
  'message.created',
  'rating.created',
  'offline_message.created',
] as const;

export type WebhookEventName = (typeof webhookEventNames)[number];

/** One thing that happened, as receivers see it; `key` identifies it so it is delivered once per webhook. */
export interface WebhookEvent {
  event: WebhookEventName;
  key: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

function conversationData(c: ConversationRecord): Record<string, unknown> {
  return {
    id: c.id,
    channelId: c.channelId,
    channelType: c.channelType,
    status: c.status,
    visitor: { id: c.visitor.id, name: c.visitor.name },
    assigneeId: c.assigneeId,
    assigneeName: c.assigneeName,
    closeReason: c.closeReason,
    createdAt: c.createdAt.toISOString(),
    assignedAt: c.assignedAt?.toISOString() ?? null,
    closedAt: c.closedAt?.toISOString() ?? null,
  };
}

function messageData(m: MessageRecord): Record<string, unknown> {
  return {
    id: m.id,
    conversationId: m.conversationId,
    sender: m.sender,
    senderId: m.senderId,
    senderName: m.senderName,
    kind: m.kind,
    text: m.content,
    mediaUrl: m.mediaUrl,
    createdAt: m.createdAt.toISOString(),
  };
}

/**
 * Maps a domain event onto the webhook event it stands for, or null. A rating arrives as the
 * system message the satisfaction service records; a 留言 as the `offline_message.created` notice.
 * A transfer is reported as `conversation.assigned` (with `transfer: true`).
 */
export function toWebhookEvent(event: DomainEvent): WebhookEvent | null {
  switch (event.name) {
    case 'conversation.created':
      return { event: 'conversation.created', key: `conversation.created-${event.conversation.id}`, occurredAt: event.conversation.createdAt.toISOString(), data: { conversation: conversationData(event.conversation) } };
    case 'conversation.assigned':
    case 'conversation.transferred': {
      const at = event.conversation.assignedAt ?? new Date();
      return {
        event: 'conversation.assigned',
        key: `conversation.assigned-${event.conversation.id}-${event.conversation.assigneeId}-${at.getTime()}`,
        occurredAt: at.toISOString(),
        data: { conversation: conversationData(event.conversation), previousAssigneeId: event.previousAssigneeId, transfer: event.name === 'conversation.transferred' },
      };
    }
    case 'conversation.closed':
      return {
        event: 'conversation.closed',
        key: `conversation.closed-${event.conversation.id}`,
        occurredAt: (event.conversation.closedAt ?? new Date()).toISOString(),
        data: { conversation: conversationData(event.conversation) },
      };
    case 'message.created': {
      const { message } = event;
      if (message.kind === 'event') {
        if (message.data?.event !== 'rating.created') return null;
        const { event: _name, ...rating } = message.data;
        return { event: 'rating.created', key: `rating.created-${event.conversation.id}`, occurredAt: message.createdAt.toISOString(), data: { conversation: conversationData(event.conversation), rating } };
      }
      return { event: 'message.created', key: `message.created-${message.id}`, occurredAt: message.createdAt.toISOString(), data: { conversation: conversationData(event.conversation), message: messageData(message) } };
    }
    case 'notice': {
      if (event.kind !== 'offline_message.created' || typeof event.payload.id !== 'string') return null;
      const createdAt = typeof event.payload.createdAt === 'string' ? event.payload.createdAt : new Date().toISOString();
      return { event: 'offline_message.created', key: `offline_message.created-${event.payload.id}`, occurredAt: createdAt, data: { offlineMessage: event.payload } };
    }
    default:
      return null;
  }
}

/** Whether a webhook subscribed to `events` wants this one (`*` subscribes to all). */
export function isSubscribed(events: readonly string[], event: WebhookEventName): boolean {
  return events.includes(event) || events.includes('*');
}

/**
 * A delivery id derived from webhook and event key: processes that see the same event (every
 * process receives bus notices) produce the same id, so the event is delivered once.
 */
export function deliveryIdFor(webhookId: string, key: string): string {
  const hex = createHash('sha256').update(`${webhookId}\n${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

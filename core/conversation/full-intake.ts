import type { InboundMessage } from '../../connectors/connector.ts';
import type { ChannelRecord, ConversationRecord, MessageRecord, SenderType } from './records.ts';
import type { ConversationStore } from './store.ts';
import type { ConversationStatus } from './transitions.ts';

export interface FullIntakeInput {
  channel: ChannelRecord;
  inbound: InboundMessage;
  sender: SenderType;
  masked: { text: string | null; original: string | null };
  /** A just-closed conversation of this visitor a reply should land in (a rating), if any. */
  closedTarget: ConversationRecord | null;
  initialStatus: ConversationStatus;
}

export interface FullIntakeOutcome {
  conversation: ConversationRecord;
  message: MessageRecord;
  duplicate: boolean;
  isNewConversation: boolean;
}

/**
 * The full intake path in one transaction: visitor upserted, open conversation found (or the closed
 * reply target, or a new one opened), message stored once per channel message id, conversation's
 * last-message fields updated. A repeated delivery comes back with `duplicate: true`.
 */
export function intakeInTransaction(store: ConversationStore, input: FullIntakeInput): Promise<FullIntakeOutcome> {
  const { channel, inbound, sender, masked, closedTarget } = input;
  return store.inTransaction(async (tx) => {
    const visitor = await tx.upsertVisitor(channel.id, inbound.visitor);
    let conversation = await tx.findOpenConversation(visitor.id);
    let isNewConversation = false;
    if (!conversation && closedTarget?.visitorId === visitor.id) conversation = closedTarget;
    if (!conversation) {
      conversation = await tx.createConversation({ channelId: channel.id, visitorId: visitor.id, status: input.initialStatus });
      isNewConversation = true;
    }
    const { message, duplicate } = await tx.insertMessage({
      conversationId: conversation.id,
      channelId: channel.id,
      sender,
      senderId: sender === 'visitor' ? visitor.id : null,
      kind: inbound.kind,
      content: masked.text,
      originalContent: masked.original,
      mediaUrl: inbound.media?.url ?? null,
      data: inbound.event ? { event: inbound.event.name, ...inbound.event.data } : inbound.unsupportedType ? { type: inbound.unsupportedType } : null,
      channelMessageId: inbound.channelMessageId,
      deliveryStatus: 'delivered',
    });
    if (duplicate) {
      const current = (await tx.getConversation(message.conversationId)) ?? conversation;
      return { conversation: current, message, duplicate: true, isNewConversation: false };
    }
    if (inbound.kind !== 'event') conversation = await tx.touchConversation(conversation.id, message);
    return { conversation, message, duplicate: false, isNewConversation };
  });
}

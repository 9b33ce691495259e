import type { DomainEvent } from './events.ts';
import type { ConversationRecord, MessageRecord } from './records.ts';

/**
 * What a message event tells of its conversation on the bus: enough to route the message to the
 * visitor's and the agents' sockets. Message events are most of the traffic between processes, and
 * the whole conversation (with its visitor) was most of each one; conversation events still carry
 * the whole record.
 */
export type ConversationRef = Pick<ConversationRecord, 'id' | 'channelId' | 'channelType' | 'visitorId' | 'status' | 'assigneeId' | 'queuedAt'>;

type MessageEventName = 'message.created' | 'message.updated';

/** A domain event as bus subscribers receive it. */
export type BusEvent =
  | Exclude<DomainEvent, { name: MessageEventName }>
  | { name: MessageEventName; conversation: ConversationRef; message: MessageRecord };

export function toBusEvent(event: DomainEvent): BusEvent {
  if (event.name !== 'message.created' && event.name !== 'message.updated') return event;
  const { id, channelId, channelType, visitorId, status, assigneeId, queuedAt } = event.conversation;
  return { name: event.name, conversation: { id, channelId, channelType, visitorId, status, assigneeId, queuedAt }, message: event.message };
}

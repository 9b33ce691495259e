import type { ConversationRecord, MessageRecord } from './records.ts';

/**
 * Domain events returned by conversation operations and published by the dispatcher. Names are
 * dotted lowercase; each carries the conversation as it is after the change, so subscribers
 * (realtime fan-out, webhooks, metrics) never need to read it again.
 */
export type DomainEvent =
  | { name: 'message.created'; conversation: ConversationRecord; message: MessageRecord }
  | { name: 'message.updated'; conversation: ConversationRecord; message: MessageRecord }
  | { name: 'conversation.created'; conversation: ConversationRecord }
  | { name: 'conversation.updated'; conversation: ConversationRecord }
  | { name: 'conversation.queued'; conversation: ConversationRecord }
  | { name: 'conversation.assigned'; conversation: ConversationRecord; previousAssigneeId: string | null }
  | { name: 'conversation.transferred'; conversation: ConversationRecord; previousAssigneeId: string | null }
  | { name: 'conversation.closed'; conversation: ConversationRecord; previousAssigneeId: string | null }
  | { name: 'conversation.typing'; conversation: ConversationRecord; from: 'visitor' | 'agent' }
  | { name: 'agent.updated'; agentId: string; status: string; activeCount: number; autoAcceptLimit: number }
  | { name: 'assist.suggested'; conversation: ConversationRecord; suggestions: { itemId: string; question: string; answer: string; confidence: number }[] }
  | { name: 'notice'; audience: 'agents' | 'admins'; kind: string; payload: Record<string, unknown> };

export type DomainEventName = DomainEvent['name'];

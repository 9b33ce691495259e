import type { InboundVisitor } from '../../connectors/connector.ts';
import type {
  AgentRecord,
  ChannelRecord,
  ConversationRecord,
  DeliveryStatus,
  MessageKind,
  MessageRecord,
  SenderType,
  VisitorRecord,
} from './records.ts';
import type { ConversationStatus } from './transitions.ts';

export interface NewMessage {
  conversationId: string;
  channelId: string;
  sender: SenderType;
  senderId?: string | null;
  kind: MessageKind;
  content?: string | null;
  originalContent?: string | null;
  mediaUrl?: string | null;
  data?: Record<string, unknown> | null;
  channelMessageId?: string | null;
  clientMessageId?: string | null;
  deliveryStatus: DeliveryStatus;
}

/** One inbound text or image of a known visitor (see `ConversationStore.intakeKnown`). */
export interface KnownIntake {
  channelId: string;
  externalId: string;
  sender: 'visitor' | 'agent';
  kind: 'text' | 'image';
  content: string | null;
  originalContent: string | null;
  mediaUrl: string | null;
  channelMessageId: string;
}

export type KnownIntakeResult = { conversation: ConversationRecord; message: MessageRecord } | null;

export interface ConversationPatch {
  status?: ConversationStatus;
  assigneeId?: string | null;
  queuedAt?: Date | null;
  assignedAt?: Date | null;
  closedAt?: Date | null;
  closeReason?: string | null;
  reachedHuman?: boolean;
  botMisses?: number;
  priority?: number;
  state?: Record<string, unknown>;
}

export interface AssignOptions {
  /** Statuses the conversation may be in (queued for pick/auto; assigned for a transfer). */
  from: ConversationStatus[];
  /** Refuse when the agent is at or above the auto-accept limit. */
  enforceLimit: boolean;
  /** Only when it is still assigned to this agent (transfers). */
  expectedAssigneeId?: string | null;
}

export type AssignOutcome =
  | { ok: true; conversation: ConversationRecord; previousAssigneeId: string | null }
  | { ok: false; reason: AssignRefusal };

export type AssignRefusal = 'conversation_state' | 'agent_unavailable' | 'over_limit';

/** One planned assignment of a batch. */
export interface BatchAssignment {
  conversationId: string;
  agentId: string;
}

/** What a batch stores for one applied assignment besides the assignment itself. */
export interface AssignmentRecords {
  event: Omit<ConversationEventInput, 'conversationId'>;
  message: Omit<NewMessage, 'conversationId' | 'channelId'>;
}

export interface BatchAssignOptions {
  /** Statuses a conversation may be in to be assigned. */
  from: ConversationStatus[];
  /** The timeline entry and system message of one applied assignment, stored in the same transaction. */
  records(applied: {
    conversationId: string;
    agentId: string;
    agentName: string | null;
    channelType: ConversationRecord['channelType'];
  }): AssignmentRecords;
}

/** A batch also refuses an agent whose row someone else is changing right then (it never waits). */
export type BatchRefusal = AssignRefusal | 'agent_busy';

export interface BatchAssignResult {
  /** In the order of the plan. */
  applied: { conversation: ConversationRecord; message: MessageRecord }[];
  refused: (BatchAssignment & { reason: BatchRefusal })[];
}

export interface ConversationEventInput {
  conversationId: string;
  type: string;
  fromStatus?: ConversationStatus | null;
  toStatus?: ConversationStatus | null;
  actorType: string;
  actorId?: string | null;
  data?: Record<string, unknown>;
}

/**
 * The persistence port of the conversation core. Implementations must make `insertMessage`
 * idempotent on (channelId, channelMessageId) and (conversationId, clientMessageId), and make
 * `assign` and `release` atomic with the agent's load counter.
 */
export interface ConversationStore {
  /**
   * Runs the intake steps in one transaction. Only the message-path methods (upsertVisitor,
   * findOpenConversation, insertMessage, touchConversation, getConversation) join it.
   */
  inTransaction<T>(fn: (store: ConversationStore) => Promise<T>): Promise<T>;
  getChannel(id: string): Promise<ChannelRecord | null>;
  upsertVisitor(channelId: string, visitor: InboundVisitor): Promise<VisitorRecord>;
  getVisitor(id: string): Promise<VisitorRecord | null>;
  /**
   * Optional fast path: a known visitor with an open conversation, text or image, in one round trip.
   * Returns null whenever the full path must run instead (it then has stored nothing).
   */
  intakeKnown?(input: KnownIntake): Promise<KnownIntakeResult>;
  findOpenConversation(visitorId: string): Promise<ConversationRecord | null>;
  createConversation(input: { channelId: string; visitorId: string; status: ConversationStatus }): Promise<ConversationRecord>;
  getConversation(id: string): Promise<ConversationRecord | null>;

  /**
   * Inserts a new message and, unless it is an event, updates the conversation's last-message fields,
   * in one round trip. Returns null when the message already exists (nothing stored); `conversation`
   * is null for an event.
   */
  /** `statePatch` is merged into the conversation's state in the same statement (not for timeline events). */
  appendMessage(input: NewMessage, statePatch?: Record<string, unknown>): Promise<{ message: MessageRecord; conversation: ConversationRecord | null } | null>;
  /** Inserts unless a message with the same channel or client id exists; then returns that one. */
  insertMessage(input: NewMessage): Promise<{ message: MessageRecord; duplicate: boolean }>;
  /** Updates last-message fields after a new message; returns the conversation as it now is. */
  touchConversation(
    id: string,
    message: Pick<MessageRecord, 'sender' | 'kind' | 'content' | 'createdAt'>,
  ): Promise<ConversationRecord>;
  /** Compare-and-set: applies the patch only while the status is one of `from`. */
  updateConversation(id: string, from: ConversationStatus[], patch: ConversationPatch): Promise<ConversationRecord | null>;
  assign(conversationId: string, agentId: string, options: AssignOptions): Promise<AssignOutcome>;
  /**
   * Applies a planned batch of assignments (auto-accept limit enforced) atomically with the agents'
   * load counters, without waiting for locks: a pair is applied only while its conversation is in
   * `from` and not being changed by someone else, and its agent is online, not being changed, with
   * room left; the rest are refused with a reason. Applied pairs get their `records` stored in the
   * same transaction.
   */
  assignBatch(pairs: BatchAssignment[], options: BatchAssignOptions): Promise<BatchAssignResult>;
  /** Moves an open conversation to `to` (closed or queued), releasing its assignee's load, atomically. */
  release(
    conversationId: string,
    to: 'closed' | 'queued' | 'bot',
    patch: ConversationPatch,
  ): Promise<{ conversation: ConversationRecord; previousAssigneeId: string | null } | null>;
  recordEvent(event: ConversationEventInput): Promise<void>;

  getMessage(id: string): Promise<MessageRecord | null>;
  updateDelivery(messageId: string, status: DeliveryStatus, failureReason?: string | null): Promise<MessageRecord | null>;
  getAgent(id: string): Promise<AgentRecord | null>;
}

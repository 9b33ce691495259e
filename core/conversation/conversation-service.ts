import type { InboundMessage } from '../../connectors/connector.ts';
import { AppError } from '../errors.ts';
import { ChannelCache } from './channel-cache.ts';
import { isUuid } from '../ids.ts';
import { withoutNul } from '../without-nul.ts';
import { systemClock, type Clock } from '../ports.ts';
import { assignBatch, type BatchAssignOutcome } from './batch-assign.ts';
import type { DomainEvent } from './events.ts';
import { intakeInTransaction } from './full-intake.ts';
import type { Actor, ChannelRecord, ConversationRecord, MessageKind, MessageRecord, SenderType } from './records.ts';
import type { BatchAssignment, ConversationStore, NewMessage } from './store.ts';
import { assertTransition, type ConversationStatus } from './transitions.ts';
import {
  MAX_MESSAGE_CHARS,
  actorFields,
  maskText,
  refusal,
  validateSend,
  type ClosedReplyTarget,
  type CloseOptions,
  type ConversationServiceDeps,
  type OutboundDispatcher,
  type ReceiveResult,
  type SendInput,
  type TextModerator,
} from './service-contract.ts';

export type { ClosedReplyTarget, CloseOptions, ConversationServiceDeps, OutboundDispatcher, ReceiveResult, SendInput, TextModerator } from './service-contract.ts';

/**
 * The conversation lifecycle: intake, sends, hand-off, assignment, transfer and close. Each
 * operation checks the transition table, persists through the store and emits domain events.
 */
export class ConversationService {
  private readonly store: ConversationStore;
  private readonly emit: (events: DomainEvent[]) => Promise<void>;
  private readonly announce: (events: DomainEvent[]) => Promise<void>;
  private readonly outbound: OutboundDispatcher;
  private moderator?: TextModerator;
  private readonly clock: Clock;
  private initialStatusOf: (channel: ChannelRecord) => ConversationStatus;
  private readonly channels: ChannelCache;
  private closedReplyTarget?: ClosedReplyTarget;

  constructor(deps: ConversationServiceDeps) {
    this.store = deps.store;
    this.channels = new ChannelCache((id) => deps.store.getChannel(id));
    this.emit = deps.emit;
    this.announce = deps.announce ?? (async () => undefined);
    this.outbound = deps.outbound;
    this.moderator = deps.moderator;
    this.clock = deps.clock ?? systemClock;
    this.initialStatusOf = deps.initialStatus ?? (() => 'queued');
  }

  setModerator(moderator: TextModerator | undefined): void {
    this.moderator = moderator;
  }

  setInitialStatus(fn: (channel: ChannelRecord) => ConversationStatus): void {
    this.initialStatusOf = fn;
  }

  /** See `ClosedReplyTarget`: lets a reply to a closed conversation (a rating) land there. */
  setClosedReplyTarget(fn: ClosedReplyTarget | undefined): void {
    this.closedReplyTarget = fn;
  }

  async channel(id: string): Promise<ChannelRecord> {
    return this.channels.get(id);
  }

  /**
   * Takes one normalized inbound message: dedupe → visitor → open conversation → persist → events.
   * A repeated delivery (same channel message id) returns the stored message with `duplicate: true`
   * and only announces it again to the realtime subscribers.
   */
  async receive(received: InboundMessage): Promise<ReceiveResult> {
    const inbound = withoutNul(received);
    const channel = await this.channel(inbound.channelId);
    if (!channel.enabled) throw new AppError('channel_disabled', { userMessage: 'This channel is disabled.' });
    const text = inbound.text ?? null;
    if (text && text.length > MAX_MESSAGE_CHARS) {
      throw new AppError('message_too_long', { userMessage: `A message can have at most ${MAX_MESSAGE_CHARS} characters.` });
    }
    const masked = maskText(this.moderator, text);
    const sender: SenderType = inbound.origin === 'servicer' ? 'agent' : 'visitor';
    const events: DomainEvent[] = [];
    // Looked up before the transaction, so it never waits for a second connection inside it.
    const closedTarget = sender === 'visitor' && this.closedReplyTarget ? await this.closedReplyTarget(channel.id, inbound) : null;
    if (!closedTarget && this.store.intakeKnown && (inbound.kind === 'text' || inbound.kind === 'image')) {
      // The common case, a known visitor with an open conversation, in one statement.
      const fast = await this.store.intakeKnown({
        channelId: channel.id,
        externalId: inbound.visitor.externalId,
        sender,
        kind: inbound.kind,
        content: masked.text,
        originalContent: masked.original,
        mediaUrl: inbound.media?.url ?? null,
        channelMessageId: inbound.channelMessageId,
      });
      if (fast) {
        await this.emit([{ name: 'message.created', conversation: fast.conversation, message: fast.message }]);
        return { ...fast, duplicate: false, isNewConversation: false };
      }
    }
    const outcome = await intakeInTransaction(this.store, {
      channel,
      inbound,
      sender,
      masked,
      closedTarget,
      initialStatus: this.initialStatusOf(channel),
    });
    if (outcome.duplicate) {
      await this.announce([{ name: 'message.created', conversation: outcome.conversation, message: outcome.message }]);
      return outcome;
    }
    const { conversation, message, isNewConversation } = outcome;
    if (isNewConversation) {
      await this.store.recordEvent({
        conversationId: conversation.id,
        type: 'created',
        toStatus: conversation.status,
        actorType: sender,
        actorId: conversation.visitorId,
      });
      events.push({ name: 'conversation.created', conversation });
      if (conversation.status === 'queued') events.push({ name: 'conversation.queued', conversation });
    }
    events.push({ name: 'message.created', conversation, message });
    await this.emit(events);
    return { conversation, message, duplicate: false, isNewConversation };
  }

  /** An agent's reply. Idempotent by clientMessageId: a double click or a resend returns the first message. */
  async sendAgentMessage(actor: Extract<Actor, { type: 'agent' }>, conversationId: string, input: SendInput) {
    const conversation = await this.requireConversation(conversationId);
    if (conversation.status === 'closed') {
      throw new AppError('invalid_transition', { userMessage: 'The conversation is closed.' });
    }
    if (actor.role !== 'admin' && conversation.assigneeId !== actor.id) {
      throw new AppError('forbidden', { userMessage: 'Only the assigned agent can reply in this conversation.' });
    }
    return this.sendOutbound(conversation, 'agent', actor.id, input);
  }

  /** A message from the bot or the system to the visitor. */
  async sendAutomatic(
    conversationId: string,
    sender: 'bot' | 'system',
    body: { kind?: MessageKind; text?: string; mediaUrl?: string; data?: Record<string, unknown>; clientMessageId?: string },
  ): Promise<MessageRecord> {
    return this.sendAutomaticTo(await this.requireConversation(conversationId), sender, body);
  }

  /**
   * `sendAutomatic` for a caller that has just read or updated the conversation. `conversationState`
   * is merged into the conversation's state by the same statement that stores the message.
   */
  async sendAutomaticTo(
    conversation: ConversationRecord,
    sender: 'bot' | 'system',
    body: { kind?: MessageKind; text?: string; mediaUrl?: string; data?: Record<string, unknown>; clientMessageId?: string },
    conversationState?: Record<string, unknown>,
  ): Promise<MessageRecord> {
    const outbound = { kind: body.kind ?? 'text', text: body.text, mediaUrl: body.mediaUrl, data: body.data, clientMessageId: body.clientMessageId };
    const { message } = await this.persistOutbound(conversation, sender, null, outbound, conversationState);
    return message;
  }

  private async sendOutbound(conversation: ConversationRecord, sender: SenderType, senderId: string, input: SendInput) {
    validateSend(input);
    return this.persistOutbound(conversation, sender, senderId, {
      kind: input.kind,
      text: input.text,
      mediaUrl: input.mediaUrl,
      clientMessageId: input.clientMessageId,
    });
  }

  private async persistOutbound(
    conversation: ConversationRecord,
    sender: SenderType,
    senderId: string | null,
    body: { kind: MessageKind; text?: string; mediaUrl?: string; data?: Record<string, unknown>; clientMessageId?: string },
    conversationState?: Record<string, unknown>,
  ): Promise<{ message: MessageRecord; duplicate: boolean; conversation: ConversationRecord }> {
    const masked = sender === 'agent' ? maskText(this.moderator, body.text ?? null) : { text: body.text ?? null, original: null };
    const record: NewMessage = {
      conversationId: conversation.id,
      channelId: conversation.channelId,
      sender,
      senderId,
      kind: body.kind,
      content: masked.text,
      originalContent: masked.original,
      mediaUrl: body.mediaUrl ?? null,
      data: body.data ?? null,
      clientMessageId: body.clientMessageId ?? null,
      deliveryStatus: this.outbound.initialStatus(conversation.channelType),
    };
    const appended = await this.store.appendMessage(record, conversationState);
    if (!appended) {
      // Sent before (same client message id): the stored one, announced again.
      const { message } = await this.store.insertMessage(record);
      await this.announce([{ name: 'message.created', conversation, message }]);
      return { message, duplicate: true, conversation };
    }
    const touched = appended.conversation ?? conversation;
    await this.emit([{ name: 'message.created', conversation: touched, message: appended.message }]);
    if (body.kind !== 'event') await this.outbound.dispatch(touched, appended.message);
    return { message: appended.message, duplicate: false, conversation: touched };
  }

  /** A timeline entry (handoff, assigned, transferred, closed, rated) visible to agents and the visitor. */
  async recordSystemEvent(conversation: ConversationRecord, name: string, text: string, data: Record<string, unknown> = {}) {
    return this.persistOutbound(conversation, 'system', null, { kind: 'event', text, data: { event: name, ...data } });
  }

  /** bot → queued. */
  async handOff(conversationId: string, actor: Actor, reason: string): Promise<ConversationRecord> {
    const current = await this.requireConversation(conversationId);
    if (current.status === 'queued' || current.status === 'assigned') return current;
    assertTransition(current.status, 'queued');
    const conversation = await this.store.updateConversation(conversationId, ['bot'], {
      status: 'queued',
      queuedAt: this.clock.now(),
      botMisses: 0,
    });
    if (!conversation) return this.requireConversation(conversationId);
    await this.store.recordEvent({
      conversationId,
      type: 'handoff',
      fromStatus: current.status,
      toStatus: 'queued',
      ...actorFields(actor),
      data: { reason },
    });
    await this.emit([{ name: 'conversation.queued', conversation }]);
    await this.recordSystemEvent(conversation, 'handoff', '已转人工，正在为您排队', { reason });
    return conversation;
  }

  /**
   * queued (or bot) → assigned. `mode` 'auto' and 'pick' enforce the auto-accept limit and require an
   * online agent; 'admin' lets an admin place it with a chosen online agent within the limit too.
   */
  async assign(
    conversationId: string,
    agentId: string,
    actor: Actor,
    mode: 'auto' | 'pick' | 'admin',
  ): Promise<ConversationRecord> {
    const outcome = await this.store.assign(conversationId, agentId, { from: ['queued', 'bot'], enforceLimit: true });
    if (!outcome.ok) throw refusal(outcome.reason);
    const { conversation } = outcome;
    await this.store.recordEvent({
      conversationId,
      type: 'assigned',
      fromStatus: 'queued',
      toStatus: 'assigned',
      ...actorFields(actor),
      data: { agentId, mode },
    });
    await this.emit([{ name: 'conversation.assigned', conversation, previousAssigneeId: null }]);
    await this.recordSystemEvent(conversation, 'assigned', `客服 ${conversation.assigneeName ?? ''} 为您服务`, {
      agentId,
      agentName: conversation.assigneeName,
      mode,
    });
    return conversation;
  }

  /**
   * queued → assigned for many planned pairs at once (the queue drain): applied atomically within
   * the agents' limits, the rest refused with a reason. See `assignBatch`.
   */
  async assignMany(pairs: BatchAssignment[], actor: Actor, mode: 'auto' | 'pick' | 'admin'): Promise<BatchAssignOutcome> {
    return assignBatch({ store: this.store, emit: this.emit, initialStatus: (type) => this.outbound.initialStatus(type) }, pairs, actor, mode);
  }

  /** assigned → assigned with another agent; the history goes along. */
  async transfer(conversationId: string, toAgentId: string, actor: Actor, note?: string): Promise<ConversationRecord> {
    const current = await this.requireConversation(conversationId);
    assertTransition(current.status, 'assigned');
    if (actor.type === 'agent' && actor.role !== 'admin' && current.assigneeId !== actor.id) {
      throw new AppError('forbidden', { userMessage: 'Only the assigned agent or an admin can transfer this conversation.' });
    }
    if (current.assigneeId === toAgentId) {
      throw new AppError('conflict', { userMessage: 'The conversation is already with this agent.' });
    }
    const outcome = await this.store.assign(conversationId, toAgentId, {
      from: [current.status],
      enforceLimit: true,
      expectedAssigneeId: current.assigneeId,
    });
    if (!outcome.ok) throw refusal(outcome.reason);
    const { conversation, previousAssigneeId } = outcome;
    await this.store.recordEvent({
      conversationId,
      type: 'transferred',
      fromStatus: current.status,
      toStatus: 'assigned',
      ...actorFields(actor),
      data: { from: previousAssigneeId, to: toAgentId, note: note ?? null },
    });
    await this.emit([{ name: 'conversation.transferred', conversation, previousAssigneeId }]);
    await this.recordSystemEvent(conversation, 'transferred', `已转接给客服 ${conversation.assigneeName ?? ''}`, {
      from: previousAssigneeId,
      to: toAgentId,
    });
    return conversation;
  }

  /** Any open status → closed; releases the assignee's load. Closing a closed conversation is a no-op. */
  async close(conversationId: string, actor: Actor, reason: string, options: CloseOptions = {}): Promise<ConversationRecord> {
    return (await this.closeOnce(conversationId, actor, reason, options)) ?? this.requireConversation(conversationId);
  }

  /**
   * `close`, or null when the conversation was closed already, by anyone: of two closes at the same
   * moment exactly one wins (the release is a compare-and-set), and only the winner records the close
   * and sends `options.prompt` to the visitor just before it.
   */
  async closeOnce(conversationId: string, actor: Actor, reason: string, options: CloseOptions = {}): Promise<ConversationRecord | null> {
    const current = await this.requireConversation(conversationId);
    if (current.status === 'closed') return null;
    if (actor.type === 'agent' && actor.role !== 'admin' && current.assigneeId !== actor.id) {
      throw new AppError('forbidden', { userMessage: 'Only the assigned agent or an admin can close this conversation.' });
    }
    const released = await this.store.release(conversationId, 'closed', { closedAt: this.clock.now(), closeReason: reason });
    if (!released) return null;
    let { conversation } = released;
    if (options.prompt) conversation = (await this.persistOutbound(conversation, 'system', null, { kind: 'text', text: options.prompt })).conversation;
    await this.store.recordEvent({
      conversationId,
      type: 'closed',
      fromStatus: current.status,
      toStatus: 'closed',
      ...actorFields(actor),
      data: { reason },
    });
    await this.recordSystemEvent(conversation, 'closed', '会话已结束', { reason });
    await this.emit([{ name: 'conversation.closed', conversation, previousAssigneeId: released.previousAssigneeId }]);
    return conversation;
  }

  /** queued → bot: the visitor left the queue, or nobody can take it now (留言 offer, off-hours). */
  async returnToBot(conversationId: string, actor: Actor, reason: string): Promise<ConversationRecord | null> {
    const conversation = await this.store.updateConversation(conversationId, ['queued'], { status: 'bot', queuedAt: null, botMisses: 0 });
    if (!conversation) return null;
    await this.store.recordEvent({
      conversationId,
      type: 'returned_to_bot',
      fromStatus: 'queued',
      toStatus: 'bot',
      ...actorFields(actor),
      data: { reason },
    });
    await this.emit([{ name: 'conversation.updated', conversation }]);
    return conversation;
  }

  /** assigned → queued (no-reply re-route), back to the head of the queue. */
  async requeue(conversationId: string, actor: Actor, reason: string): Promise<ConversationRecord | null> {
    const current = await this.requireConversation(conversationId);
    if (current.status !== 'assigned') return null;
    const released = await this.store.release(conversationId, 'queued', { queuedAt: new Date(0), priority: -1 });
    if (!released) return null;
    await this.store.recordEvent({
      conversationId,
      type: 'requeued',
      fromStatus: 'assigned',
      toStatus: 'queued',
      ...actorFields(actor),
      data: { reason, from: released.previousAssigneeId },
    });
    await this.emit([
      { name: 'conversation.queued', conversation: released.conversation },
      { name: 'conversation.updated', conversation: released.conversation },
    ]);
    return released.conversation;
  }

  async markDelivery(messageId: string, status: 'sent' | 'delivered' | 'failed', reason?: string): Promise<MessageRecord | null> {
    const message = await this.store.updateDelivery(messageId, status, reason ?? null);
    if (!message) return null;
    const conversation = await this.store.getConversation(message.conversationId);
    if (conversation) await this.emit([{ name: 'message.updated', conversation, message }]);
    return message;
  }

  async requireConversation(id: string): Promise<ConversationRecord> {
    const conversation = isUuid(id) ? await this.store.getConversation(id) : null;
    if (!conversation) throw new AppError('conversation_not_found', { userMessage: 'This conversation does not exist.' });
    return conversation;
  }
}

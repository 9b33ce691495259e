import type { InboundMessage } from '../../connectors/connector.ts';
import { AppError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import type { DomainEvent } from './events.ts';
import type { Actor, ChannelRecord, ConversationRecord, MessageRecord } from './records.ts';
import type { ConversationStore } from './store.ts';
import type { ConversationStatus } from './transitions.ts';

/** What the conversation service and its callers agree on: its dependencies, inputs, limits and refusals. */

export const MAX_MESSAGE_CHARS = 5000;

/** Masks sensitive words before anyone else sees a message. */
export interface TextModerator {
  mask(text: string): { text: string; changed: boolean; keepOriginal: boolean };
}

/** A text as stored: masked when a moderator is set, with the original kept when the moderator says so. */
export function maskText(moderator: TextModerator | undefined, text: string | null): { text: string | null; original: string | null } {
  if (!text || !moderator) return { text, original: null };
  const result = moderator.mask(text);
  return { text: result.text, original: result.changed && result.keepOriginal ? text : null };
}

/** Where outbound messages go: delivered by a connector, through a job or inline. */
export interface OutboundDispatcher {
  /** Returns the delivery status the message starts with ('sent' when the realtime bus is the delivery). */
  initialStatus(channelType: ConversationRecord['channelType']): 'pending' | 'sent';
  dispatch(conversation: ConversationRecord, message: MessageRecord): Promise<void>;
}

export interface ConversationServiceDeps {
  store: ConversationStore;
  emit: (events: DomainEvent[]) => Promise<void>;
  /**
   * Publishes to the realtime subscribers only, without this process's reactions. A resend of a stored
   * message is announced again: the first attempt may have died between its commit and its events.
   */
  announce?: (events: DomainEvent[]) => Promise<void>;
  outbound: OutboundDispatcher;
  moderator?: TextModerator;
  clock?: Clock;
  /** Status of a conversation opened by a visitor on this channel (bot when its bot is on). */
  initialStatus?: (channel: ChannelRecord) => ConversationStatus;
}

/**
 * Consulted before a visitor message would open a new conversation: returns a closed conversation
 * that still expects this reply (a satisfaction rating inside its window) to file it there instead,
 * or null to open a new one as usual.
 */
export type ClosedReplyTarget = (channelId: string, inbound: InboundMessage) => Promise<ConversationRecord | null>;

export interface SendInput {
  clientMessageId: string;
  kind: 'text' | 'image';
  text?: string;
  mediaUrl?: string;
}

export interface CloseOptions {
  /** Sent to the visitor by the close that wins, before its 会话已结束 (the 自动结单 close prompt). */
  prompt?: string;
}

export interface ReceiveResult {
  conversation: ConversationRecord;
  message: MessageRecord;
  duplicate: boolean;
  isNewConversation: boolean;
}

export function validateSend(input: SendInput): void {
  if (input.kind === 'text') {
    const text = input.text?.trim();
    if (!text) throw new AppError('validation_failed', { userMessage: 'A text message cannot be empty.' });
    if (input.text!.length > MAX_MESSAGE_CHARS) {
      throw new AppError('message_too_long', { userMessage: `A message can have at most ${MAX_MESSAGE_CHARS} characters.` });
    }
  } else if (!input.mediaUrl) {
    throw new AppError('validation_failed', { userMessage: 'An image message needs an uploaded image.' });
  }
}

export function refusal(reason: 'conversation_state' | 'agent_unavailable' | 'over_limit'): AppError {
  switch (reason) {
    case 'conversation_state':
      return new AppError('invalid_transition', { userMessage: 'The conversation is no longer waiting for this action.' });
    case 'agent_unavailable':
      return new AppError('agent_unavailable', { userMessage: 'The agent is not online (停止接入 or offline).' });
    case 'over_limit':
      return new AppError('over_limit', { userMessage: 'The agent has reached the auto-accept limit (自动接入人数).' });
  }
}

export function actorFields(actor: Actor): { actorType: string; actorId: string | null } {
  return { actorType: actor.type, actorId: 'id' in actor ? actor.id : null };
}


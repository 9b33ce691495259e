import type { MessageDto } from '../shared/protocol.ts';

/**
 * A message as a client shows it: a stored `MessageDto`, or a local placeholder for a send that the
 * server has not confirmed yet (`localState`), keyed by its client message id.
 */
export type ChatMessage = MessageDto & { localState?: 'sending' | 'queued' | 'failed'; localError?: string };

/** Builds the local placeholder shown while a send is in flight. */
export function createLocalMessage(
  input: { clientMessageId: string; kind: 'text' | 'image'; text?: string; mediaUrl?: string },
  conversationId: string,
  sender: 'visitor' | 'agent',
  state: 'sending' | 'queued' | 'failed' = 'sending',
): ChatMessage {
  return {
    id: `local:${input.clientMessageId}`,
    seq: Number.MAX_SAFE_INTEGER,
    conversationId,
    sender,
    senderId: null,
    kind: input.kind,
    text: input.text ?? null,
    mediaUrl: input.mediaUrl ?? null,
    clientMessageId: input.clientMessageId,
    deliveryStatus: 'pending',
    failureReason: null,
    createdAt: new Date().toISOString(),
    localState: state,
  };
}

/**
 * Merges `incoming` into `current`: stored messages are unique by id (a later copy wins, which is how
 * delivery-status updates land) and ordered by seq; a local placeholder disappears as soon as a stored
 * message with its client message id exists, so a send confirmed twice (ack + replay) shows once.
 * Placeholders still pending follow the stored messages in the order they were created.
 */
export function mergeMessages(
  current: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): ChatMessage[] {
  const stored = new Map<string, ChatMessage>();
  const locals = new Map<string, ChatMessage>();
  const confirmed = new Set<string>();
  for (const message of [...current, ...incoming]) {
    if (message.localState) {
      if (message.clientMessageId) locals.set(message.clientMessageId, message);
      continue;
    }
    stored.set(message.id, message);
    if (message.clientMessageId) confirmed.add(message.clientMessageId);
  }
  const ordered = [...stored.values()].sort((a, b) => a.seq - b.seq);
  for (const [clientMessageId, local] of locals) {
    if (!confirmed.has(clientMessageId)) ordered.push(local);
  }
  return ordered;
}

/** Highest stored seq among `messages`, or `null` when there is none: the resume cursor. */
export function maxSeq(messages: readonly ChatMessage[]): number | null {
  let max: number | null = null;
  for (const message of messages) {
    if (!message.localState && (max === null || message.seq > max)) max = message.seq;
  }
  return max;
}

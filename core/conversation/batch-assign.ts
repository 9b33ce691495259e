import type { DomainEvent } from './events.ts';
import type { Actor, ConversationRecord, MessageRecord } from './records.ts';
import type { BatchAssignment, BatchAssignResult, ConversationStore } from './store.ts';

export interface BatchAssignDeps {
  store: ConversationStore;
  emit: (events: DomainEvent[]) => Promise<void>;
  initialStatus: (channelType: ConversationRecord['channelType']) => 'pending' | 'sent';
}

export interface BatchAssignOutcome {
  /** In plan order: each conversation as assigned, with its 客服 X 为您服务 message. */
  applied: { conversation: ConversationRecord; message: MessageRecord }[];
  refused: BatchAssignResult['refused'];
  /**
   * Settles once every applied conversation's events went through `emit`; rejects with the first
   * failure after trying them all (the assignments themselves are stored either way).
   */
  published: Promise<void>;
}

/** Conversations whose events are emitted at once; each one's own events stay in order. */
const emitConcurrency = 256;

/**
 * queued → assigned for a planned batch, in one store transaction: the same timeline entry and
 * system message as a single `assign` in 'auto' mode, then, per applied conversation and in that
 * order, `conversation.assigned` and `message.created` (the system message is an event message, so
 * nothing goes to an outbound channel, as with a single assignment).
 */
export async function assignBatch(deps: BatchAssignDeps, pairs: BatchAssignment[], actor: Actor, mode: 'auto' | 'pick' | 'admin'): Promise<BatchAssignOutcome> {
  const actorId = 'id' in actor ? actor.id : null;
  const result = await deps.store.assignBatch(pairs, {
    from: ['queued'],
    records: ({ agentId, agentName, channelType }) => ({
      event: {
        type: 'assigned',
        fromStatus: 'queued',
        toStatus: 'assigned',
        actorType: actor.type,
        actorId,
        data: { agentId, mode },
      },
      message: {
        sender: 'system',
        senderId: null,
        kind: 'event',
        content: `客服 ${agentName ?? ''} 为您服务`,
        data: { event: 'assigned', agentId, agentName, mode },
        deliveryStatus: deps.initialStatus(channelType),
      },
    }),
  });
  const published = emitAll(
    deps.emit,
    result.applied.map(({ conversation, message }) => [
      { name: 'conversation.assigned', conversation, previousAssigneeId: null },
      { name: 'message.created', conversation, message },
    ]),
  );
  // Callers that do not wait for it still see a failure through their own await; this only avoids an unhandled rejection meanwhile.
  published.catch(() => undefined);
  return { applied: result.applied, refused: result.refused, published };
}

async function emitAll(emit: BatchAssignDeps['emit'], groups: DomainEvent[][]): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async () => {
    while (next < groups.length) {
      const group = groups[next++];
      await emit(group).catch((error: unknown) => void failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(emitConcurrency, groups.length) }, lane));
  if (failures.length > 0) throw failures[0];
}

import { AppError } from '../errors.ts';

export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'closed';

/** The conversation lifecycle. `assigned → assigned` is a transfer; `assigned → queued` a re-route. */
export const transitions = {
  bot: ['queued', 'assigned', 'closed'],
  queued: ['assigned', 'bot', 'closed'],
  assigned: ['assigned', 'queued', 'closed'],
  closed: [],
} as const satisfies Record<ConversationStatus, readonly ConversationStatus[]>;

export function canTransition(from: ConversationStatus, to: ConversationStatus): boolean {
  return (transitions[from] as readonly ConversationStatus[]).includes(to);
}

/** The statuses from which `to` may be reached. */
export function sourcesOf(to: ConversationStatus): ConversationStatus[] {
  return (Object.keys(transitions) as ConversationStatus[]).filter((from) => canTransition(from, to));
}

export function assertTransition(from: ConversationStatus, to: ConversationStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('invalid_transition', {
      message: `conversation cannot go from ${from} to ${to}`,
      userMessage: transitionRefusal(from, to),
    });
  }
}

function transitionRefusal(from: ConversationStatus, to: ConversationStatus): string {
  if (from === 'closed') return 'The conversation is already closed.';
  if (to === 'assigned' && from === 'assigned') return 'The conversation is already being served.';
  return `A ${from} conversation cannot become ${to}.`;
}

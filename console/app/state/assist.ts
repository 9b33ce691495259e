/**
 * 智能辅助: the answers the knowledge base suggests for a visitor question, as pushed by the server in
 * an `assist.suggested` event. The payload is read defensively: the first suggestion is the answer,
 * the rest are alternatives.
 */
export interface AssistSuggestion {
  conversationId: string;
  question: string;
  answers: string[];
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of ['answer', 'text', 'content']) {
      if (typeof record[key] === 'string' && (record[key] as string).trim()) return (record[key] as string).trim();
    }
  }
  return null;
}

/** Reads an `assist.suggested` payload; null when it names no conversation or carries no answer. */
export function parseAssistPayload(payload: Record<string, unknown>): AssistSuggestion | null {
  const conversationId = payload['conversationId'];
  if (typeof conversationId !== 'string') return null;
  const listed = [payload['answer'], ...(Array.isArray(payload['suggestions']) ? payload['suggestions'] : []), ...(Array.isArray(payload['alternatives']) ? payload['alternatives'] : [])];
  const answers = [...new Set(listed.map(textOf).filter((text): text is string => text !== null))];
  if (answers.length === 0) return null;
  // The server names the matched knowledge-base question on each suggestion; the first is the best match.
  const first = Array.isArray(payload['suggestions']) ? (payload['suggestions'][0] as Record<string, unknown> | undefined) : undefined;
  const question = typeof payload['question'] === 'string' ? payload['question'] : typeof first?.['question'] === 'string' ? first['question'] : '';
  return { conversationId, question, answers };
}

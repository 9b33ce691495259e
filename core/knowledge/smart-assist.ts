import type { KnowledgeService } from './knowledge-service.ts';

/** One answer offered to the agent (智能辅助), best first. */
export interface AssistSuggestion {
  itemId: string;
  question: string;
  answer: string;
  confidence: number;
}

/** How many answers the agent is offered for one visitor message. */
export const ASSIST_LIMIT = 3;

/**
 * Answers to offer the agent for a visitor message: the best candidate and alternatives. The agent
 * judges them, so the floor is half the bot's low threshold rather than the threshold itself; a
 * message with nothing that close gets no suggestions.
 */
export async function suggestAnswers(service: KnowledgeService, text: string): Promise<AssistSuggestion[]> {
  if (!text.trim()) return [];
  const { low } = await service.thresholds();
  return service
    .search(text, ASSIST_LIMIT)
    .filter((c) => c.confidence >= low / 2)
    .map((c) => ({ itemId: c.itemId, question: c.question, answer: c.answer, confidence: c.confidence }));
}

/**
 * Learning loop: an agent who replies with an item's answer word for word has confirmed that the
 * visitor's question asks for that item, so the question becomes a phrasing of it — at once or for
 * review per the `bot.learning` setting. Questions the bot already answers with that item at the
 * high threshold teach nothing and are skipped. Returns the items that learned.
 */
export async function learnFromAgentReply(
  service: KnowledgeService,
  reply: { agentText: string; visitorQuestion: string | null },
): Promise<{ itemId: string; outcome: 'added' | 'pending' }[]> {
  const question = reply.visitorQuestion?.trim();
  if (!question) return [];
  const items = service.itemsByAnswer(reply.agentText);
  if (items.length === 0) return [];
  const { learning, highThreshold } = await service.botSettings();
  if (learning === 'off') return [];
  const best = service.search(question, 1)[0];
  const learned: { itemId: string; outcome: 'added' | 'pending' }[] = [];
  for (const item of items) {
    if (best?.itemId === item.id && best.confidence >= highThreshold) continue;
    const outcome = await service.learnPhrasing(item.id, question, learning);
    if (outcome !== 'known') learned.push({ itemId: item.id, outcome });
  }
  return learned;
}

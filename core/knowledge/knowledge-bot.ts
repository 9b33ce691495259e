import type { Bot, BotContext, BotReply } from '../routing/bot-port.ts';
import { parseChoiceReply } from '../routing/keywords.ts';
import type { Answerer } from './answerer.ts';
import type { KnowledgeService } from './knowledge-service.ts';

/** What the bot reads about the conversation besides the visitor's message. */
export interface KnowledgeBotDeps {
  /** Questions offered by the bot's latest message in the conversation (您是不是想问), or none. */
  lastSuggestions(conversationId: string): Promise<string[]>;
  /** Records the bot's decision (for the answer rate); must not throw for a lost write. */
  recordReply(conversationId: string, data: { kind: BotReply['kind']; itemId?: string; confidence?: number }): Promise<void>;
  /** Answers questions instead of the plain knowledge base (e.g. the LLM answerer when enabled). */
  answerer?: Answerer;
}

/** How the visitor is asked to pick a suggestion on channels that cannot show buttons. */
export const CHOICE_HINT = '回复数字即可查看答案';

/**
 * The routing `Bot` backed by the knowledge base. A reply to a 您是不是想问 message — the number of
 * a suggestion (WeChat channels) or the suggested question itself (a click in the web widget) —
 * answers that item. Otherwise the question is retrieved: above the high threshold the answer,
 * between the thresholds up to three suggestions, numbered in the text and listed in `suggestions`,
 * below the low threshold a fallback with empty text (routing sends the configured fallback reply
 * and counts the miss).
 */
export function createKnowledgeBot(service: KnowledgeService, deps: KnowledgeBotDeps): Bot {
  return {
    async answer(text: string, ctx: BotContext): Promise<BotReply> {
      const picked = await pickedSuggestion(service, deps, text, ctx);
      if (picked) {
        await deps.recordReply(ctx.conversationId, { kind: 'answer', itemId: picked.id, confidence: 1 });
        return { kind: 'answer', text: picked.answer };
      }
      const result = deps.answerer ? await deps.answerer.answer(text, { channelId: ctx.channelId }) : await service.answer(text, ctx.channelId);
      const best = result.candidates[0];
      if (result.action === 'answer' && result.answer) {
        await deps.recordReply(ctx.conversationId, { kind: 'answer', itemId: result.itemId, confidence: best?.confidence });
        return { kind: 'answer', text: result.answer };
      }
      if (result.action === 'suggest' && result.suggestions.length > 0) {
        const { suggestPrefix } = await service.botSettings();
        const questions = result.suggestions.map((s) => s.question);
        await deps.recordReply(ctx.conversationId, { kind: 'suggest', itemId: best?.itemId, confidence: best?.confidence });
        return { kind: 'suggest', text: formatSuggestions(suggestPrefix, questions), suggestions: questions };
      }
      await deps.recordReply(ctx.conversationId, { kind: 'fallback', confidence: best?.confidence ?? 0 });
      return { kind: 'fallback', text: '' };
    },
  };
}

/** 您是不是想问： then one numbered question per line and how to pick one. */
export function formatSuggestions(prefix: string, questions: string[]): string {
  return [prefix, ...questions.map((q, i) => `${i + 1}. ${q}`), CHOICE_HINT].join('\n');
}

async function pickedSuggestion(service: KnowledgeService, deps: KnowledgeBotDeps, text: string, ctx: BotContext) {
  const offered = await deps.lastSuggestions(ctx.conversationId);
  if (offered.length === 0) return undefined;
  const choice = parseChoiceReply(text, offered.length);
  const question = choice !== null ? offered[choice - 1] : offered.find((q) => q.trim() === text.trim());
  return question ? service.itemByQuestion(question) : undefined;
}

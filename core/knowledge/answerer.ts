import { decide, DEFAULT_THRESHOLDS, type Candidate, type KnowledgeIndex, type Thresholds } from './knowledge-index.ts';

export interface AnswerContext {
  channelId: string;
}

/**
 * What the bot should do with a visitor question.
 * - `answer`: send `answer` (from item `itemId`).
 * - `suggest`: ask 您是不是想问 with `suggestions` (at most three, best first).
 * - `fallback`: send the channel's fallback reply; counts as a miss toward handing off.
 * `candidates` always holds the ranked matches, for smart assist and logs.
 */
export interface AnswerResult {
  action: 'answer' | 'suggest' | 'fallback';
  answer?: string;
  itemId?: string;
  suggestions: Candidate[];
  candidates: Candidate[];
  /** Which answerer produced the result; a generative answerer reports its own source. */
  source: 'knowledge-base' | 'llm';
}

/** The port the bot and smart assist call; implementations must not throw for an unanswerable question. */
export interface Answerer {
  answer(query: string, ctx: AnswerContext): Promise<AnswerResult>;
}

export interface KnowledgeBaseAnswererOptions {
  /** Thresholds per channel (bot settings are per channel); defaults to DEFAULT_THRESHOLDS. */
  thresholdsFor?: (channelId: string) => Thresholds;
  /** How many ranked candidates to keep for smart assist. */
  limit?: number;
}

/** Answers from the in-memory knowledge index alone: retrieval, then `decide()`. */
export class KnowledgeBaseAnswerer implements Answerer {
  constructor(
    private readonly index: KnowledgeIndex,
    private readonly options: KnowledgeBaseAnswererOptions = {},
  ) {}

  async answer(query: string, ctx: AnswerContext): Promise<AnswerResult> {
    const candidates = this.index.search(query, this.options.limit ?? 5);
    const thresholds = this.options.thresholdsFor?.(ctx.channelId) ?? DEFAULT_THRESHOLDS;
    const decision = decide(candidates, thresholds);
    const best = decision.candidates[0];
    if (decision.action === 'answer' && best) {
      return { action: 'answer', answer: best.answer, itemId: best.itemId, suggestions: [], candidates, source: 'knowledge-base' };
    }
    return { action: decision.action, suggestions: decision.action === 'suggest' ? decision.candidates : [], candidates, source: 'knowledge-base' };
  }
}

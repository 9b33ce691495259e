import { z } from 'zod';
import type { AnswerContext, Answerer, AnswerResult } from './answerer.ts';
import type { Candidate } from './knowledge-index.ts';

/** Settings key (table `settings`) holding `LlmSettings`. */
export const LLM_SETTINGS_KEY = 'knowledge.llm';

/**
 * The optional generative answerer, off by default. `baseUrl` is an OpenAI-compatible API root
 * (e.g. `http://127.0.0.1:8000/v1`); an empty `embeddingModel` skips semantic retrieval, an empty
 * `chatModel` skips generation. `apiKey` is a secret: no API returns it (see `redactLlmSettings`).
 */
export const llmSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  baseUrl: z.string().default(''),
  apiKey: z.string().default(''),
  embeddingModel: z.string().default(''),
  chatModel: z.string().default(''),
  timeoutMs: z.number().int().min(100).max(60_000).default(3000),
});
export type LlmSettings = z.infer<typeof llmSettingsSchema>;

/** Stored settings (any shape, possibly absent) read with defaults; malformed fields fall back to off. */
export function parseLlmSettings(value: unknown): LlmSettings {
  const parsed = llmSettingsSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : llmSettingsSchema.parse({});
}

/** Whether the settings name an endpoint the answerer can use. */
export function isLlmUsable(settings: LlmSettings): boolean {
  return settings.enabled && settings.baseUrl.trim() !== '' && (settings.chatModel !== '' || settings.embeddingModel !== '');
}

/** The settings as an API may show them: the key replaced by whether one is set. */
export function redactLlmSettings(settings: LlmSettings): Omit<LlmSettings, 'apiKey'> & { apiKeySet: boolean } {
  const { apiKey, ...rest } = settings;
  return { ...rest, apiKeySet: apiKey !== '' };
}

export interface LlmAnswererDeps {
  settings: LlmSettings;
  /** First-stage retrieval (BM25 over the knowledge index), best first. */
  search(query: string, limit: number): Candidate[];
  /** The plain knowledge-base answerer: used when the endpoint is slow, down, or cites nothing. */
  fallback: Answerer;
  fetch?: typeof fetch;
  onError?: (error: unknown) => void;
}

/** Candidates considered for semantic re-ranking. */
const RETRIEVAL_DEPTH = 20;
/** Items shown to the chat model: only the best few, so it cannot wander off the knowledge base. */
const PROMPT_ITEMS = 3;
/** Reciprocal-rank-fusion constant (Cormack et al.); damps the influence of any single ranking. */
const RRF_K = 60;
/** Below this BM25 confidence (best candidate) and without a semantic signal, nothing is sent to the model. */
const MIN_GROUNDING_CONFIDENCE = 0.2;

const SYSTEM_PROMPT = [
  '你是客服助手。只能依据下面给出的知识条目回答访客的问题，不得编造。',
  '回答要简短，并在句末用 [#条目id] 标注所依据的条目，例如 [#as-001]。',
  '如果这些条目都不能回答问题，只回复：无法回答',
].join('\n');

/**
 * Hybrid retrieval and grounded generation behind the `Answerer` port. Retrieval: the index's BM25
 * candidates, re-ranked by cosine similarity of embeddings (query vs. each item's question, cached
 * per item text) and fused with the BM25 order by reciprocal rank. Generation: the chat model sees
 * only the top items and must cite them as [#id]; an answer that cites none of them is not sent.
 * Any failure — timeout, refused connection, bad response, no citation — gives the plain
 * knowledge-base result, whose fallback counts toward the handoff as usual.
 */
export class LlmAnswerer implements Answerer {
  private readonly embeddings = new Map<string, number[]>();

  constructor(private readonly deps: LlmAnswererDeps) {}

  async answer(query: string, ctx: AnswerContext): Promise<AnswerResult> {
    const fallback = () => this.deps.fallback.answer(query, ctx);
    const candidates = this.deps.search(query, RETRIEVAL_DEPTH);
    if (candidates.length === 0) return fallback();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('llm endpoint timed out')), this.deps.settings.timeoutMs);
    try {
      const ranked = await this.fuse(query, candidates, controller.signal);
      if (!this.deps.settings.chatModel) return { ...(await fallback()), candidates: ranked.slice(0, 5) };
      if ((candidates[0]?.confidence ?? 0) < MIN_GROUNDING_CONFIDENCE && !this.deps.settings.embeddingModel) return fallback();
      const grounding = ranked.slice(0, PROMPT_ITEMS);
      const reply = await this.chat(query, grounding, controller.signal);
      const cited = citedIds(reply, grounding);
      if (cited.length === 0) return fallback();
      return {
        action: 'answer',
        answer: stripCitations(reply),
        itemId: cited[0],
        suggestions: [],
        candidates: ranked.slice(0, 5),
        source: 'llm',
      };
    } catch (error) {
      this.deps.onError?.(error);
      return fallback();
    } finally {
      clearTimeout(timer);
    }
  }

  /** BM25 order fused with embedding order (RRF); the BM25 order alone without an embedding model. */
  private async fuse(query: string, candidates: Candidate[], signal: AbortSignal): Promise<Candidate[]> {
    if (!this.deps.settings.embeddingModel) return candidates;
    const missing = candidates.map((c) => c.question).filter((text) => !this.embeddings.has(text));
    const vectors = await this.embed([query, ...new Set(missing)], signal);
    const [queryVector, ...itemVectors] = vectors;
    [...new Set(missing)].forEach((text, i) => this.embeddings.set(text, itemVectors[i]!));
    const bySimilarity = candidates
      .map((candidate, bm25Rank) => ({ candidate, bm25Rank, similarity: cosine(queryVector!, this.embeddings.get(candidate.question)!) }))
      .sort((a, b) => b.similarity - a.similarity);
    return bySimilarity
      .map((entry, semanticRank) => ({ entry, fused: 1 / (RRF_K + entry.bm25Rank + 1) + 1 / (RRF_K + semanticRank + 1) }))
      .sort((a, b) => b.fused - a.fused)
      .map(({ entry }) => entry.candidate);
  }

  private async embed(input: string[], signal: AbortSignal): Promise<number[][]> {
    const body = await this.post('/embeddings', { model: this.deps.settings.embeddingModel, input }, signal);
    const parsed = z.object({ data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().optional() })) }).parse(body);
    if (parsed.data.length !== input.length) throw new Error(`embeddings endpoint returned ${parsed.data.length} vectors for ${input.length} inputs`);
    return [...parsed.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((d) => d.embedding);
  }

  private async chat(query: string, items: Candidate[], signal: AbortSignal): Promise<string> {
    const context = items.map((item) => `[#${item.itemId}] 问：${item.question}\n答：${item.answer}`).join('\n\n');
    const body = await this.post(
      '/chat/completions',
      {
        model: this.deps.settings.chatModel,
        temperature: 0,
        messages: [
          { role: 'system', content: `${SYSTEM_PROMPT}\n\n知识条目：\n${context}` },
          { role: 'user', content: query },
        ],
      },
      signal,
    );
    const parsed = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1) }).parse(body);
    return parsed.choices[0]!.message.content ?? '';
  }

  private async post(path: string, payload: unknown, signal: AbortSignal): Promise<unknown> {
    const { baseUrl, apiKey } = this.deps.settings;
    const doFetch = this.deps.fetch ?? fetch;
    const response = await doFetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify(payload),
      signal,
    });
    if (!response.ok) throw new Error(`llm endpoint ${path} answered HTTP ${response.status}`);
    return response.json();
  }
}

/** Ids cited as [#id] that belong to the items the model was given, in order of first citation. */
export function citedIds(text: string, items: Pick<Candidate, 'itemId'>[]): string[] {
  const allowed = new Set(items.map((item) => item.itemId));
  const cited: string[] = [];
  for (const match of text.matchAll(/\[#([^\]\s]+)\]/g)) {
    const id = match[1]!;
    if (allowed.has(id) && !cited.includes(id)) cited.push(id);
  }
  return cited;
}

function stripCitations(text: string): string {
  return text.replace(/\s*\[#[^\]\s]+\]/g, '').trim();
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

import type { EventBus } from '../ports.ts';
import { AppError } from '../errors.ts';
import { KnowledgeBaseAnswerer, type AnswerResult } from './answerer.ts';
import { KnowledgeIndex, type Candidate, type KnowledgeDoc, type Thresholds } from './knowledge-index.ts';
import { normalizeText } from './normalize.ts';

/** A knowledge item as stored (prisma model KnowledgeItem). */
export interface KnowledgeItemRecord {
  id: string;
  question: string;
  /** 相似问法 */
  phrasings: string[];
  answer: string;
  answerImageUrl: string | null;
  category: string | null;
  enabled: boolean;
  /** written | imported | captured */
  source: string;
  sourceConversationId: string | null;
  /** Learned phrasings waiting for an admin's review. */
  pendingPhrasings: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface KnowledgeItemInput {
  question: string;
  phrasings?: string[];
  answer: string;
  answerImageUrl?: string | null;
  category?: string | null;
  enabled?: boolean;
  source?: 'written' | 'imported' | 'captured';
  sourceConversationId?: string | null;
}

export type KnowledgeItemPatch = Partial<Omit<KnowledgeItemInput, 'source' | 'sourceConversationId'>> & { pendingPhrasings?: string[] };

/** Admin-extended retrieval vocabulary: product terms kept whole, and synonym groups. */
export interface KnowledgeVocabulary {
  userWords: string[];
  synonyms: string[][];
}

/** Where knowledge items and the admin vocabulary are kept. */
export interface KnowledgeStore {
  listAll(): Promise<KnowledgeItemRecord[]>;
  get(id: string): Promise<KnowledgeItemRecord | null>;
  create(input: KnowledgeItemInput): Promise<KnowledgeItemRecord>;
  createMany(inputs: KnowledgeItemInput[]): Promise<string[]>;
  /** null when the item does not exist. */
  update(id: string, patch: KnowledgeItemPatch): Promise<KnowledgeItemRecord | null>;
  remove(id: string): Promise<KnowledgeItemRecord | null>;
  setEnabled(ids: string[], enabled: boolean): Promise<string[]>;
  /** Appends a phrasing (or a pending phrasing) unless the item already holds it; atomic per item. */
  appendPhrasing(id: string, phrasing: string, pending: boolean): Promise<KnowledgeItemRecord | null>;
  readVocabulary(): Promise<KnowledgeVocabulary>;
  writeVocabulary(vocabulary: KnowledgeVocabulary, updatedBy: string | null): Promise<void>;
}

/** The bot settings the service reads (settings key `bot`). */
export interface KnowledgeBotSettings {
  highThreshold: number;
  lowThreshold: number;
  suggestPrefix: string;
  learning: 'auto' | 'review' | 'off';
}

/** `notice` kind that tells every process to reload knowledge items (payload `{id}`, `{ids}` or `{all: true}`). */
export const KNOWLEDGE_CHANGED_NOTICE = 'knowledge.changed';
/** `notice` kind that tells every process the admin vocabulary changed (the index is rebuilt). */
export const KNOWLEDGE_VOCABULARY_NOTICE = 'knowledge.vocabulary';

export interface KnowledgeServiceDeps {
  store: KnowledgeStore;
  bus: EventBus;
  botSettings: () => Promise<KnowledgeBotSettings>;
  onError?: (error: unknown) => void;
}

/**
 * The knowledge base of one process: every item held in an in-memory `KnowledgeIndex`, loaded at
 * `start()` and kept current across processes. Every change goes through this service, which
 * persists it, applies it to the local index at once (so a captured Q&A answers the next visitor
 * in this process immediately) and announces it on the bus so other processes reload the item.
 * Bus delivery is at-most-once: a process that misses a notice serves a stale item until the next
 * change of that item or a restart.
 */
export class KnowledgeService {
  private index = new KnowledgeIndex();
  private readonly byQuestion = new Map<string, string>();
  private readonly byAnswer = new Map<string, Set<string>>();
  private unsubscribe?: () => void;

  constructor(private readonly deps: KnowledgeServiceDeps) {}

  async start(): Promise<void> {
    // Building an index loads the segmenter's dictionaries: reuse the empty one unless the vocabulary needs another.
    const vocabulary = await this.deps.store.readVocabulary();
    if (vocabulary.userWords.length > 0 || vocabulary.synonyms.length > 0) this.index = new KnowledgeIndex(vocabulary);
    this.load(await this.deps.store.listAll());
    this.unsubscribe = this.deps.bus.subscribe((event) => {
      if (event.name !== 'notice') return;
      if (event.kind === KNOWLEDGE_CHANGED_NOTICE) void this.applyNotice(event.payload).catch((error) => this.deps.onError?.(error));
      if (event.kind === KNOWLEDGE_VOCABULARY_NOTICE) void this.rebuild().catch((error) => this.deps.onError?.(error));
    });
  }

  close(): void {
    this.unsubscribe?.();
  }

  /** Items held by the index, enabled or not. */
  get size(): number {
    return this.index.size;
  }

  /** Ranked candidates, best first; disabled items never appear. */
  search(query: string, limit = 5): Candidate[] {
    return this.index.search(query, limit);
  }

  /** What the bot should do with a visitor question under the current bot thresholds. */
  async answer(query: string, channelId: string): Promise<AnswerResult> {
    const thresholds = await this.thresholds();
    return new KnowledgeBaseAnswerer(this.index, { thresholdsFor: () => thresholds }).answer(query, { channelId });
  }

  async thresholds(): Promise<Thresholds> {
    const settings = await this.deps.botSettings();
    return { high: settings.highThreshold, low: settings.lowThreshold };
  }

  botSettings(): Promise<KnowledgeBotSettings> {
    return this.deps.botSettings();
  }

  /** The enabled item whose standard question is this text (after normalization), if any. */
  itemByQuestion(question: string): KnowledgeDoc | undefined {
    const id = this.byQuestion.get(keyOf(question));
    const doc = id ? this.index.get(id) : undefined;
    return doc?.enabled ? doc : undefined;
  }

  /** Enabled items whose answer is exactly this text (after normalization): an agent reused it. */
  itemsByAnswer(answer: string): KnowledgeDoc[] {
    const ids = this.byAnswer.get(keyOf(answer)) ?? new Set<string>();
    return [...ids].map((id) => this.index.get(id)).filter((doc): doc is KnowledgeDoc => !!doc?.enabled);
  }

  get(id: string): KnowledgeDoc | undefined {
    return this.index.get(id);
  }

  async create(input: KnowledgeItemInput): Promise<KnowledgeItemRecord> {
    const row = await this.deps.store.create(cleanInput(input));
    await this.changed([row.id]);
    return row;
  }

  /** Creates many items (an import); one reload notice for all of them. */
  async createMany(inputs: KnowledgeItemInput[]): Promise<string[]> {
    if (inputs.length === 0) return [];
    const ids = await this.deps.store.createMany(inputs.map(cleanInput));
    await this.changed(ids);
    return ids;
  }

  async update(id: string, patch: KnowledgeItemPatch): Promise<KnowledgeItemRecord> {
    const row = await this.deps.store.update(id, cleanPatch(patch));
    if (!row) throw notFound();
    await this.changed([id]);
    return row;
  }

  async remove(id: string): Promise<KnowledgeItemRecord> {
    const row = await this.deps.store.remove(id);
    if (!row) throw notFound();
    await this.changed([id]);
    return row;
  }

  /** Bulk enable / disable; returns the ids that exist. */
  async setEnabled(ids: string[], enabled: boolean): Promise<string[]> {
    const found = await this.deps.store.setEnabled(ids, enabled);
    await this.changed(found);
    return found;
  }

  /**
   * Adds a visitor question to an item: as a phrasing at once (`auto`) or for review (`review`).
   * A question the item already holds, in either list, is ignored. Returns what was done.
   */
  async learnPhrasing(id: string, question: string, mode: 'auto' | 'review'): Promise<'added' | 'pending' | 'known'> {
    const text = question.trim().slice(0, 200);
    const current = this.index.get(id);
    if (!text || !current) return 'known';
    const key = keyOf(text);
    if ([current.question, ...current.phrasings].some((known) => keyOf(known) === key)) return 'known';
    const row = await this.deps.store.appendPhrasing(id, text, mode === 'review');
    if (!row) return 'known';
    if (mode === 'auto') await this.changed([id]);
    return mode === 'auto' ? 'added' : 'pending';
  }

  /** Moves a pending phrasing into the item's phrasings. */
  async approvePhrasing(id: string, phrasing: string): Promise<KnowledgeItemRecord> {
    const row = await this.deps.store.get(id);
    if (!row) throw notFound();
    if (!row.pendingPhrasings.includes(phrasing)) throw new AppError('not_found', { userMessage: 'No such pending phrasing.' });
    const phrasings = row.phrasings.includes(phrasing) ? row.phrasings : [...row.phrasings, phrasing];
    return this.update(id, { phrasings, pendingPhrasings: row.pendingPhrasings.filter((p) => p !== phrasing) });
  }

  /** Drops a pending phrasing. */
  async rejectPhrasing(id: string, phrasing: string): Promise<KnowledgeItemRecord> {
    const row = await this.deps.store.get(id);
    if (!row) throw notFound();
    if (!row.pendingPhrasings.includes(phrasing)) throw new AppError('not_found', { userMessage: 'No such pending phrasing.' });
    return this.update(id, { pendingPhrasings: row.pendingPhrasings.filter((p) => p !== phrasing) });
  }

  vocabulary(): Promise<KnowledgeVocabulary> {
    return this.deps.store.readVocabulary();
  }

  /** Replaces the admin vocabulary and rebuilds the index in every process. */
  async setVocabulary(vocabulary: KnowledgeVocabulary, updatedBy: string | null): Promise<KnowledgeVocabulary> {
    const clean: KnowledgeVocabulary = {
      userWords: [...new Set(vocabulary.userWords.map((w) => w.trim()).filter(Boolean))],
      synonyms: vocabulary.synonyms.map((group) => [...new Set(group.map((w) => w.trim()).filter(Boolean))]).filter((group) => group.length > 1),
    };
    await this.deps.store.writeVocabulary(clean, updatedBy);
    await this.rebuild();
    await this.deps.bus.publish({ name: 'notice', audience: 'admins', kind: KNOWLEDGE_VOCABULARY_NOTICE, payload: {} });
    return clean;
  }

  /** Reloads everything from the store into a fresh index (start, vocabulary change). */
  async rebuild(): Promise<void> {
    const [rows, vocabulary] = await Promise.all([this.deps.store.listAll(), this.deps.store.readVocabulary()]);
    this.index = new KnowledgeIndex({ userWords: vocabulary.userWords, synonyms: vocabulary.synonyms });
    this.load(rows);
  }

  private load(rows: KnowledgeItemRecord[]): void {
    this.byQuestion.clear();
    this.byAnswer.clear();
    for (const row of rows) this.put(row);
  }

  /** Reloads the given items from the store; an item gone from the store leaves the index. */
  async reload(ids: string[]): Promise<void> {
    for (const id of ids) {
      const row = await this.deps.store.get(id);
      this.drop(id);
      if (row) this.put(row);
    }
  }

  private async changed(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.reload(ids);
    const payload = ids.length === 1 ? { id: ids[0] } : { ids };
    await this.deps.bus.publish({ name: 'notice', audience: 'admins', kind: KNOWLEDGE_CHANGED_NOTICE, payload });
  }

  private async applyNotice(payload: Record<string, unknown>): Promise<void> {
    if (payload.all === true) return this.rebuild();
    const ids = typeof payload.id === 'string' ? [payload.id] : Array.isArray(payload.ids) ? payload.ids.filter((id): id is string => typeof id === 'string') : [];
    await this.reload(ids);
  }

  private put(row: KnowledgeItemRecord): void {
    this.index.upsert({ id: row.id, question: row.question, phrasings: row.phrasings, answer: row.answer, category: row.category ?? undefined, enabled: row.enabled });
    this.byQuestion.set(keyOf(row.question), row.id);
    const answerKey = keyOf(row.answer);
    if (!this.byAnswer.has(answerKey)) this.byAnswer.set(answerKey, new Set());
    this.byAnswer.get(answerKey)!.add(row.id);
  }

  private drop(id: string): void {
    const doc = this.index.get(id);
    if (!doc) return;
    if (this.byQuestion.get(keyOf(doc.question)) === id) this.byQuestion.delete(keyOf(doc.question));
    this.byAnswer.get(keyOf(doc.answer))?.delete(id);
    this.index.remove(id);
  }
}

/** Comparison key of a question or answer: normalized, without spaces. */
function keyOf(text: string): string {
  return normalizeText(text).replace(/\s+/g, '');
}

function cleanList(list: string[] | undefined): string[] {
  return [...new Set((list ?? []).map((p) => p.trim()).filter(Boolean))];
}

function cleanInput(input: KnowledgeItemInput): KnowledgeItemInput {
  return { ...input, question: input.question.trim(), answer: input.answer.trim(), phrasings: cleanList(input.phrasings) };
}

function cleanPatch(patch: KnowledgeItemPatch): KnowledgeItemPatch {
  const clean: KnowledgeItemPatch = { ...patch };
  if (patch.question !== undefined) clean.question = patch.question.trim();
  if (patch.answer !== undefined) clean.answer = patch.answer.trim();
  if (patch.phrasings !== undefined) clean.phrasings = cleanList(patch.phrasings);
  if (patch.pendingPhrasings !== undefined) clean.pendingPhrasings = cleanList(patch.pendingPhrasings);
  return clean;
}

const notFound = () => new AppError('not_found', { userMessage: 'No such knowledge item.' });

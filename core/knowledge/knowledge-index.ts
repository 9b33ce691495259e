import type { Candidate } from './candidate-decision.ts';
import type { KnowledgeDoc } from './knowledge-doc.ts';
import { ANSWER_UNIT, PostingsIndex, QUESTION_UNIT, type ItemEntry, type UnitText } from './postings-index.ts';
import { combinedOf, confidenceOf, coverageOf, gramCoverageOf, round, selectTopEntries, type Features } from './ranking.ts';
import { Segmenter } from './segmenter.ts';
import { SynonymLexicon } from './synonym-lexicon.ts';
import { TextAnalyzer, type AnalyzedText } from './text-analyzer.ts';

export { decide, DEFAULT_THRESHOLDS, MAX_SUGGESTIONS, type Candidate, type Thresholds } from './candidate-decision.ts';
export type { KnowledgeDoc } from './knowledge-doc.ts';
export type { Features } from './ranking.ts';

export interface KnowledgeIndexOptions {
  /** Product terms the segmenter must keep whole. */
  userWords?: string[];
  /** Synonym groups added to the shipped lexicon. */
  synonyms?: string[][];
  /** Replace the shipped lexicon instead of extending it (tests, other languages of service). */
  shippedSynonyms?: boolean;
}

/** First-stage candidates handed to the coverage re-rank. */
const RERANK_DEPTH = 30;

/**
 * In-memory retrieval over knowledge items, made for short Chinese questions worded differently from
 * the FAQ. Two stages: BM25 over questions, phrasings (each its own unit; an item scores by its best
 * one) and answers (weighted down), with synonym concepts, words and character bigrams as terms; then
 * a re-rank on how much of the query the item covers and how much of the item the query covers.
 * Disabled items are held but never returned. Not thread-safe; one index per process, updated in place.
 */
export class KnowledgeIndex extends PostingsIndex {
  private readonly segmenter: Segmenter;
  private readonly lexicon: SynonymLexicon;
  private readonly analyzer: TextAnalyzer;

  private readonly docs = new Map<string, KnowledgeDoc>();

  constructor(options: KnowledgeIndexOptions = {}) {
    super();
    this.lexicon = options.shippedSynonyms === false ? new SynonymLexicon() : SynonymLexicon.shipped();
    if (options.synonyms) this.lexicon.addGroups(options.synonyms);
    this.segmenter = new Segmenter(options.userWords ?? []);
    this.segmenter.addLexiconWords(this.lexicon.words());
    this.analyzer = new TextAnalyzer(this.segmenter, this.lexicon);
  }

  /** Number of items held, enabled or not. */
  get size(): number {
    return this.docs.size;
  }

  /** The item as last upserted, or undefined. */
  get(id: string): KnowledgeDoc | undefined {
    return this.docs.get(id);
  }

  /** Adds or replaces an item; a disabled item is kept but leaves the searchable set. */
  upsert(doc: KnowledgeDoc): void {
    this.unindex(doc.id);
    const copy: KnowledgeDoc = { ...doc, phrasings: [...doc.phrasings] };
    this.docs.set(doc.id, copy);
    if (copy.enabled) this.indexDoc(copy);
    this.compactIfWasteful();
  }

  /** Forgets an item; unknown ids are ignored. */
  remove(id: string): void {
    this.unindex(id);
    this.docs.delete(id);
    this.compactIfWasteful();
  }

  /** Adds product terms to the segmenter and re-indexes what they change. */
  addUserWords(words: string[]): void {
    if (this.segmenter.addUserWords(words) > 0) this.reindexAll();
  }

  /** Adds synonym groups (admin-defined) and re-indexes. */
  addSynonyms(groups: string[][]): void {
    this.lexicon.addGroups(groups);
    this.segmenter.addLexiconWords(this.lexicon.words());
    this.reindexAll();
  }

  /** How a text is seen by the index; for admin diagnostics and tests. */
  analyze(text: string): AnalyzedText {
    return this.analyzer.analyze(text);
  }

  /**
   * Ranked candidates for a visitor question, best first, at most `limit`; never a disabled item.
   * An empty or contentless query gives an empty list.
   */
  search(query: string, limit = 5): Candidate[] {
    const matches = this.explain(query).sort((a, b) => b.rank - a.rank);
    const margin = (matches[0]?.rank ?? 0) - (matches[1]?.rank ?? 0);
    return matches.slice(0, limit).map((match, position) => ({
      itemId: match.doc.id,
      question: match.doc.question,
      answer: match.doc.answer,
      score: round(match.rank),
      confidence: round(confidenceOf(match.features, position === 0 ? margin : 0)),
    }));
  }

  /**
   * First-stage candidates with the features the re-rank and confidence use, unsorted; for tuning
   * and admin diagnostics ("why did the bot pick this?").
   */
  explain(query: string): { doc: KnowledgeDoc; rank: number; features: Features }[] {
    const analyzed = this.analyzer.analyze(query);
    const querySlots = analyzed.slots
      .map((slot) => slot.map((term) => this.termIds.get(term) ?? -1))
      .map((ids) => ({ known: ids.filter((id) => id >= 0), weight: this.slotWeight(ids) }));
    const queryGrams = [...new Set(analyzed.grams)].map((gram) => this.termIds.get(gram) ?? -1);
    if (querySlots.length === 0 && queryGrams.length === 0) return [];

    const touchedUnits: number[] = [];
    const common = this.commonTermLimit();
    for (const slot of querySlots) this.accumulateSlot(slot.known.filter((id) => this.df[id]! <= common), touchedUnits);
    for (const gram of queryGrams) if (gram >= 0 && this.df[gram]! <= common) this.accumulateSlot([gram], touchedUnits);
    if (touchedUnits.length === 0) for (const slot of querySlots) this.accumulateSlot(slot.known, touchedUnits);

    const touchedEntries: number[] = [];
    const unitScore = this.unitScore;
    const questionScore = this.entryQuestionScore;
    const answerScore = this.entryAnswerScore;
    for (const unit of touchedUnits) {
      const entry = this.unitEntry[unit]!;
      const score = unitScore[unit]!;
      unitScore[unit] = 0;
      if (this.entryTouched[entry] === 0) {
        this.entryTouched[entry] = 1;
        touchedEntries.push(entry);
      }
      if (this.unitKind[unit] === ANSWER_UNIT) answerScore[entry] = score;
      else if (score > questionScore[entry]!) questionScore[entry] = score;
    }
    const first = selectTopEntries(touchedEntries, questionScore, answerScore, RERANK_DEPTH);
    for (const entry of touchedEntries) {
      this.entryTouched[entry] = 0;
      questionScore[entry] = 0;
      answerScore[entry] = 0;
    }
    const topScore = first[0]?.score || 1;

    const queryTerms = new Set<number>();
    for (const slot of querySlots) for (const id of slot.known) queryTerms.add(id);
    const gramWeights = queryGrams.map((id) => this.idf(id));
    return first.map(({ entry, score }) => {
      const features = this.featuresOf(entry, score / topScore, querySlots, queryGrams, gramWeights, queryTerms);
      const doc = this.entries[entry]!.doc;
      return { doc, rank: combinedOf(features), features };
    });
  }

  private featuresOf(
    entry: number,
    relativeScore: number,
    querySlots: { known: number[]; weight: number }[],
    queryGrams: number[],
    gramWeights: number[],
    queryTerms: Set<number>,
  ): Features {
    const item = this.entries[entry];
    if (!item) throw new Error(`knowledge index entry ${entry} vanished during search`);
    let best: Features | undefined;
    let answerCoverage = 0;
    const questionTerms: Set<number>[] = [];
    for (const unit of item.units) {
      const text = this.unitText[unit];
      if (!text) continue;
      if (this.unitKind[unit] === ANSWER_UNIT) {
        answerCoverage = coverageOf(querySlots, [text.termSet]);
        continue;
      }
      questionTerms.push(text.termSet);
      const features: Features = {
        queryCoverage: coverageOf(querySlots, [text.termSet]),
        unionCoverage: 0,
        itemCoverage: this.itemCoverage(text, queryTerms),
        gramCoverage: gramCoverageOf(queryGrams, gramWeights, text.termSet),
        answerCoverage: 0,
        relativeScore,
      };
      if (!best || combinedOf(features) > combinedOf(best)) best = features;
    }
    const features = best ?? { queryCoverage: 0, unionCoverage: 0, itemCoverage: 0, gramCoverage: 0, answerCoverage: 0, relativeScore };
    features.answerCoverage = answerCoverage;
    features.unionCoverage = coverageOf(querySlots, questionTerms);
    return features;
  }

  private itemCoverage(text: UnitText, queryTerms: Set<number>): number {
    let total = 0;
    let matched = 0;
    for (const slot of text.slots) {
      const weight = this.slotWeight(slot);
      total += weight;
      if (slot.some((id) => queryTerms.has(id))) matched += weight;
    }
    return total === 0 ? 0 : matched / total;
  }

  private indexDoc(doc: KnowledgeDoc): void {
    const entry = this.entries.length;
    const item: ItemEntry = { doc, units: [] };
    this.entries.push(item);
    this.entryOf.set(doc.id, entry);
    const questions = [doc.question, ...doc.phrasings].filter((text) => text.trim());
    for (const text of new Set(questions)) item.units.push(this.addUnit(entry, QUESTION_UNIT, this.analyzer.analyze(text)));
    if (doc.answer.trim()) item.units.push(this.addUnit(entry, ANSWER_UNIT, this.analyzer.analyze(doc.answer)));
    this.ensureCapacity();
  }

  /** Rebuilds once replaced or removed items make up most of the postings. */
  private compactIfWasteful(): void {
    if (this.deadUnits > 1000 && this.deadUnits > this.unitEntry.length / 2) this.reindexAll();
  }

  private reindexAll(): void {
    const docs = [...this.docs.values()];
    this.entries.length = 0;
    this.entryOf.clear();
    this.termIds.clear();
    this.termKindWeight.length = 0;
    this.df.length = 0;
    this.postings.length = 0;
    this.unitEntry.length = 0;
    this.unitKind.length = 0;
    this.unitAlive.length = 0;
    this.unitText.length = 0;
    this.liveUnits.fill(0);
    this.deadUnits = 0;
    for (const doc of docs) if (doc.enabled) this.indexDoc(doc);
  }
}

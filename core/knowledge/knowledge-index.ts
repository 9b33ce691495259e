import { Segmenter } from './segmenter.ts';
import { SynonymLexicon } from './synonym-lexicon.ts';
import { TextAnalyzer, type AnalyzedText } from './text-analyzer.ts';

/** A knowledge item as retrieval sees it: a standard question, its similar phrasings (相似问法), the answer. */
export interface KnowledgeDoc {
  id: string;
  question: string;
  phrasings: string[];
  answer: string;
  category?: string;
  enabled: boolean;
}

/** One ranked match. `score` orders candidates of one query; `confidence` (0..1) compares across queries. */
export interface Candidate {
  itemId: string;
  question: string;
  answer: string;
  score: number;
  /** Estimated probability that this item answers the query, calibrated on the evaluation set. */
  confidence: number;
}

/** Confidence cut-offs: at or above `high` the bot answers; at or above `low` it suggests (您是不是想问). */
export interface Thresholds {
  high: number;
  low: number;
}

/**
 * On the evaluation set these answer about half of visitor questions with ~87% precision while
 * refusing over 90% of questions the knowledge base cannot answer.
 */
export const DEFAULT_THRESHOLDS: Thresholds = { high: 0.65, low: 0.35 };

/** How many questions a suggestion (您是不是想问) offers at most. */
export const MAX_SUGGESTIONS = 3;

export interface KnowledgeIndexOptions {
  /** Product terms the segmenter must keep whole. */
  userWords?: string[];
  /** Synonym groups added to the shipped lexicon. */
  synonyms?: string[][];
  /** Replace the shipped lexicon instead of extending it (tests, other languages of service). */
  shippedSynonyms?: boolean;
}

const BM25_K1 = 1.2;
const BM25_B = 0.75;
/** Term kinds weigh differently: a concept or word match means more than a shared character pair. */
const KIND_WEIGHT = { c: 1, w: 1, b: 0.35 } as const;
/** Answers are long and wordy; they support a match but must not drive it. */
const ANSWER_WEIGHT = 0.3;
/**
 * Length against which BM25 normalizes, per unit kind (weighted slots). Fixed rather than the running
 * average so term weights can be computed once at indexing time.
 */
const TYPICAL_LENGTH = [4, 12];
/** See `commonTermLimit`. */
const COMMON_TERM_FLOOR = 1500;
const COMMON_TERM_SHARE = 0.02;
/** First-stage candidates handed to the coverage re-rank. */
const RERANK_DEPTH = 30;

const QUESTION_UNIT = 0;
const ANSWER_UNIT = 1;

interface UnitText {
  /** Per slot, the ids of its terms (unknown terms dropped at query time, kept at index time). */
  slots: number[][];
  termSet: Set<number>;
}

interface ItemEntry {
  doc: KnowledgeDoc;
  units: number[];
}

/**
 * In-memory retrieval over knowledge items, made for short Chinese questions worded differently from
 * the FAQ. Two stages: BM25 over questions, phrasings (each its own unit; an item scores by its best
 * one) and answers (weighted down), with synonym concepts, words and character bigrams as terms; then
 * a re-rank on how much of the query the item covers and how much of the item the query covers.
 * Disabled items are held but never returned. Not thread-safe; one index per process, updated in place.
 */
export class KnowledgeIndex {
  private readonly segmenter: Segmenter;
  private readonly lexicon: SynonymLexicon;
  private readonly analyzer: TextAnalyzer;

  private readonly docs = new Map<string, KnowledgeDoc>();
  private readonly entries: (ItemEntry | undefined)[] = [];
  private readonly entryOf = new Map<string, number>();

  private readonly termIds = new Map<string, number>();
  private readonly termKindWeight: number[] = [];
  private readonly df: number[] = [];
  private readonly postings: number[][] = [];

  private readonly unitEntry: number[] = [];
  private readonly unitKind: number[] = [];
  private readonly unitAlive: boolean[] = [];
  private readonly unitText: (UnitText | undefined)[] = [];
  private readonly liveUnits = [0, 0];
  private deadUnits = 0;

  private unitScore = new Float64Array(0);
  private slotScore = new Float64Array(0);
  private entryQuestionScore = new Float64Array(0);
  private entryAnswerScore = new Float64Array(0);
  private entryTouched = new Uint8Array(0);

  constructor(options: KnowledgeIndexOptions = {}) {
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

  /**
   * Terms in more units than this are left out of the first stage of a large index: they would
   * visit thousands of postings to add almost nothing to the ranking, and the re-rank still counts
   * them through coverage. Small indexes use every term.
   */
  private commonTermLimit(): number {
    const units = this.liveUnits[QUESTION_UNIT]! + this.liveUnits[ANSWER_UNIT]!;
    return Math.max(COMMON_TERM_FLOOR, units * COMMON_TERM_SHARE);
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

  /** A slot is as informative as its rarest term; an unknown term counts as never seen. */
  private slotWeight(ids: number[]): number {
    let weight = 0;
    for (const id of ids) weight = Math.max(weight, this.idf(id));
    return weight;
  }

  private idf(id: number): number {
    const n = this.liveUnits[QUESTION_UNIT]! + this.liveUnits[ANSWER_UNIT]!;
    const df = id >= 0 ? (this.df[id] ?? 0) : 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private accumulateSlot(ids: number[], touched: number[]): void {
    const slotTouched: number[] = [];
    const slotScore = this.slotScore;
    const alive = this.unitAlive;
    for (const id of ids) {
      const list = this.postings[id];
      if (!list) continue;
      const weight = this.idf(id) * this.termKindWeight[id]!;
      for (let i = 0; i < list.length; i += 2) {
        const unit = list[i]!;
        if (!alive[unit]) continue;
        const score = weight * list[i + 1]!;
        const previous = slotScore[unit]!;
        if (previous === 0) slotTouched.push(unit);
        if (score > previous) slotScore[unit] = score;
      }
    }
    for (const unit of slotTouched) {
      if (this.unitScore[unit] === 0) touched.push(unit);
      this.unitScore[unit] = this.unitScore[unit]! + slotScore[unit]!;
      slotScore[unit] = 0;
    }
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

  private addUnit(entry: number, kind: number, analyzed: AnalyzedText): number {
    const unit = this.unitEntry.length;
    const counts = new Map<number, number>();
    const slots = analyzed.slots.map((slot) => slot.map((term) => this.internTerm(term)));
    for (const slot of slots) for (const id of slot) counts.set(id, (counts.get(id) ?? 0) + 1);
    // Bigrams of long answers match almost anything; answers take part through their words only.
    const grams = kind === ANSWER_UNIT ? [] : analyzed.grams.map((gram) => this.internTerm(gram));
    for (const id of grams) counts.set(id, (counts.get(id) ?? 0) + 1);
    const length = slots.length + grams.length * KIND_WEIGHT.b;
    const norm = 1 - BM25_B + (BM25_B * length) / TYPICAL_LENGTH[kind]!;
    for (const [id, tf] of counts) {
      this.postings[id]!.push(unit, (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * norm));
      this.df[id] = this.df[id]! + 1;
    }
    this.unitEntry.push(entry);
    this.unitKind.push(kind);
    this.unitAlive.push(true);
    this.unitText.push({ slots, termSet: new Set(counts.keys()) });
    this.liveUnits[kind] = this.liveUnits[kind]! + 1;
    return unit;
  }

  private internTerm(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.df.length;
      this.termIds.set(term, id);
      this.df.push(0);
      this.postings.push([]);
      this.termKindWeight.push(KIND_WEIGHT[term[0] as keyof typeof KIND_WEIGHT] ?? 1);
    }
    return id;
  }

  private unindex(id: string): void {
    const entry = this.entryOf.get(id);
    if (entry === undefined) return;
    const item = this.entries[entry];
    this.entryOf.delete(id);
    this.entries[entry] = undefined;
    for (const unit of item?.units ?? []) {
      const text = this.unitText[unit];
      if (text) for (const term of text.termSet) this.df[term] = this.df[term]! - 1;
      const kind = this.unitKind[unit]!;
      this.unitAlive[unit] = false;
      this.unitText[unit] = undefined;
      this.liveUnits[kind] = this.liveUnits[kind]! - 1;
      this.deadUnits += 1;
    }
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

  private ensureCapacity(): void {
    if (this.unitScore.length < this.unitEntry.length) {
      const capacity = Math.max(1024, this.unitEntry.length * 2);
      this.unitScore = new Float64Array(capacity);
      this.slotScore = new Float64Array(capacity);
    }
    if (this.entryTouched.length < this.entries.length) {
      const capacity = Math.max(256, this.entries.length * 2);
      this.entryQuestionScore = new Float64Array(capacity);
      this.entryAnswerScore = new Float64Array(capacity);
      this.entryTouched = new Uint8Array(capacity);
    }
  }
}

/** What the re-rank and the confidence estimate look at for one query–item pair. */
export interface Features {
  /** Share (IDF-weighted) of the query's meaning units found in the item's best question or phrasing. */
  queryCoverage: number;
  /** Share of that question's meaning units found in the query. */
  itemCoverage: number;
  /** Share of the query's character bigrams found there. */
  gramCoverage: number;
  /** Share of the query's meaning units found in any question or phrasing of the item. */
  unionCoverage: number;
  /** Share of the query's meaning units found in the answer. */
  answerCoverage: number;
  /** First-stage (BM25) score relative to the best first-stage score of the query. */
  relativeScore: number;
}

function coverageOf(slots: { known: number[]; weight: number }[], termSets: Set<number>[]): number {
  let total = 0;
  let matched = 0;
  for (const slot of slots) {
    total += slot.weight;
    if (slot.known.some((id) => termSets.some((terms) => terms.has(id)))) matched += slot.weight;
  }
  return total === 0 ? 0 : matched / total;
}

function gramCoverageOf(grams: number[], weights: number[], termSet: Set<number>): number {
  let total = 0;
  let matched = 0;
  grams.forEach((id, index) => {
    const weight = weights[index] ?? 0;
    total += weight;
    if (id >= 0 && termSet.has(id)) matched += weight;
  });
  return total === 0 ? 0 : matched / total;
}

/**
 * Re-rank score. Covering the query's meaning (in any phrasing of the item) dominates; the answer
 * text, the item's own coverage and the first-stage score break ties. Character bigrams already
 * weigh in through the first-stage score; counting their coverage again here let items that share
 * surface characters but not meaning win. Weights chosen on the tuning half of the evaluation set
 * in tests/fixtures/kb-eval (see `splitEvalSet`) and checked on the held-out half.
 */
function combinedOf(features: Features): number {
  return (
    MARGIN_SCALE *
    (0.1 * features.queryCoverage +
      0.7 * features.unionCoverage +
      0.1 * features.itemCoverage +
      0.3 * features.answerCoverage +
      0.15 * features.relativeScore)
  );
}

/**
 * Keeps re-rank scores on the scale (weights summing to 1.6) that the margin term of `confidenceOf`
 * was fitted on, so thresholds mean what they meant.
 */
const MARGIN_SCALE = 1.6 / 1.35;

/**
 * Logistic model of "the best candidate is the right item", fitted on the evaluation set (answerable
 * questions and, weighted up, questions no item answers). Calibrated there: among answers given at
 * confidence 0.8–1.0 about nine in ten are right; at 0.4–0.6 about half.
 */
function confidenceOf(features: Features, margin: number): number {
  const z =
    -3.07 -
    0.29 * features.queryCoverage +
    1.77 * features.unionCoverage +
    2.13 * features.itemCoverage -
    1.59 * features.gramCoverage +
    1.41 * features.answerCoverage +
    2.45 * margin;
  return 1 / (1 + Math.exp(-z));
}

/** The `depth` entries with the best first-stage score, best first, without sorting them all. */
function selectTopEntries(
  entries: number[],
  questionScore: Float64Array,
  answerScore: Float64Array,
  depth: number,
): { entry: number; score: number }[] {
  const topEntries = new Int32Array(depth);
  const topScores = new Float64Array(depth);
  let size = 0;
  for (const entry of entries) {
    const score = questionScore[entry]! + ANSWER_WEIGHT * answerScore[entry]!;
    if (size === depth && score <= topScores[depth - 1]!) continue;
    let position = size < depth ? size++ : depth - 1;
    while (position > 0 && topScores[position - 1]! < score) {
      topScores[position] = topScores[position - 1]!;
      topEntries[position] = topEntries[position - 1]!;
      position -= 1;
    }
    topScores[position] = score;
    topEntries[position] = entry;
  }
  const top: { entry: number; score: number }[] = [];
  for (let i = 0; i < size; i += 1) top.push({ entry: topEntries[i]!, score: topScores[i]! });
  return top;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * What the bot does with ranked candidates: answer with the best one when its confidence reaches
 * `high`; suggest up to three (您是不是想问) when the best reaches `low`; otherwise fall back.
 * The returned candidates are the ones to show: one for an answer, the suggestions, or none.
 */
export function decide(
  candidates: Candidate[],
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): { action: 'answer' | 'suggest' | 'fallback'; candidates: Candidate[] } {
  const best = candidates[0];
  if (!best || best.confidence < thresholds.low) return { action: 'fallback', candidates: [] };
  if (best.confidence >= thresholds.high) return { action: 'answer', candidates: [best] };
  const suggestions = candidates.filter((candidate) => candidate.score >= best.score * 0.6).slice(0, MAX_SUGGESTIONS);
  return { action: 'suggest', candidates: suggestions };
}

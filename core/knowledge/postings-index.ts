import type { KnowledgeDoc } from './knowledge-doc.ts';
import type { AnalyzedText } from './text-analyzer.ts';

const BM25_K1 = 1.2;
const BM25_B = 0.75;
/** Term kinds weigh differently: a concept or word match means more than a shared character pair. */
const KIND_WEIGHT = { c: 1, w: 1, b: 0.35 } as const;
/**
 * Length against which BM25 normalizes, per unit kind (weighted slots). Fixed rather than the running
 * average so term weights can be computed once at indexing time.
 */
const TYPICAL_LENGTH = [4, 12];
/** See `commonTermLimit`. */
const COMMON_TERM_FLOOR = 1500;
const COMMON_TERM_SHARE = 0.02;

export const QUESTION_UNIT = 0;
export const ANSWER_UNIT = 1;

export interface UnitText {
  /** Per slot, the ids of its terms (unknown terms dropped at query time, kept at index time). */
  slots: number[][];
  termSet: Set<number>;
}

export interface ItemEntry {
  doc: KnowledgeDoc;
  units: number[];
}

/**
 * Terms, units and BM25 postings behind `KnowledgeIndex`: a unit is one question, phrasing or answer
 * of an item; removed units stay in the postings, marked dead, until the index is rebuilt. Also holds
 * the scratch buffers the first stage of a search accumulates scores in.
 */
export abstract class PostingsIndex {
  protected readonly entries: (ItemEntry | undefined)[] = [];
  protected readonly entryOf = new Map<string, number>();

  protected readonly termIds = new Map<string, number>();
  protected readonly termKindWeight: number[] = [];
  protected readonly df: number[] = [];
  protected readonly postings: number[][] = [];

  protected readonly unitEntry: number[] = [];
  protected readonly unitKind: number[] = [];
  protected readonly unitAlive: boolean[] = [];
  protected readonly unitText: (UnitText | undefined)[] = [];
  protected readonly liveUnits = [0, 0];
  protected deadUnits = 0;

  protected unitScore = new Float64Array(0);
  private slotScore = new Float64Array(0);
  protected entryQuestionScore = new Float64Array(0);
  protected entryAnswerScore = new Float64Array(0);
  protected entryTouched = new Uint8Array(0);

  /**
   * Terms in more units than this are left out of the first stage of a large index: they would
   * visit thousands of postings to add almost nothing to the ranking, and the re-rank still counts
   * them through coverage. Small indexes use every term.
   */
  protected commonTermLimit(): number {
    const units = this.liveUnits[QUESTION_UNIT]! + this.liveUnits[ANSWER_UNIT]!;
    return Math.max(COMMON_TERM_FLOOR, units * COMMON_TERM_SHARE);
  }

  /** A slot is as informative as its rarest term; an unknown term counts as never seen. */
  protected slotWeight(ids: number[]): number {
    let weight = 0;
    for (const id of ids) weight = Math.max(weight, this.idf(id));
    return weight;
  }

  protected idf(id: number): number {
    const n = this.liveUnits[QUESTION_UNIT]! + this.liveUnits[ANSWER_UNIT]!;
    const df = id >= 0 ? (this.df[id] ?? 0) : 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  protected accumulateSlot(ids: number[], touched: number[]): void {
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

  protected addUnit(entry: number, kind: number, analyzed: AnalyzedText): number {
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

  protected unindex(id: string): void {
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

  protected ensureCapacity(): void {
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

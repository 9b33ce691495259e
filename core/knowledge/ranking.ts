/** Answers are long and wordy; they support a match but must not drive it. */
const ANSWER_WEIGHT = 0.3;

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

export function coverageOf(slots: { known: number[]; weight: number }[], termSets: Set<number>[]): number {
  let total = 0;
  let matched = 0;
  for (const slot of slots) {
    total += slot.weight;
    if (slot.known.some((id) => termSets.some((terms) => terms.has(id)))) matched += slot.weight;
  }
  return total === 0 ? 0 : matched / total;
}

export function gramCoverageOf(grams: number[], weights: number[], termSet: Set<number>): number {
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
export function combinedOf(features: Features): number {
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
export function confidenceOf(features: Features, margin: number): number {
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
export function selectTopEntries(
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

export function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

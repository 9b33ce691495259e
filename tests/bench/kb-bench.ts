import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decide, KnowledgeIndex, type KnowledgeDoc } from '../../core/knowledge/knowledge-index.ts';

/** One item of the evaluation set with the visitor questions it must answer. */
export interface EvalItem {
  id: string;
  category: string;
  question: string;
  phrasings: string[];
  answer: string;
  /** Visitor wording: shares no run of 4+ characters with any text of the item. */
  tests: string[];
}

export interface EvalSet {
  items: EvalItem[];
  unanswerable: string[];
}

export interface RetrievalQuality {
  /** Share of test questions whose right item ranks first. */
  top1: number;
  /** Mean reciprocal rank of the right item within the first three. */
  mrr3: number;
  /** Share of unanswerable questions that do not get an 'answer'. */
  reject: number;
  /** Share of test questions the bot answers outright, and how often those answers are right. */
  answerRate: number;
  answerPrecision: number;
  /** Share of test questions that get 'answer' or a suggestion containing the right item. */
  resolvedRate: number;
  misses: { query: string; expected: string; got: string | undefined }[];
  falseAnswers: { query: string; got: string; confidence: number }[];
}

const fixtures = fileURLToPath(new URL('../fixtures/kb-eval/', import.meta.url));

export function loadEvalSet(): EvalSet {
  const { items } = JSON.parse(readFileSync(`${fixtures}items.json`, 'utf8')) as { items: EvalItem[] };
  const { questions } = JSON.parse(readFileSync(`${fixtures}unanswerable.json`, 'utf8')) as { questions: string[] };
  return { items, unanswerable: questions };
}

/** FNV-1a, so the split below is stable across runs and machines. */
function hashOf(text: string): number {
  let hash = 2_166_136_261;
  for (const char of text) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 16_777_619);
  }
  return hash >>> 0;
}

/**
 * The set's questions split in two by a hash of the item id (answerable) or of the question
 * (unanswerable): vocabulary and weights are tuned looking at `tuning` misses only, and `heldOut`
 * shows whether that carried over to questions nobody looked at. Every item stays in the index;
 * only which test questions count differs.
 */
export function splitEvalSet(set: EvalSet): { tuning: EvalSet; heldOut: EvalSet } {
  const half = (set: EvalSet, bit: number): EvalSet => ({
    items: set.items.map((item) => (hashOf(item.id) % 2 === bit ? item : { ...item, tests: [] })),
    unanswerable: set.unanswerable.filter((question) => hashOf(question) % 2 === bit),
  });
  return { tuning: half(set, 0), heldOut: half(set, 1) };
}

export function toDoc(item: EvalItem): KnowledgeDoc {
  return {
    id: item.id,
    question: item.question,
    phrasings: item.phrasings,
    answer: item.answer,
    category: item.category,
    enabled: true,
  };
}

export function buildEvalIndex(set: EvalSet = loadEvalSet()): KnowledgeIndex {
  const index = new KnowledgeIndex();
  for (const item of set.items) index.upsert(toDoc(item));
  return index;
}

export function measureQuality(index: KnowledgeIndex, set: EvalSet = loadEvalSet()): RetrievalQuality {
  let questions = 0;
  let top1 = 0;
  let reciprocal = 0;
  let answered = 0;
  let answeredRight = 0;
  let resolved = 0;
  const misses: RetrievalQuality['misses'] = [];
  for (const item of set.items) {
    for (const query of item.tests) {
      questions += 1;
      const candidates = index.search(query, 5);
      const rank = candidates.slice(0, 3).findIndex((candidate) => candidate.itemId === item.id);
      if (rank === 0) top1 += 1;
      else misses.push({ query, expected: item.id, got: candidates[0]?.itemId });
      if (rank >= 0) reciprocal += 1 / (rank + 1);
      const decision = decide(candidates);
      if (decision.action === 'answer') {
        answered += 1;
        if (decision.candidates[0]?.itemId === item.id) answeredRight += 1;
      }
      if (decision.action !== 'fallback' && decision.candidates.some((candidate) => candidate.itemId === item.id)) resolved += 1;
    }
  }
  const falseAnswers: RetrievalQuality['falseAnswers'] = [];
  let rejected = 0;
  for (const query of set.unanswerable) {
    const decision = decide(index.search(query, 5));
    if (decision.action !== 'answer') rejected += 1;
    else falseAnswers.push({ query, got: decision.candidates[0]?.itemId ?? '', confidence: decision.candidates[0]?.confidence ?? 0 });
  }
  return {
    top1: top1 / questions,
    mrr3: reciprocal / questions,
    reject: rejected / set.unanswerable.length,
    answerRate: answered / questions,
    answerPrecision: answered === 0 ? 0 : answeredRight / answered,
    resolvedRate: resolved / questions,
    misses,
    falseAnswers,
  };
}

/**
 * Synthetic items made by recombining the set's own questions and answers, so the large index has
 * realistic vocabulary, term frequencies and lengths.
 */
export function synthesizeDocs(set: EvalSet, count: number): KnowledgeDoc[] {
  const questions = set.items.flatMap((item) => [item.question, ...item.phrasings]);
  const answers = set.items.map((item) => item.answer);
  const pieces = questions.map((question) => question.replace(/[？?]/g, ''));
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const docs: KnowledgeDoc[] = [];
  for (let i = 0; i < count; i += 1) {
    const a = pieces[next(pieces.length)]!;
    const b = pieces[next(pieces.length)]!;
    const cut = (text: string) => text.slice(0, Math.max(2, Math.ceil(text.length / 2)));
    docs.push({
      id: `synthetic-${i}`,
      question: `${cut(a)}${b.slice(Math.floor(b.length / 2))}`,
      phrasings: [`${cut(b)}${a.slice(Math.floor(a.length / 2))}`, `${pieces[next(pieces.length)]}`],
      answer: `${answers[next(answers.length)]}${answers[next(answers.length)]}`,
      enabled: true,
    });
  }
  return docs;
}

/** p99 of search latency (ms) over the set's questions on an index padded to `total` items. */
export function measureLatency(set: EvalSet, total: number): number {
  const index = buildEvalIndex(set);
  for (const doc of synthesizeDocs(set, Math.max(0, total - set.items.length))) index.upsert(doc);
  const queries = [...set.items.flatMap((item) => item.tests), ...set.unanswerable];
  // Warm-up lets the JIT settle; the measured rounds then reflect steady-state serving.
  for (let round = 0; round < 3; round += 1) for (const query of queries) index.search(query, 5);
  const timings: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    for (const query of queries) {
      const started = performance.now();
      index.search(query, 5);
      timings.push(performance.now() - started);
    }
  }
  timings.sort((a, b) => a - b);
  return timings[Math.min(timings.length - 1, Math.floor(timings.length * 0.99))]!;
}

export async function benchKnowledge(): Promise<Record<string, number>> {
  const set = loadEvalSet();
  const index = buildEvalIndex(set);
  const quality = measureQuality(index, set);
  const { tuning, heldOut } = splitEvalSet(set);
  const tuned = measureQuality(index, tuning);
  const held = measureQuality(index, heldOut);
  const p99 = measureLatency(set, 10_000);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    kb_top1: round(quality.top1),
    kb_mrr3: round(quality.mrr3),
    kb_reject: round(quality.reject),
    kb_p99_ms: round(p99),
    kb_top1_tuning: round(tuned.top1),
    kb_top1_heldout: round(held.top1),
    kb_reject_tuning: round(tuned.reject),
    kb_reject_heldout: round(held.reject),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const verbose = process.argv.includes('--verbose');
  if (verbose) {
    // Misses of the tuning half only: the held-out half is for measuring, not for reading.
    const set = splitEvalSet(loadEvalSet()).tuning;
    const quality = measureQuality(buildEvalIndex(loadEvalSet()), set);
    console.log(JSON.stringify({ ...quality, misses: quality.misses.length }, null, 1));
    for (const miss of quality.misses) console.log('MISS', miss.expected, '←', miss.query, '→', miss.got);
    for (const wrong of quality.falseAnswers) console.log('FALSE', wrong.query, '→', wrong.got, wrong.confidence);
  }
  console.log(JSON.stringify(await benchKnowledge()));
}

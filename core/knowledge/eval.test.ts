import { describe, expect, it } from 'vitest';
import { buildEvalIndex, loadEvalSet, measureQuality, splitEvalSet } from '../../tests/bench/kb-bench.ts';
import { normalizeText } from './normalize.ts';

/** Floors a little under what the index reaches today, so a regression fails CI. */
const FLOORS = { top1: 0.7, mrr3: 0.75, reject: 0.93 };

const set = loadEvalSet();
const compact = (text: string) => normalizeText(text).replace(/ /g, '');

function sharedRun(question: string, texts: string[], length: number): string | undefined {
  const q = compact(question);
  for (let i = 0; i + length <= q.length; i += 1) {
    const run = q.slice(i, i + length);
    if (texts.some((text) => text.includes(run))) return run;
  }
  return undefined;
}

describe('knowledge-base evaluation set', () => {
  it('has at least 200 items from several domains, each with 1–3 phrasings and 3+ visitor questions', () => {
    expect(set.items.length).toBeGreaterThanOrEqual(200);
    expect(new Set(set.items.map((item) => item.category)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(set.items.map((item) => item.id)).size).toBe(set.items.length);
    for (const item of set.items) {
      expect(item.phrasings.length, item.id).toBeGreaterThanOrEqual(1);
      expect(item.phrasings.length, item.id).toBeLessThanOrEqual(3);
      expect(item.tests.length, item.id).toBeGreaterThanOrEqual(3);
    }
    expect(set.unanswerable.length).toBeGreaterThanOrEqual(50);
  });

  it('has visitor questions that share no run of 4+ characters with any text of their item', () => {
    const violations: string[] = [];
    for (const item of set.items) {
      const texts = [item.question, ...item.phrasings, item.answer, item.category].map(compact);
      for (const question of item.tests) {
        const run = sharedRun(question, texts, 4);
        if (run) violations.push(`${item.id}: ${question} (${run})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('splits the questions into a tuning and a held-out half, each question in exactly one', () => {
    const { tuning, heldOut } = splitEvalSet(set);
    const questions = (part: typeof set) => part.items.flatMap((item) => item.tests.map((test) => `${item.id} ${test}`));
    const all = questions(set);
    expect([...questions(tuning), ...questions(heldOut)].sort()).toEqual([...all].sort());
    expect(questions(tuning).length).toBeGreaterThan(all.length * 0.4);
    expect(questions(heldOut).length).toBeGreaterThan(all.length * 0.4);
    expect([...tuning.unanswerable, ...heldOut.unanswerable].sort()).toEqual([...set.unanswerable].sort());
    expect(splitEvalSet(set)).toEqual({ tuning, heldOut });
  });

  it('keeps retrieval quality above the floors', () => {
    const quality = measureQuality(buildEvalIndex(set), set);
    expect(quality.top1).toBeGreaterThanOrEqual(FLOORS.top1);
    expect(quality.mrr3).toBeGreaterThanOrEqual(FLOORS.mrr3);
    expect(quality.reject).toBeGreaterThanOrEqual(FLOORS.reject);
  });
});

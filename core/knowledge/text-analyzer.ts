import { normalizeText } from './normalize.ts';
import { bigramsOf, Segmenter, type Token } from './segmenter.ts';
import { STOPWORDS } from './stopwords.ts';
import type { SynonymLexicon } from './synonym-lexicon.ts';

/**
 * One unit of meaning in a text: the alternative index terms that stand for it. A query slot is
 * matched when any of its terms is in a document, and scores once, by its best term, so a word with
 * many synonyms weighs no more than a word with none.
 */
export type Slot = readonly string[];

/** What retrieval needs from one text. Terms are prefixed: `c:` concept, `w:` word, `b:` bigram. */
export interface AnalyzedText {
  normalized: string;
  /** Meaningful units: lexicon concepts (with the words that carried them) and other content words. */
  slots: Slot[];
  /** Character bigrams of the content (stopwords cut the runs), as `b:` terms. */
  grams: string[];
}

interface Span {
  start: number;
  end: number;
  terms: Set<string>;
}

/**
 * Turns normalized, segmented text into retrieval terms. Lexicon words are found as substrings of the
 * normalized text (so "退钱" is found even when the segmenter cuts it in two) but only where they do
 * not cut a segmenter word in the middle, which keeps "不了" out of "不了解".
 */
export class TextAnalyzer {
  constructor(
    readonly segmenter: Segmenter,
    readonly lexicon: SynonymLexicon,
  ) {}

  analyze(text: string): AnalyzedText {
    const normalized = normalizeText(text);
    const tokens = this.segmenter.segmentNormalized(normalized);
    const spans = this.findLexiconSpans(normalized, tokens);
    const chosen = chooseSpans(spans);
    const slots: Set<string>[] = [];
    const slotOfSpan = new Map<Span, Set<string>>();
    for (const span of chosen) {
      const slot = new Set(span.terms);
      slotOfSpan.set(span, slot);
      slots.push(slot);
    }
    const covered = new Uint8Array(normalized.length);
    for (const span of chosen) covered.fill(1, span.start, span.end);
    for (const token of tokens) {
      if (STOPWORDS.has(token.text)) continue;
      covered.fill(1, token.start, token.end);
      const overlapping = chosen.find((span) => span.start < token.end && token.start < span.end);
      if (overlapping) {
        const spanText = normalized.slice(overlapping.start, overlapping.end);
        if (spanText !== token.text) slotOfSpan.get(overlapping)?.add(`w:${token.text}`);
        continue;
      }
      slots.push(new Set([`w:${token.text}`]));
    }
    return { normalized, slots: slots.map((slot) => [...slot]), grams: contentBigrams(normalized, covered) };
  }

  private findLexiconSpans(normalized: string, tokens: Token[]): Span[] {
    const boundary = new Uint8Array(normalized.length + 1);
    const tokenAt = new Int32Array(normalized.length).fill(-1);
    tokens.forEach((token, index) => {
      boundary[token.start] = 1;
      boundary[token.end] = 1;
      tokenAt.fill(index, token.start, token.end);
    });
    const spans: Span[] = [];
    const longest = this.lexicon.maxWordLength;
    for (let start = 0; start < normalized.length; start += 1) {
      const last = Math.min(normalized.length, start + longest);
      for (let end = start + 1; end <= last; end += 1) {
        const word = normalized.slice(start, end);
        if (word.includes(' ')) break;
        const concepts = this.lexicon.conceptsOf(word);
        if (concepts.length === 0 || STOPWORDS.has(word)) continue;
        const aligned = boundary[start] === 1 && boundary[end] === 1;
        const insideOneWord = tokenAt[start] !== -1 && tokenAt[start] === tokenAt[end - 1];
        // The segmenter sometimes glues the first character of a word onto the one before ("有人|工"
        // for 有|人工): a lexicon word that ends on a word boundary still counts. One that ends inside
        // a word does not ("不了" in 不了解).
        const endsAWord = boundary[end] === 1;
        // A one-character word is too ambiguous inside longer words; it counts only standing alone.
        const acceptable = word.length === 1 ? aligned && tokenAt[start] === tokenAt[end - 1] : aligned || insideOneWord || endsAWord;
        if (acceptable) spans.push({ start, end, terms: new Set(concepts) });
      }
    }
    return spans;
  }
}

/**
 * Longest spans win; a shorter span inside (or straddling) a chosen one lends it its concepts, so
 * "手机号码" means 手机号码, 手机号, 手机 and 号码 at once but counts as one unit.
 */
function chooseSpans(spans: Span[]): Span[] {
  const byLength = [...spans].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const chosen: Span[] = [];
  for (const span of byLength) {
    const overlapping = chosen.find((other) => other.start < span.end && span.start < other.end);
    if (overlapping) {
      for (const term of span.terms) overlapping.terms.add(term);
    } else {
      chosen.push({ start: span.start, end: span.end, terms: new Set(span.terms) });
    }
  }
  return chosen.sort((a, b) => a.start - b.start);
}

function contentBigrams(normalized: string, covered: Uint8Array): string[] {
  const grams: string[] = [];
  let run = '';
  const flush = () => {
    if (run.length >= 2) for (const gram of bigramsOf(run)) grams.push(`b:${gram}`);
    run = '';
  };
  for (let i = 0; i < normalized.length; i += 1) {
    const char = normalized[i] ?? '';
    if (covered[i] === 1 && /\p{Script=Han}/u.test(char)) run += char;
    else flush();
  }
  flush();
  return grams;
}

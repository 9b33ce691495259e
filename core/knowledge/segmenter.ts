import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import { normalizeText, splitScriptRuns } from './normalize.ts';

/** Frequency given to run-time user words: high enough to win over the default dictionary's splits. */
const USER_WORD_FREQUENCY = 200_000;
/**
 * Frequency given to synonym-lexicon words: enough for "换个" or "退给我" to be cut as words when
 * the text allows it, low enough not to override well-attested splits ("不/了解").
 */
const LEXICON_WORD_FREQUENCY = 100;
/** HMM guessing of unknown words glues stray characters ("钱付"); single characters match better. */
const SEGMENT_WITH_HMM = false;

/** A word of segmented text with its character span in the normalized text. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

/**
 * Chinese word segmentation (jieba) over normalized text, with a user dictionary that can grow while
 * the process runs. Latin letters and digits stay whole ("iphone15"). Each instance owns its
 * dictionary, so product terms of one index never change another's segmentation.
 */
export class Segmenter {
  private readonly jieba = Jieba.withDict(dict);
  private readonly userWords = new Set<string>();
  private readonly lexiconWords = new Set<string>();

  constructor(userWords: readonly string[] = []) {
    this.addUserWords(userWords);
  }

  /** Adds words (product names, jargon) that must never be split; returns how many were new. */
  addUserWords(words: readonly string[]): number {
    const fresh = words.map((word) => normalizeText(word).replace(/ /g, '')).filter((word) => word && !this.userWords.has(word));
    if (fresh.length === 0) return 0;
    for (const word of fresh) this.userWords.add(word);
    this.jieba.loadDict(Buffer.from(fresh.map((word) => `${word} ${USER_WORD_FREQUENCY} n`).join('\n') + '\n'));
    return fresh.length;
  }

  /** Makes lexicon words preferred cuts without forcing them; returns how many were loaded. */
  addLexiconWords(words: Iterable<string>): number {
    const lines: string[] = [];
    for (const word of words) {
      if (word.length >= 2 && !this.userWords.has(word) && !this.lexiconWords.has(word)) {
        this.lexiconWords.add(word);
        lines.push(`${word} ${LEXICON_WORD_FREQUENCY}`);
      }
    }
    if (lines.length > 0) this.jieba.loadDict(Buffer.from(lines.join('\n') + '\n'));
    return lines.length;
  }

  /** Words of an already normalized text, in order, with spans; separators produce no token. */
  segmentNormalized(normalized: string): Token[] {
    const tokens: Token[] = [];
    let cursor = 0;
    for (const run of splitScriptRuns(normalized)) {
      const runStart = normalized.indexOf(run, cursor);
      cursor = runStart + run.length;
      if (!/\p{Script=Han}/u.test(run[0] ?? '')) {
        tokens.push({ text: run, start: runStart, end: cursor });
        continue;
      }
      let offset = runStart;
      for (const word of this.jieba.cut(run, SEGMENT_WITH_HMM)) {
        tokens.push({ text: word, start: offset, end: offset + word.length });
        offset += word.length;
      }
    }
    return tokens;
  }

  /** Normalizes then segments; convenience for callers holding raw text. */
  segment(text: string): string[] {
    return this.segmentNormalized(normalizeText(text)).map((token) => token.text);
  }
}

/** Character bigrams of a Han string ("退款单" → 退款, 款单); a single character yields itself. */
export function bigramsOf(text: string): string[] {
  if (text.length < 2) return text ? [text] : [];
  const grams: string[] = [];
  for (let i = 0; i + 1 < text.length; i += 1) grams.push(text.slice(i, i + 2));
  return grams;
}

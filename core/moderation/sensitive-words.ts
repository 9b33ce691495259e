import { AppError } from '../errors.ts';
import { foldText, getFoldTable } from './text-fold.ts';

/** What `SensitiveWordFilter.mask` returns. */
export interface MaskResult {
  /** The text with every matched character replaced by the mask character; everything else untouched. */
  text: string;
  /** The list entries that matched, each once, in order of first occurrence in the text. */
  matched: string[];
  /** True when at least one character was masked. */
  changed: boolean;
}

export interface SensitiveWordFilterOptions {
  /** One character (one code point) written in place of each masked character. Default `*`. */
  maskChar?: string;
}

// A word carrying a lone surrogate could match half of an emoji and split it when masked.
const loneSurrogate = /[\uD800-\uDFFF]/u;

const linearScanLimit = 8;

/**
 * Multi-pattern matcher (Aho-Corasick) over a sensitive-word list, built once and then shared by
 * every message.
 *
 * Matching is case-insensitive and width-insensitive (Ａｂｃ１ matches abc1), and works on the whole
 * text, not on word boundaries, which is what Chinese needs. Overlapping and nested words are all
 * found; masking covers the union of their spans. Masking writes one mask character per masked
 * character (an astral character such as an emoji counts as one) and leaves every other character
 * exactly as it was.
 *
 * It does not see through inserted separators (敏 感) or homophones; those need list entries of their own.
 */
export class SensitiveWordFilter {
  /** Number of distinct words (after folding) the filter matches. */
  readonly size: number;

  private readonly maskChar: string;
  private readonly words: string[];
  /** Alphabet class of each UTF-16 code unit after folding; 0 = occurs in no word. */
  private readonly classOf: Uint16Array | Int32Array;
  /** Root transitions, indexed by class (0 = stay at root). */
  private readonly rootNext: Int32Array;
  /** Sorted outgoing edges of every non-root state: classes and targets in `[edgeStart[s], edgeStart[s + 1])`. */
  private readonly edgeStart: Int32Array;
  private readonly edgeClass: Int32Array;
  private readonly edgeTarget: Int32Array;
  private readonly fail: Int32Array;
  /** Longest word ending at this state, own or through the fail chain; 0 = none. */
  private readonly outLen: Int32Array;
  /** Index in `words` of the word this state completes, or -1. */
  private readonly wordAt: Int32Array;
  /** Nearest state on the fail chain (excluding itself) that completes a word, or -1. */
  private readonly dictLink: Int32Array;

  constructor(words: string[], options: SensitiveWordFilterOptions = {}) {
    const maskChar = options.maskChar ?? '*';
    if ([...maskChar].length !== 1) {
      throw new AppError('validation_failed', {
        message: `mask character must be exactly one character, got ${JSON.stringify(maskChar)}`,
        userMessage: '屏蔽字符必须是单个字符',
        details: { field: 'maskChar' },
      });
    }
    this.maskChar = maskChar;

    const kept: string[] = [];
    const foldedWords: string[] = [];
    const seen = new Set<string>();
    for (const raw of words) {
      const word = raw.trim();
      if (word === '' || loneSurrogate.test(word)) continue;
      const folded = foldText(word);
      if (seen.has(folded)) continue;
      seen.add(folded);
      kept.push(word);
      foldedWords.push(folded);
    }
    this.words = kept;
    this.size = kept.length;

    // Dense alphabet: only code units that occur in some word get a class.
    const fold = getFoldTable();
    const classOfFolded = new Int32Array(0x10000);
    let classCount = 0;
    for (const folded of foldedWords) {
      for (let i = 0; i < folded.length; i += 1) {
        const c = folded.charCodeAt(i);
        if (classOfFolded[c] === 0) classOfFolded[c] = ++classCount;
      }
    }
    const classOf = classCount < 0xffff ? new Uint16Array(0x10000) : new Int32Array(0x10000);
    for (let c = 0; c < 0x10000; c += 1) classOf[c] = classOfFolded[fold[c]];
    this.classOf = classOf;

    // Trie with map children while building, then flattened.
    const children: Map<number, number>[] = [new Map()];
    const ownWord: number[] = [-1];
    const depth: number[] = [0];
    foldedWords.forEach((folded, index) => {
      let s = 0;
      for (let i = 0; i < folded.length; i += 1) {
        const k = classOfFolded[folded.charCodeAt(i)];
        let next = children[s].get(k);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          ownWord.push(-1);
          depth.push(depth[s] + 1);
          children[s].set(k, next);
        }
        s = next;
      }
      ownWord[s] = index;
    });

    const stateCount = children.length;
    const rootNext = new Int32Array(classCount + 1);
    const edgeStart = new Int32Array(stateCount + 1);
    let edgeCount = 0;
    for (let s = 1; s < stateCount; s += 1) edgeCount += children[s].size;
    const edgeClass = new Int32Array(edgeCount);
    const edgeTarget = new Int32Array(edgeCount);
    let e = 0;
    for (let s = 0; s < stateCount; s += 1) {
      edgeStart[s] = e;
      if (s === 0) {
        for (const [k, t] of children[0]) rootNext[k] = t;
        continue;
      }
      const sorted = [...children[s]].sort((a, b) => a[0] - b[0]);
      for (const [k, t] of sorted) {
        edgeClass[e] = k;
        edgeTarget[e] = t;
        e += 1;
      }
    }
    edgeStart[stateCount] = e;
    this.rootNext = rootNext;
    this.edgeStart = edgeStart;
    this.edgeClass = edgeClass;
    this.edgeTarget = edgeTarget;

    // Fail links, output lengths and dictionary links in breadth-first order.
    const fail = new Int32Array(stateCount);
    const outLen = new Int32Array(stateCount);
    const wordAt = Int32Array.from(ownWord);
    const dictLink = new Int32Array(stateCount).fill(-1);
    const queue = new Int32Array(stateCount);
    let head = 0;
    let tail = 0;
    for (const t of children[0].values()) {
      fail[t] = 0;
      queue[tail++] = t;
    }
    while (head < tail) {
      const s = queue[head++];
      const f = fail[s];
      outLen[s] = Math.max(wordAt[s] >= 0 ? depth[s] : 0, outLen[f]);
      dictLink[s] = f !== 0 && wordAt[f] >= 0 ? f : f !== 0 ? dictLink[f] : -1;
      for (const [k, t] of children[s]) {
        let g = f;
        let target = -1;
        for (;;) {
          target = g === 0 ? rootNext[k] : this.step(g, k);
          if (target > 0 || g === 0) break;
          g = fail[g];
        }
        fail[t] = target > 0 ? target : 0;
        queue[tail++] = t;
      }
    }
    this.fail = fail;
    this.outLen = outLen;
    this.wordAt = wordAt;
    this.dictLink = dictLink;
  }

  /** True when the text contains at least one listed word. */
  test(text: string): boolean {
    if (this.size === 0) return false;
    const { classOf, rootNext, fail, outLen } = this;
    let s = 0;
    for (let i = 0; i < text.length; i += 1) {
      const k = classOf[text.charCodeAt(i)];
      if (k === 0) {
        s = 0;
        continue;
      }
      for (;;) {
        if (s === 0) {
          s = rootNext[k];
          break;
        }
        const t = this.step(s, k);
        if (t >= 0) {
          s = t;
          break;
        }
        s = fail[s];
      }
      if (outLen[s] > 0) return true;
    }
    return false;
  }

  /** Masks every listed word in the text; see the class comment for what counts as a match. */
  mask(text: string): MaskResult {
    if (this.size === 0) return { text, matched: [], changed: false };
    const { classOf, rootNext, fail, outLen, wordAt, dictLink } = this;
    // Merged masked spans as [start, end) pairs; a later, longer match may swallow earlier spans.
    let spans: number[] | undefined;
    // Word index → start of its first occurrence.
    let hits: Map<number, number> | undefined;
    let s = 0;
    for (let i = 0; i < text.length; i += 1) {
      const k = classOf[text.charCodeAt(i)];
      if (k === 0) {
        s = 0;
        continue;
      }
      for (;;) {
        if (s === 0) {
          s = rootNext[k];
          break;
        }
        const t = this.step(s, k);
        if (t >= 0) {
          s = t;
          break;
        }
        s = fail[s];
      }
      const length = outLen[s];
      if (length === 0) continue;
      spans ??= [];
      hits ??= new Map();
      let start = i + 1 - length;
      const end = i + 1;
      while (spans.length > 0 && start <= spans[spans.length - 1]) {
        spans.pop();
        start = Math.min(start, spans.pop()!);
      }
      spans.push(start, end);
      for (let w = wordAt[s] >= 0 ? s : dictLink[s]; w >= 0; w = dictLink[w]) {
        const index = wordAt[w];
        if (!hits.has(index)) hits.set(index, end - this.words[index].length);
      }
    }
    if (spans === undefined || hits === undefined) return { text, matched: [], changed: false };

    let out = '';
    let last = 0;
    for (let j = 0; j < spans.length; j += 2) {
      const start = spans[j];
      const end = spans[j + 1];
      out += text.slice(last, start) + this.maskChar.repeat(countCodePoints(text, start, end));
      last = end;
    }
    out += text.slice(last);
    // Text order; at the same start the longer word first.
    const matched = [...hits]
      .sort((a, b) => a[1] - b[1] || this.words[b[0]].length - this.words[a[0]].length)
      .map(([index]) => this.words[index]);
    return { text: out, matched, changed: true };
  }

  /** Goto on a non-root state; -1 when there is no edge. */
  private step(s: number, k: number): number {
    const { edgeClass, edgeTarget } = this;
    let lo = this.edgeStart[s];
    let hi = this.edgeStart[s + 1];
    if (hi - lo <= linearScanLimit) {
      for (; lo < hi; lo += 1) if (edgeClass[lo] === k) return edgeTarget[lo];
      return -1;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = edgeClass[mid];
      if (c === k) return edgeTarget[mid];
      if (c < k) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }
}

function countCodePoints(text: string, start: number, end: number): number {
  let count = end - start;
  for (let i = start; i < end - 1; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        count -= 1;
        i += 1;
      }
    }
  }
  return count;
}

const listSeparators = /[\r\n,，、]+/;

/**
 * Reads an imported word list: one word per line, and `,` `，` `、` also separate words. Words are
 * trimmed; blanks and lines starting with `#` are dropped; duplicates (compared after width and case
 * folding, so ＡＢＣ and abc are one word) keep their first spelling. A word containing a separator or
 * starting with `#` cannot be expressed in this format.
 */
export function parseWordList(text: string): string[] {
  const words: string[] = [];
  const seen = new Set<string>();
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim().startsWith('#')) continue;
    for (const piece of line.split(listSeparators)) {
      const word = piece.trim();
      if (word === '') continue;
      const key = foldText(word);
      if (seen.has(key)) continue;
      seen.add(key);
      words.push(word);
    }
  }
  return words;
}

/**
 * Writes a word list in the import format: one word per line, trimmed, duplicates and blanks
 * dropped, ending with a newline (an empty list is an empty string). `parseWordList` reads it back
 * to the same list for every word that contains no separator and does not start with `#`.
 */
export function formatWordList(words: string[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const raw of words) {
    const word = raw.trim();
    if (word === '') continue;
    const key = foldText(word);
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(word);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

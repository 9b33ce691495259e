import { normalizeText } from './normalize.ts';
import { SHIPPED_SYNONYMS } from './synonyms.ts';

/**
 * Words grouped by meaning. Each group becomes one concept (named `c:<first word>`); a word in several
 * groups carries each of their concepts. Words are stored normalized, so a traditional or full-width
 * spelling of a lexicon word finds the same concepts.
 */
export class SynonymLexicon {
  private readonly conceptsByWord = new Map<string, string[]>();
  private longest = 0;

  constructor(groups: readonly (readonly string[])[] = []) {
    this.addGroups(groups);
  }

  /** The shipped customer-service lexicon, ready to extend. */
  static shipped(): SynonymLexicon {
    return new SynonymLexicon(SHIPPED_SYNONYMS.map((line) => line.split(/\s+/)));
  }

  /** Adds groups; a group with fewer than two distinct words still names a concept for its word. */
  addGroups(groups: readonly (readonly string[])[]): void {
    for (const group of groups) {
      const words = [...new Set(group.map((word) => normalizeText(word).replace(/ /g, '')).filter(Boolean))];
      if (words.length === 0) continue;
      const concept = `c:${words[0]}`;
      for (const word of words) {
        const concepts = this.conceptsByWord.get(word) ?? [];
        if (!concepts.includes(concept)) concepts.push(concept);
        this.conceptsByWord.set(word, concepts);
        this.longest = Math.max(this.longest, word.length);
      }
    }
  }

  /** Concepts of one normalized word, empty when the word is not in the lexicon. */
  conceptsOf(word: string): readonly string[] {
    return this.conceptsByWord.get(word) ?? [];
  }

  /** Length in characters of the longest word, bounding substring scans. */
  get maxWordLength(): number {
    return this.longest;
  }

  /** Every word of the lexicon, for loading into the segmenter's dictionary. */
  words(): IterableIterator<string> {
    return this.conceptsByWord.keys();
  }
}

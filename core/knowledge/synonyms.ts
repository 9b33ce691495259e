import { ACCOUNT_SYNONYMS } from './synonyms-accounts.ts';
import { EVERYDAY_SYNONYMS } from './synonyms-everyday.ts';
import { GENERAL_SYNONYMS } from './synonyms-general.ts';
import { SERVICE_SYNONYMS } from './synonyms-services.ts';
import { SHOPPING_SYNONYMS } from './synonyms-shopping.ts';
import { VARIANT_SYNONYMS } from './synonyms-variants.ts';

/**
 * The shipped synonym lexicon: common customer-service vocabulary grouped by meaning. Each string is
 * one group of words a visitor may use for the same thing, separated by spaces; the first word names
 * the group. A word may sit in several groups (it then carries every meaning). Words of one
 * character only match when the segmenter produces them as a word, so keep those few and specific.
 *
 * General vocabulary only: product terms and wording of particular knowledge items belong in the
 * run-time additions (`KnowledgeIndex.addSynonyms`, `addUserWords`), not here.
 */
export const SHIPPED_SYNONYMS: readonly string[] = [
  ...EVERYDAY_SYNONYMS,
  ...SHOPPING_SYNONYMS,
  ...ACCOUNT_SYNONYMS,
  ...SERVICE_SYNONYMS,
  ...GENERAL_SYNONYMS,
  ...VARIANT_SYNONYMS,
];

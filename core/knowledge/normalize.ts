import * as OpenCC from 'opencc-js/t2cn';

/** Traditional (Taiwan/Hong Kong usage included) to mainland simplified, phrase-aware. */
const toSimplified = OpenCC.Converter({ from: 'twp', to: 'cn' });
const toSimplifiedHk = OpenCC.Converter({ from: 'hk', to: 'cn' });

/**
 * Mainland variant spellings OpenCC leaves alone but visitors mix freely (帐号 / 账号).
 * Applied after conversion so both spellings of a word index the same way.
 */
const VARIANT_FOLDS: Record<string, string> = { 帐: '账', 週: '周', 裡: '里', 麽: '么' };
const VARIANT_PATTERN = new RegExp(`[${Object.keys(VARIANT_FOLDS).join('')}]`, 'g');

/** Anything that is neither a letter nor a digit (Han characters count as letters) becomes one space. */
const SEPARATORS = /[^\p{L}\p{N}]+/gu;
const HAN_OR_LATIN_RUN = /[\p{Script=Han}]+|[a-z0-9]+/gu;

/**
 * Canonical form of a visitor question or knowledge text: full-width → half-width (NFKC), lower case,
 * traditional → simplified, every run of punctuation, symbols and spaces collapsed to one space.
 * Idempotent. Keeps the order of characters, so spans found in the result still read naturally.
 */
export function normalizeText(text: string): string {
  const widthFolded = text.normalize('NFKC').toLowerCase();
  const simplified = toSimplifiedHk(toSimplified(widthFolded));
  const variantFolded = simplified.replace(VARIANT_PATTERN, (char) => VARIANT_FOLDS[char] ?? char);
  return variantFolded.replace(SEPARATORS, ' ').trim();
}

/**
 * Runs of Han characters and runs of latin letters/digits in a normalized text, in order; used to
 * keep "iphone15" or "vip" together while Han text is segmented word by word.
 */
export function splitScriptRuns(normalized: string): string[] {
  return normalized.match(HAN_OR_LATIN_RUN) ?? [];
}

/** True when the character is a CJK ideograph. */
export function isHan(char: string): boolean {
  return /\p{Script=Han}/u.test(char);
}

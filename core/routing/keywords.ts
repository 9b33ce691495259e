/**
 * Reading short visitor replies the router acts on: transfer and exit keywords, satisfaction
 * ratings, numbered menu choices. Text is compared after NFKC (full-width letters and digits become
 * ASCII, the ideographic space a space) and lower-casing.
 */

// Replies are matched against strict patterns, so any punctuation or emoji around them can go.
const replyEdges = /^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu;
// Keywords keep symbols that can be part of a word (C#, C++, 5G-); only sentence punctuation goes.
const keywordEdges = /^[\s.,;:!?'"()[\]{}…。，、；：？！“”‘’（）【】《》「」『』～~·]+|[\s.,;:!?'"()[\]{}…。，、；：？！“”‘’（）【】《》「」『』～~·]+$/gu;

function foldReply(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ');
}

/** Folded text without the whitespace, punctuation and symbols around it (emoji included). */
function trimReply(text: string): string {
  return foldReply(text).replace(replyEdges, '');
}

/**
 * True when the text contains one of the keywords anywhere (人工 in 我要转人工！). Keywords are folded
 * and stripped of surrounding whitespace and sentence punctuation first, so ' 人工客服。' and 'ＶＩＰ' are
 * usable entries while 'C#' keeps its '#'; keywords that are empty after that are ignored.
 */
export function containsKeyword(text: string, keywords: readonly string[]): boolean {
  const folded = foldReply(text);
  return keywords.some((keyword) => {
    const needle = foldReply(keyword).replace(keywordEdges, '');
    return needle !== '' && folded.includes(needle);
  });
}

const chineseDigits: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** Parses 1–99 written with ASCII digits or Chinese numerals (三, 十二, 二十五); null otherwise. */
function parseSmallNumber(token: string): number | null {
  if (/^\d{1,2}$/.test(token)) return Number(token);
  const match = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/u.exec(token);
  if (match === null || token === '') return null;
  const [, tens, ten, units] = match;
  if (ten === undefined) return tens !== undefined && units === undefined ? chineseDigits[tens] : null;
  return (tens !== undefined ? chineseDigits[tens] : 1) * 10 + (units !== undefined ? chineseDigits[units] : 0);
}

const ratingLabels: Record<string, number> = { 非常满意: 5, 满意: 4, 一般: 3, 不满意: 2, 非常不满意: 1 };

/**
 * Reads a satisfaction reply as a rating 1–5: a digit (ASCII or full-width), 一…五, optionally
 * followed by 分 or 星, or one of the labels 非常满意 / 满意 / 一般 / 不满意 / 非常不满意 (5 … 1).
 * The whole reply must be the rating (surrounding spaces and punctuation aside), so "我有5个问题" is
 * not a rating. Returns null for anything else.
 */
export function parseRatingReply(text: string): number | null {
  const reply = trimReply(text);
  const label = ratingLabels[reply];
  if (label !== undefined) return label;
  const match = /^([1-5]|[一二三四五])\s*(?:分|星|颗星)?$/u.exec(reply);
  if (match === null) return null;
  return parseSmallNumber(match[1]);
}

/**
 * Reads a numbered menu choice 1…count: digits or Chinese numerals, optionally as 第N or N号/N个/N项,
 * the whole reply being the choice. Returns null when it is not a choice or is out of range.
 */
export function parseChoiceReply(text: string, count: number): number | null {
  if (!Number.isInteger(count) || count < 1) return null;
  const match = /^第?\s*(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:个|项|号)?$/u.exec(trimReply(text));
  if (match === null) return null;
  const choice = parseSmallNumber(match[1]);
  return choice !== null && choice >= 1 && choice <= count ? choice : null;
}

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../errors.ts';
import { SensitiveWordFilter, formatWordList, parseWordList } from './sensitive-words.ts';
import { foldText } from './text-fold.ts';

/** Reference masking: try every word at every offset. */
function maskNaively(words: string[], text: string): string {
  const folded = foldText(text);
  const masked = new Array<boolean>(text.length).fill(false);
  for (const word of words.map((w) => foldText(w.trim())).filter((w) => w !== '')) {
    for (let at = folded.indexOf(word); at !== -1; at = folded.indexOf(word, at + 1)) {
      for (let i = at; i < at + word.length; i += 1) masked[i] = true;
    }
  }
  let out = '';
  for (let i = 0; i < text.length; ) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    out += masked[i] ? '*' : ch;
    i += ch.length;
  }
  return out;
}

describe('SensitiveWordFilter.mask()', () => {
  it('masks each matched character with one mask character and keeps the rest', () => {
    const filter = new SensitiveWordFilter(['傻瓜', 'spam']);
    expect(filter.mask('你这个傻瓜，别发spam了')).toEqual({
      text: '你这个**，别发****了',
      matched: ['傻瓜', 'spam'],
      changed: true,
    });
  });

  it('masks the union of overlapping words', () => {
    const filter = new SensitiveWordFilter(['abc', 'cde']);
    expect(filter.mask('xabcdey').text).toBe('x*****y');
    expect(filter.mask('xabcdey').matched).toEqual(['abc', 'cde']);
  });

  it('masks a word nested inside a longer one, including when the short word ends first', () => {
    const filter = new SensitiveWordFilter(['b', 'abcd', '法轮', '轮']);
    expect(filter.mask('zabcdz').text).toBe('z****z');
    expect(filter.mask('zabcdz').matched).toEqual(['abcd', 'b']);
    expect(filter.mask('一个法轮和一个轮子').text).toBe('一个**和一个*子');
  });

  it('finds a word whose prefix is a failed partial match (fail links)', () => {
    const filter = new SensitiveWordFilter(['aab', 'ab']);
    expect(filter.mask('aaab').text).toBe('a***');
  });

  it('matches regardless of full width and case, masking the original characters', () => {
    const filter = new SensitiveWordFilter(['ABC123', 'ｖｉｐ']);
    expect(filter.mask('买ａＢc１２3送VIP').text).toBe('买******送***');
    expect(filter.mask('买ａＢc１２3送VIP').matched).toEqual(['ABC123', 'ｖｉｐ']);
  });

  it('leaves emoji and other surrogate pairs untouched and counts a masked emoji as one character', () => {
    const filter = new SensitiveWordFilter(['坏蛋', '💣炸']);
    expect(filter.mask('😀坏蛋😀').text).toBe('😀**😀');
    expect(filter.mask('放💣炸弹').text).toBe('放**弹');
    expect(filter.mask('𠮷野家😀').changed).toBe(false);
  });

  it('ignores words with a lone surrogate so an emoji is never split', () => {
    const filter = new SensitiveWordFilter(['\uD83D', 'ok']);
    expect(filter.size).toBe(1);
    expect(filter.mask('😀ok').text).toBe('😀**');
  });

  it('masks words of one character', () => {
    const filter = new SensitiveWordFilter(['操', 'x']);
    expect(filter.mask('操作X光').text).toBe('*作*光');
  });

  it('returns the text unchanged with an empty list', () => {
    const filter = new SensitiveWordFilter([]);
    expect(filter.size).toBe(0);
    expect(filter.mask('任何内容')).toEqual({ text: '任何内容', matched: [], changed: false });
    expect(filter.test('任何内容')).toBe(false);
  });

  it('returns the same text and changed false when nothing matches', () => {
    const filter = new SensitiveWordFilter(['违禁']);
    expect(filter.mask('正常的消息')).toEqual({ text: '正常的消息', matched: [], changed: false });
  });

  it('uses a custom mask character, astral ones included', () => {
    expect(new SensitiveWordFilter(['abc'], { maskChar: '#' }).mask('abcd').text).toBe('###d');
    expect(new SensitiveWordFilter(['abc'], { maskChar: '🙈' }).mask('abcd').text).toBe('🙈🙈🙈d');
  });

  it('refuses a mask that is not exactly one character', () => {
    expect(() => new SensitiveWordFilter(['a'], { maskChar: '**' })).toThrow(AppError);
    expect(() => new SensitiveWordFilter(['a'], { maskChar: '' })).toThrow(AppError);
  });

  it('counts words once after trimming and folding, and drops blanks', () => {
    expect(new SensitiveWordFilter(['abc', ' ABC ', 'ａｂｃ', '', '  ', 'd']).size).toBe(2);
  });

  it('reports a word matched several times once', () => {
    expect(new SensitiveWordFilter(['坏']).mask('坏坏坏').matched).toEqual(['坏']);
  });

  it('agrees with a naive matcher on random lists and texts', () => {
    const alphabet = fc.constantFrom('a', 'b', 'A', 'ａ', 'Ｂ', '坏', '人', '😀', ' ');
    const word = fc.array(alphabet, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));
    const text = fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), text, (words, input) => {
        const filter = new SensitiveWordFilter(words);
        const expected = maskNaively(words, input);
        expect(filter.mask(input).text).toBe(expected);
        expect(filter.test(input)).toBe(expected !== input);
      }),
      { numRuns: 500 },
    );
  });
});

describe('SensitiveWordFilter.test()', () => {
  it('is true as soon as one word occurs, in any width and case', () => {
    const filter = new SensitiveWordFilter(['Free Money']);
    expect(filter.test('get ＦＲＥＥ　money now')).toBe(true);
    expect(filter.test('money for free')).toBe(false);
  });
});

describe('parseWordList()', () => {
  it('splits on lines and on , ， 、 then trims, dedupes and drops blanks and comments', () => {
    const text = '# 敏感词\n傻瓜, 笨蛋，坏蛋、spam\r\n\n  傻瓜  \nSPAM\n  # note\n赌博';
    expect(parseWordList(text)).toEqual(['傻瓜', '笨蛋', '坏蛋', 'spam', '赌博']);
  });

  it('returns an empty list for an empty file', () => {
    expect(parseWordList('')).toEqual([]);
    expect(parseWordList('\n\n# only a comment\n')).toEqual([]);
  });
});

describe('formatWordList()', () => {
  it('writes one word per line and reads back to the same list', () => {
    const words = ['傻瓜', 'spam', 'C#', '赌 博'];
    const text = formatWordList([...words, ' 傻瓜 ', '', 'SPAM']);
    expect(text).toBe('傻瓜\nspam\nC#\n赌 博\n');
    expect(parseWordList(text)).toEqual(words);
  });

  it('writes an empty string for an empty list', () => {
    expect(formatWordList([])).toBe('');
  });
});

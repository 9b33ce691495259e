import { describe, expect, it } from 'vitest';
import { Segmenter } from './segmenter.ts';
import { SynonymLexicon } from './synonym-lexicon.ts';
import { TextAnalyzer } from './text-analyzer.ts';

const lexicon = SynonymLexicon.shipped();
const segmenter = new Segmenter();
segmenter.addLexiconWords(lexicon.words());
const analyzer = new TextAnalyzer(segmenter, lexicon);
const terms = (text: string) => analyzer.analyze(text).slots.flat();

describe('TextAnalyzer', () => {
  it('maps synonyms to one concept (退钱 / 退款 / 返还)', () => {
    for (const text of ['我想退钱', '申请退款', '款项返还']) expect(terms(text)).toContain('c:退款');
  });

  it('maps 宾馆 and 酒店, 住房基金 and 公积金 alike', () => {
    expect(terms('宾馆几点入住')).toContain('c:酒店');
    expect(terms('住房基金怎么取')).toContain('c:公积金');
  });

  it('does not find a lexicon word that cuts a segmented word in half', () => {
    expect(terms('我不了解这个规则')).not.toContain('c:失败');
    expect(terms('登录不了')).toContain('c:失败');
  });

  it('drops stopwords and politeness', () => {
    expect(terms('请问你好在吗')).toEqual([]);
  });

  it('counts a word with several meanings as one slot', () => {
    const { slots } = analyzer.analyze('手机号码');
    expect(slots).toHaveLength(1);
    expect(slots[0]).toEqual(expect.arrayContaining(['c:手机', 'c:电话']));
  });

  it('reads traditional and simplified questions the same way', () => {
    expect(analyzer.analyze('發票怎麼開')).toEqual({ ...analyzer.analyze('发票怎么开'), normalized: '发票怎么开' });
  });

  it('keeps character bigrams of content only', () => {
    const { grams } = analyzer.analyze('请问退货运费');
    expect(grams).toContain('b:退货');
    expect(grams).toContain('b:运费');
    expect(grams).not.toContain('b:请问');
  });
});

describe('SynonymLexicon', () => {
  it('ships a few hundred groups of customer-service vocabulary', () => {
    expect([...lexicon.words()].length).toBeGreaterThan(1500);
  });

  it('gives a word in two groups both concepts', () => {
    const local = new SynonymLexicon([
      ['包裹', '快件'],
      ['快递', '快件'],
    ]);
    expect(local.conceptsOf('快件')).toEqual(['c:包裹', 'c:快递']);
  });

  it('stores words normalized', () => {
    const local = new SynonymLexicon([['會員', 'ＶＩＰ']]);
    expect(local.conceptsOf('vip')).toEqual(['c:会员']);
  });
});

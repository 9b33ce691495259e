import { describe, expect, it } from 'vitest';
import { knowledgeRows, parseKnowledgeRows, splitPhrasings } from './knowledge-io.ts';

describe('parseKnowledgeRows()', () => {
  it('reads back what knowledgeRows() exports', () => {
    const item = { question: '怎么退款', phrasings: ['退钱流程', '如何退款'], answer: '订单页申请退款', category: '售后', enabled: false, answerImageUrl: null };
    const { items, errors } = parseKnowledgeRows(knowledgeRows([item]));
    expect(errors).toEqual([]);
    expect(items).toEqual([{ ...item, source: 'imported' }]);
  });

  it('reports bad rows by sheet row number and keeps the good ones', () => {
    const rows = [
      ['答案', '标准问题', '启用'],
      ['订单页申请退款', '怎么退款', ''],
      ['', '没有答案的问题', ''],
      ['答案', '问题', '也许'],
      ['', '', ''],
      ['发票在订单页开', '怎么开发票', '否'],
    ];
    const { items, errors } = parseKnowledgeRows(rows);
    expect(items.map((i) => i.question)).toEqual(['怎么退款', '怎么开发票']);
    expect(items.map((i) => i.enabled)).toEqual([true, false]);
    expect(errors).toEqual([
      { row: 3, error: '答案 is empty' },
      { row: 4, error: expect.stringContaining('启用') },
    ]);
  });

  it('refuses a sheet without the question and answer columns', () => {
    expect(parseKnowledgeRows([['问法', '内容'], ['a', 'b']]).headerError).toMatch(/标准问题/);
  });
});

describe('splitPhrasings()', () => {
  it('splits on line breaks, bars and full-width semicolons', () => {
    expect(splitPhrasings('退钱\n 退款 |返还；  ')).toEqual(['退钱', '退款', '返还']);
  });
});

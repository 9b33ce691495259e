import { describe, expect, it } from 'vitest';
import { parseAssistPayload } from './assist.ts';

describe('parseAssistPayload()', () => {
  it('puts the main answer first and keeps alternatives once each', () => {
    const parsed = parseAssistPayload({
      conversationId: 'c1',
      question: '怎么退货？',
      answer: '七天无理由退货',
      suggestions: [{ answer: '七天无理由退货' }, { text: '请联系快递' }, { content: '' }],
    });
    expect(parsed).toEqual({ conversationId: 'c1', question: '怎么退货？', answers: ['七天无理由退货', '请联系快递'] });
  });

  it('reads the server shape, taking the question from the best suggestion', () => {
    const parsed = parseAssistPayload({
      conversationId: 'c2',
      suggestions: [
        { itemId: 'k1', question: '运费怎么算？', answer: '满 99 元包邮', confidence: 0.9 },
        { itemId: 'k2', question: '偏远地区运费', answer: '偏远地区另收 10 元', confidence: 0.6 },
      ],
    });
    expect(parsed).toEqual({ conversationId: 'c2', question: '运费怎么算？', answers: ['满 99 元包邮', '偏远地区另收 10 元'] });
  });

  it('ignores a payload without a conversation or without any answer', () => {
    expect(parseAssistPayload({ answer: 'x' })).toBeNull();
    expect(parseAssistPayload({ conversationId: 'c1', suggestions: [] })).toBeNull();
  });
});

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

  it('ignores a payload without a conversation or without any answer', () => {
    expect(parseAssistPayload({ answer: 'x' })).toBeNull();
    expect(parseAssistPayload({ conversationId: 'c1', suggestions: [] })).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { KnowledgeBaseAnswerer } from './answerer.ts';
import { KnowledgeIndex } from './knowledge-index.ts';

const index = new KnowledgeIndex();
index.upsert({ id: 'refund', question: '如何申请退款', phrasings: ['退款怎么申请'], answer: '在订单详情页点击申请售后。', enabled: true });
index.upsert({ id: 'hotel', question: '酒店几点可以入住', phrasings: [], answer: '14:00 以后可以入住。', enabled: true });

describe('KnowledgeBaseAnswerer', () => {
  it('answers a close question with the item text', async () => {
    const result = await new KnowledgeBaseAnswerer(index).answer('退款怎么申请', { channelId: 'web' });
    expect(result).toMatchObject({ action: 'answer', itemId: 'refund', answer: '在订单详情页点击申请售后。', source: 'knowledge-base' });
  });

  it('falls back on a question the knowledge base cannot answer', async () => {
    const result = await new KnowledgeBaseAnswerer(index).answer('今天天气怎么样', { channelId: 'web' });
    expect(result.action).toBe('fallback');
    expect(result.answer).toBeUndefined();
  });

  it('uses the thresholds of the channel', async () => {
    const strict = new KnowledgeBaseAnswerer(index, { thresholdsFor: (channel) => (channel === 'wecom' ? { high: 1.01, low: 0 } : { high: 0, low: 0 }) });
    expect((await strict.answer('退款怎么申请', { channelId: 'wecom' })).action).toBe('suggest');
    expect((await strict.answer('退款怎么申请', { channelId: 'web' })).action).toBe('answer');
  });

  it('offers the ranked candidates for smart assist', async () => {
    const result = await new KnowledgeBaseAnswerer(index, { limit: 1 }).answer('酒店退款', { channelId: 'web' });
    expect(result.candidates).toHaveLength(1);
  });
});

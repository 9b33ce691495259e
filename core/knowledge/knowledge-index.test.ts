import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_THRESHOLDS, KnowledgeIndex, type Candidate, type KnowledgeDoc } from './knowledge-index.ts';

const docs: KnowledgeDoc[] = [
  { id: 'refund', question: '如何申请退款', phrasings: ['退款怎么申请'], answer: '在订单详情页点击申请售后。', enabled: true },
  { id: 'hotel', question: '酒店几点可以入住', phrasings: ['入住时间'], answer: '14:00 以后可以入住。', enabled: true },
  { id: 'fund', question: '公积金怎么提取', phrasings: [], answer: '通过网厅或窗口办理提取。', enabled: true },
  { id: 'invoice', question: '如何开发票', phrasings: ['申请发票'], answer: '在订单详情点击申请开票。', enabled: true },
  { id: 'password', question: '忘记密码怎么办', phrasings: ['如何找回密码'], answer: '在登录页点击忘记密码。', enabled: true },
];

function buildIndex(options?: ConstructorParameters<typeof KnowledgeIndex>[0]): KnowledgeIndex {
  const index = new KnowledgeIndex(options);
  for (const doc of docs) index.upsert(doc);
  return index;
}

const index = buildIndex();

describe('KnowledgeIndex.search()', () => {
  it('finds an item worded differently through the synonym lexicon', () => {
    expect(index.search('我想退钱')[0]?.itemId).toBe('refund');
    expect(index.search('宾馆下午几点能住进去')[0]?.itemId).toBe('hotel');
    expect(index.search('住房基金里的钱怎么取出来')[0]?.itemId).toBe('fund');
    expect(index.search('能给我开个收据吗')[0]?.itemId).toBe('invoice');
    expect(index.search('口令想不起来了')[0]?.itemId).toBe('password');
  });

  it('reads traditional and full-width questions', () => {
    expect(index.search('發票怎麼開？')[0]?.itemId).toBe('invoice');
  });

  it('ranks best first and respects the limit', () => {
    const results = index.search('退款发票', 2);
    expect(results.length).toBeLessThanOrEqual(2);
    expect(results[0]!.score).toBeGreaterThanOrEqual(results[1]?.score ?? 0);
  });

  it('gives a confident answer for a close question and low confidence for an unrelated one', () => {
    expect(index.search('退款怎么申请')[0]!.confidence).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.high);
    const unrelated = index.search('今天天气怎么样')[0];
    expect(unrelated?.confidence ?? 0).toBeLessThan(DEFAULT_THRESHOLDS.low);
  });

  it('returns nothing for an empty or contentless query', () => {
    expect(index.search('')).toEqual([]);
    expect(index.search('请问，在吗？')).toEqual([]);
  });
});

describe('KnowledgeIndex updates', () => {
  it('never returns a disabled item and returns it again once enabled', () => {
    const local = buildIndex();
    local.upsert({ ...docs[0]!, enabled: false });
    expect(local.search('如何申请退款').map((c) => c.itemId)).not.toContain('refund');
    expect(local.size).toBe(docs.length);
    local.upsert({ ...docs[0]!, enabled: true });
    expect(local.search('如何申请退款')[0]?.itemId).toBe('refund');
  });

  it('forgets removed items and ignores unknown ids', () => {
    const local = buildIndex();
    local.remove('hotel');
    local.remove('no-such-item');
    expect(local.size).toBe(docs.length - 1);
    expect(local.search('酒店几点可以入住').map((c) => c.itemId)).not.toContain('hotel');
  });

  it('replaces an item on upsert instead of keeping the old text', () => {
    const local = buildIndex();
    local.upsert({ id: 'hotel', question: '可以带宠物吗', phrasings: [], answer: '不接待宠物。', enabled: true });
    expect(local.search('酒店几点可以入住').map((c) => c.itemId)).not.toContain('hotel');
    expect(local.search('能带狗吗')[0]?.itemId).toBe('hotel');
  });

  it('learns a new phrasing at once (question capture)', () => {
    const local = buildIndex();
    expect(local.search('云盒闪退打不开')[0]?.itemId).not.toBe('crash');
    local.upsert({ id: 'crash', question: '云盒闪退', phrasings: [], answer: '请升级到最新版本。', enabled: true });
    expect(local.search('云盒闪退打不开')[0]?.itemId).toBe('crash');
  });

  it('applies synonyms added at run time to items already indexed', () => {
    const local = buildIndex();
    local.upsert({ id: 'box', question: '凯福云盒怎么激活', phrasings: [], answer: '扫码激活。', enabled: true });
    expect(decide(local.search('小凯盒子怎么启用')).action).not.toBe('answer');
    local.addUserWords(['凯福云盒', '小凯盒子']);
    local.addSynonyms([['凯福云盒', '小凯盒子']]);
    expect(decide(local.search('小凯盒子怎么启用'))).toMatchObject({ action: 'answer', candidates: [{ itemId: 'box' }] });
  });

  it('accepts user words and synonyms in the constructor', () => {
    const local = new KnowledgeIndex({ userWords: ['凯福云盒'], synonyms: [['凯福云盒', '小凯盒子']] });
    local.upsert({ id: 'box', question: '凯福云盒怎么激活', phrasings: [], answer: '扫码激活。', enabled: true });
    expect(local.search('小凯盒子怎么启用')[0]?.itemId).toBe('box');
  });

  it('stays correct after many updates force a rebuild', () => {
    const local = new KnowledgeIndex();
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 600; i += 1) {
        local.upsert({ id: `item-${i}`, question: `型号${i}怎么保修`, phrasings: [], answer: '一年保修。', enabled: true });
      }
    }
    local.upsert(docs[0]!);
    expect(local.size).toBe(601);
    expect(local.search('我想退钱')[0]?.itemId).toBe('refund');
    const ids = local.search('型号42怎么保修', 10).map((c) => c.itemId);
    expect(ids[0]).toBe('item-42');
    expect(new Set(ids).size).toBe(ids.length);
  });
});

function candidate(itemId: string, confidence: number, score = confidence): Candidate {
  return { itemId, question: itemId, answer: `${itemId} answer`, score, confidence };
}

describe('decide()', () => {
  const thresholds = { high: 0.7, low: 0.4 };

  it('answers with the best candidate at or above the high threshold', () => {
    expect(decide([candidate('a', 0.7), candidate('b', 0.2)], thresholds)).toEqual({ action: 'answer', candidates: [candidate('a', 0.7)] });
  });

  it('suggests up to three close candidates between the thresholds', () => {
    const ranked = [candidate('a', 0.5, 1), candidate('b', 0, 0.9), candidate('c', 0, 0.8), candidate('d', 0, 0.7), candidate('e', 0, 0.1)];
    const decision = decide(ranked, thresholds);
    expect(decision.action).toBe('suggest');
    expect(decision.candidates.map((c) => c.itemId)).toEqual(['a', 'b', 'c']);
  });

  it('leaves out suggestions far weaker than the best', () => {
    const decision = decide([candidate('a', 0.5, 1), candidate('b', 0, 0.3)], thresholds);
    expect(decision.candidates.map((c) => c.itemId)).toEqual(['a']);
  });

  it('falls back below the low threshold or without candidates', () => {
    expect(decide([candidate('a', 0.39)], thresholds)).toEqual({ action: 'fallback', candidates: [] });
    expect(decide([])).toEqual({ action: 'fallback', candidates: [] });
  });
});

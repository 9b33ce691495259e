import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../conversation/events.ts';
import type { EventBus } from '../ports.ts';
import { createKnowledgeBot } from './knowledge-bot.ts';
import {
  KnowledgeService,
  type KnowledgeBotSettings,
  type KnowledgeItemInput,
  type KnowledgeItemPatch,
  type KnowledgeItemRecord,
  type KnowledgeStore,
  type KnowledgeVocabulary,
} from './knowledge-service.ts';
import { learnFromAgentReply, suggestAnswers } from './smart-assist.ts';

class MemoryStore implements KnowledgeStore {
  rows = new Map<string, KnowledgeItemRecord>();
  vocabulary: KnowledgeVocabulary = { userWords: [], synonyms: [] };
  private next = 1;
  async listAll() {
    return [...this.rows.values()];
  }
  async get(id: string) {
    return this.rows.get(id) ?? null;
  }
  async create(input: KnowledgeItemInput) {
    const row: KnowledgeItemRecord = {
      id: `item-${this.next++}`,
      question: input.question,
      phrasings: input.phrasings ?? [],
      answer: input.answer,
      answerImageUrl: input.answerImageUrl ?? null,
      category: input.category ?? null,
      enabled: input.enabled ?? true,
      source: input.source ?? 'written',
      sourceConversationId: input.sourceConversationId ?? null,
      pendingPhrasings: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    this.rows.set(row.id, row);
    return row;
  }
  async createMany(inputs: KnowledgeItemInput[]) {
    const ids: string[] = [];
    for (const input of inputs) ids.push((await this.create(input)).id);
    return ids;
  }
  async update(id: string, patch: KnowledgeItemPatch) {
    const row = this.rows.get(id);
    if (!row) return null;
    Object.assign(row, patch);
    return row;
  }
  async remove(id: string) {
    const row = this.rows.get(id) ?? null;
    this.rows.delete(id);
    return row;
  }
  async setEnabled(ids: string[], enabled: boolean) {
    return ids.filter((id) => this.rows.has(id)).map((id) => ((this.rows.get(id)!.enabled = enabled), id));
  }
  async appendPhrasing(id: string, phrasing: string, pending: boolean) {
    const row = this.rows.get(id);
    if (!row || row.phrasings.includes(phrasing) || row.pendingPhrasings.includes(phrasing)) return null;
    (pending ? row.pendingPhrasings : row.phrasings).push(phrasing);
    return row;
  }
  async readVocabulary() {
    return this.vocabulary;
  }
  async writeVocabulary(vocabulary: KnowledgeVocabulary) {
    this.vocabulary = vocabulary;
  }
}

/** One bus shared by several services, like Redis between processes. */
function sharedBus(): EventBus & { published: DomainEvent[] } {
  const handlers = new Set<(event: DomainEvent) => void>();
  const published: DomainEvent[] = [];
  return {
    published,
    async publish(event) {
      published.push(event);
      for (const handler of handlers) handler(JSON.parse(JSON.stringify(event)));
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {},
  };
}

const settings: KnowledgeBotSettings = { highThreshold: 0.75, lowThreshold: 0.45, suggestPrefix: '您是不是想问：', learning: 'auto' };

async function setup(store = new MemoryStore(), bus = sharedBus(), botSettings = { ...settings }) {
  const service = new KnowledgeService({ store, bus, botSettings: async () => botSettings });
  await service.start();
  return { service, store, bus, botSettings };
}

async function seed(service: KnowledgeService) {
  const refund = await service.create({ question: '怎么申请退款', phrasings: ['退款流程是什么'], answer: '在订单详情页点击申请退款。' });
  const points = await service.create({ question: '会员积分怎么使用', answer: '下单时可用积分抵扣，一百积分抵一元。' });
  const address = await service.create({ question: '如何修改收货地址', answer: '发货前可以在订单详情里修改收货地址。' });
  return { refund, points, address };
}

const ctx = { conversationId: 'c1', channelId: 'web', visitorId: 'v1' };

describe('createKnowledgeBot()', () => {
  function botWith(service: KnowledgeService, offered: string[] = []) {
    const recorded: unknown[] = [];
    const bot = createKnowledgeBot(service, { lastSuggestions: async () => offered, recordReply: async (_id, data) => void recorded.push(data) });
    return { bot, recorded };
  }

  it('answers above the high threshold and records the item', async () => {
    const { service } = await setup();
    const { refund } = await seed(service);
    const { bot, recorded } = botWith(service);
    expect(await bot.answer('我想退钱', ctx)).toEqual({ kind: 'answer', text: refund.answer });
    expect(recorded).toEqual([expect.objectContaining({ kind: 'answer', itemId: refund.id })]);
  });

  it('suggests numbered questions between the thresholds', async () => {
    const { service } = await setup();
    await seed(service);
    const reply = await botWith(service).bot.answer('积分能抵钱吗', ctx);
    expect(reply.kind).toBe('suggest');
    expect(reply.suggestions).toEqual(['会员积分怎么使用']);
    expect(reply.text.split('\n').slice(0, 2)).toEqual(['您是不是想问：', '1. 会员积分怎么使用']);
  });

  it('answers the offered question picked by number or by its text', async () => {
    const { service } = await setup();
    const { points } = await seed(service);
    const { bot } = botWith(service, ['会员积分怎么使用', '怎么申请退款']);
    expect(await bot.answer('第一个', ctx)).toEqual({ kind: 'answer', text: points.answer });
    expect(await bot.answer('怎么申请退款', ctx)).toMatchObject({ kind: 'answer', text: '在订单详情页点击申请退款。' });
  });

  it('falls back with empty text below the low threshold', async () => {
    const { service } = await setup();
    await seed(service);
    expect(await botWith(service).bot.answer('今天天气怎么样', ctx)).toEqual({ kind: 'fallback', text: '' });
  });
});

describe('KnowledgeService', () => {
  it('applies a change made by another process when the notice arrives', async () => {
    const store = new MemoryStore();
    const bus = sharedBus();
    const first = await setup(store, bus);
    const second = await setup(store, bus);
    const { refund } = await seed(first.service);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(second.service.search('我想退钱')[0]?.itemId).toBe(refund.id);
    await first.service.setEnabled([refund.id], false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(second.service.search('我想退钱').map((c) => c.itemId)).not.toContain(refund.id);
  });

  it('rebuilds with admin synonyms so a new word finds its item', async () => {
    const { service } = await setup();
    const { points } = await seed(service);
    expect(service.search('金豆怎么用')[0]?.itemId).not.toBe(points.id);
    await service.setVocabulary({ userWords: ['金豆'], synonyms: [['积分', '金豆']] }, null);
    expect(service.search('金豆怎么用')[0]?.itemId).toBe(points.id);
  });
});

describe('smart assist and learning', () => {
  it('offers the best answer and alternatives, and nothing for an unrelated message', async () => {
    const { service } = await setup();
    const { refund } = await seed(service);
    expect((await suggestAnswers(service, '我想退钱'))[0]).toMatchObject({ itemId: refund.id, answer: refund.answer });
    expect(await suggestAnswers(service, '今天天气怎么样')).toEqual([]);
  });

  it('adds the visitor question as a phrasing when the agent replies with the answer (auto)', async () => {
    const { service, store } = await setup();
    const { address } = await seed(service);
    const learned = await learnFromAgentReply(service, { agentText: ` ${address.answer} `, visitorQuestion: '地址填错了还能换吗' });
    expect(learned).toEqual([{ itemId: address.id, outcome: 'added' }]);
    expect(store.rows.get(address.id)!.phrasings).toContain('地址填错了还能换吗');
    expect(service.get(address.id)!.phrasings).toContain('地址填错了还能换吗');
  });

  it('holds it for review, ignores replies that are no item\'s answer, and learns nothing when off', async () => {
    const { service, store, botSettings } = await setup();
    const { address } = await seed(service);
    botSettings.learning = 'review';
    await learnFromAgentReply(service, { agentText: address.answer, visitorQuestion: '地址填错了还能换吗' });
    expect(store.rows.get(address.id)!.pendingPhrasings).toEqual(['地址填错了还能换吗']);
    expect(store.rows.get(address.id)!.phrasings).toEqual([]);
    expect(await learnFromAgentReply(service, { agentText: '好的稍等', visitorQuestion: '在吗' })).toEqual([]);
    botSettings.learning = 'off';
    expect(await learnFromAgentReply(service, { agentText: address.answer, visitorQuestion: '收货地址能改吗' })).toEqual([]);
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBaseAnswerer } from './answerer.ts';
import { KnowledgeIndex } from './knowledge-index.ts';
import { citedIds, LlmAnswerer, parseLlmSettings, redactLlmSettings, type LlmSettings } from './llm-answerer.ts';

const index = new KnowledgeIndex();
index.upsert({ id: 'refund', question: '如何申请退款', phrasings: ['退款怎么申请'], answer: '在订单详情页点击申请售后。', enabled: true });
index.upsert({ id: 'invoice', question: '怎么开发票', phrasings: ['发票怎么开'], answer: '在订单页申请开票。', enabled: true });
const kb = new KnowledgeBaseAnswerer(index);

type Handler = (path: string, body: any, res: ServerResponse) => void;
let server: Server | undefined;
const seen: { path: string; body: any; auth?: string }[] = [];

async function startFake(handler: Handler): Promise<string> {
  server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      seen.push({ path: req.url ?? '', body, auth: req.headers.authorization });
      handler(req.url ?? '', body, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1`;
}

function reply(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function chatReply(content: string) {
  return { choices: [{ message: { role: 'assistant', content } }] };
}

function answererFor(baseUrl: string, overrides: Partial<LlmSettings> = {}): LlmAnswerer {
  const settings = parseLlmSettings({ enabled: true, baseUrl, apiKey: 'sk-test', chatModel: 'qwen', timeoutMs: 300, ...overrides });
  return new LlmAnswerer({ settings, search: (q, limit) => index.search(q, limit), fallback: kb });
}

afterEach(async () => {
  seen.length = 0;
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
});

describe('LlmAnswerer', () => {
  it('answers from the retrieved items and cites them', async () => {
    const baseUrl = await startFake((_path, _body, res) => reply(res, chatReply('请在订单详情页申请售后即可退款。[#refund]')));
    const result = await answererFor(baseUrl).answer('退款怎么申请', { channelId: 'web' });
    expect(result).toMatchObject({ action: 'answer', itemId: 'refund', source: 'llm', answer: '请在订单详情页申请售后即可退款。' });
    const prompt = seen[0]!.body.messages[0].content as string;
    expect(prompt).toContain('[#refund]');
    expect(seen[0]!.auth).toBe('Bearer sk-test');
  });

  it('falls back to the knowledge base when the reply cites no given item', async () => {
    const baseUrl = await startFake((_path, _body, res) => reply(res, chatReply('无法回答 [#made-up]')));
    const result = await answererFor(baseUrl).answer('退款怎么申请', { channelId: 'web' });
    expect(result.source).toBe('knowledge-base');
    expect(result.itemId).toBe('refund');
  });

  it('falls back to the knowledge base when the endpoint is slower than the timeout', async () => {
    const baseUrl = await startFake((_path, _body, res) => setTimeout(() => reply(res, chatReply('迟到的回答 [#refund]')), 1500));
    const started = Date.now();
    const result = await answererFor(baseUrl, { timeoutMs: 200 }).answer('退款怎么申请', { channelId: 'web' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result.source).toBe('knowledge-base');
    expect(result.action).toBe('answer');
  });

  it('falls back when the endpoint is down, and a fallback stays a fallback (counted toward handoff)', async () => {
    const baseUrl = await startFake((_path, _body, res) => reply(res, chatReply('')));
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const answerer = answererFor(baseUrl);
    expect(await answerer.answer('退款怎么申请', { channelId: 'web' })).toMatchObject({ source: 'knowledge-base', action: 'answer' });
    expect(await answerer.answer('今天天气怎么样', { channelId: 'web' })).toMatchObject({ source: 'knowledge-base', action: 'fallback' });
  });

  it('fuses embedding similarity with BM25 order before grounding the chat model', async () => {
    const vector = (text: string) => (text.includes('发票') || text.includes('票') ? [1, 0] : [0, 1]);
    const baseUrl = await startFake((path, body, res) => {
      if (path.endsWith('/embeddings')) reply(res, { data: (body.input as string[]).map((text, i) => ({ index: i, embedding: vector(text) })) });
      else reply(res, chatReply('可在订单页申请开票 [#invoice]'));
    });
    const result = await answererFor(baseUrl, { embeddingModel: 'bge' }).answer('票怎么开', { channelId: 'web' });
    expect(result).toMatchObject({ action: 'answer', itemId: 'invoice', source: 'llm' });
    expect(result.candidates[0]?.itemId).toBe('invoice');
    expect(seen.map((s) => s.path)).toEqual(['/v1/embeddings', '/v1/chat/completions']);
  });
});

describe('LLM settings', () => {
  it('default to off and never show the API key', () => {
    expect(parseLlmSettings(undefined)).toMatchObject({ enabled: false, timeoutMs: 3000 });
    const shown = redactLlmSettings(parseLlmSettings({ enabled: true, apiKey: 'sk-secret' }));
    expect(JSON.stringify(shown)).not.toContain('sk-secret');
    expect(shown.apiKeySet).toBe(true);
  });

  it('only accept citations of the items the model was given', () => {
    expect(citedIds('见 [#a] 和 [#x] 以及 [#a]', [{ itemId: 'a' }, { itemId: 'b' }])).toEqual(['a']);
  });
});

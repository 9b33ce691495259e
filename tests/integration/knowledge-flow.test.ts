import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, openSocket, startTestKefu, stopAndDrop, testDatabaseUrl, testRedisUrl, wsUrl, type TestKefu } from '../support/harness.ts';
import { conversationOf, eventually, messagesOf, newChannel, newVisitor, onlyAgents, putSetting, say } from './routing-support.ts';

const ITEMS = [
  { question: '怎么申请退款', phrasings: ['退款流程是什么'], answer: '在订单详情页点击申请退款，审核通过后三个工作日内原路退回。', category: '售后' },
  { question: '发票怎么开', phrasings: ['如何开具发票'], answer: '在订单页面点击申请发票，填写抬头和税号即可。', category: '账单' },
  { question: '快递多久能到', phrasings: ['物流一般几天送达'], answer: '一般下单后两到三天送达，偏远地区五天左右。', category: '物流' },
  { question: '如何修改收货地址', phrasings: [], answer: '发货前可以在订单详情里修改收货地址。', category: '物流' },
  { question: '会员积分怎么使用', phrasings: [], answer: '下单时可用积分抵扣，一百积分抵一元。', category: '账户' },
];

describe('knowledge base: bot answers, smart assist, capture and learning', () => {
  let kefu: TestKefu;
  let admin: Client;
  let botChannel: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    botChannel = await newChannel(kefu, { botEnabled: true, transferAfterMisses: 5 });
    for (const item of ITEMS) {
      const res = await admin.post('/api/knowledge', item);
      expect(res.status).toBe(201);
      ids[item.question] = res.body.item.id;
    }
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  /** An online agent serving a fresh web visitor's conversation (handed off with 转人工). */
  async function servedConversation() {
    const [agentRow] = await onlyAgents(kefu, [{ name: 'kb' }]);
    const agent = new Client(kefu.url);
    await agent.login(agentRow.email, 'agent-password');
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '转人工');
    // Embedded mode runs no assignment jobs: the agent picks the conversation from the queue.
    await eventually(async () => {
      const current = await conversationOf(kefu, id);
      if (current.status === 'queued') await agent.post(`/api/conversations/${id}/pick`);
      return current.status === 'assigned' && current.assigneeId === agentRow.id;
    });
    const reply = (text: string) => agent.post(`/api/conversations/${id}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text });
    return { agent, agentRow, visitor, id, reply };
  }

  it('answers a question worded unlike the FAQ with the item\'s answer', async () => {
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '我想退钱');
    const last = (await messagesOf(kefu, id)).at(-1)!;
    expect(last.sender).toBe('bot');
    expect(last.content).toBe(ITEMS[0].answer);
    const event = await kefu.app.prisma.conversationEvent.findFirst({ where: { conversationId: id, type: 'bot_reply' } });
    expect(event?.data).toMatchObject({ kind: 'answer', itemId: ids['怎么申请退款'] });
  });

  it('offers 您是不是想问 between the thresholds, and a reply with the number answers that question', async () => {
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '积分能抵钱吗');
    const offer = (await messagesOf(kefu, id)).at(-1)!;
    expect(offer.sender).toBe('bot');
    expect(offer.content).toContain('您是不是想问');
    expect(offer.content).toContain('1. 会员积分怎么使用');
    expect(offer.data).toEqual({ suggestions: ['会员积分怎么使用'] });
    await say(visitor, '1');
    expect((await messagesOf(kefu, id)).at(-1)!.content).toBe(ITEMS[4].answer);
  });

  it('falls back for a question nothing answers and counts it as a miss', async () => {
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '今天天气怎么样');
    const last = (await messagesOf(kefu, id)).at(-1)!;
    expect(last.content).toContain('换个说法');
    expect((await conversationOf(kefu, id)).botMisses).toBe(1);
  });

  it('never answers from a disabled item, and answers again once it is re-enabled', async () => {
    const bulk = await admin.post('/api/knowledge/bulk', { ids: [ids['快递多久能到']], enabled: false });
    expect(bulk.body).toEqual({ updated: 1 });
    const first = await newVisitor(kefu, botChannel);
    const id1 = await say(first.visitor, '快递几天到');
    expect((await messagesOf(kefu, id1)).at(-1)!.content).not.toBe(ITEMS[2].answer);
    await admin.post('/api/knowledge/bulk', { ids: [ids['快递多久能到']], enabled: true });
    const second = await newVisitor(kefu, botChannel);
    const id2 = await say(second.visitor, '快递几天到');
    expect((await messagesOf(kefu, id2)).at(-1)!.content).toBe(ITEMS[2].answer);
    expect(await kefu.app.prisma.auditLog.count({ where: { action: 'knowledge.disable' } })).toBe(1);
  });

  it('pushes smart-assist answers to the serving agent for each visitor message', async () => {
    const { agent, visitor, id } = await servedConversation();
    const socket = await openSocket(wsUrl(kefu.url, '/ws/agent'), { cookie: agent.cookie });
    try {
      await say(visitor, '开发票要什么');
      const frame = await socket.waitFor((f) => f.type === 'event' && f.name === 'assist.suggested' && f.payload.conversationId === id);
      expect(frame.payload.suggestions[0]).toMatchObject({ itemId: ids['发票怎么开'], answer: ITEMS[1].answer });
    } finally {
      socket.close();
    }
  });

  it('lets the serving agent capture one Q and one A that the bot answers the next visitor with at once', async () => {
    const { agent, visitor, id, reply } = await servedConversation();
    await say(visitor, '你们支持花呗分期付款吗');
    expect((await reply('支持的，结算时选择花呗分期即可。')).status).toBe(201);
    const refused = await agent.post('/api/knowledge/capture', { conversationId: id, question: '编造的问题', answer: '支持的，结算时选择花呗分期即可。' });
    expect(refused.status).toBe(400);
    const captured = await agent.post('/api/knowledge/capture', { conversationId: id, question: '你们支持花呗分期付款吗', answer: '支持的，结算时选择花呗分期即可。' });
    expect(captured.status).toBe(201);
    expect(captured.body.item).toMatchObject({ source: 'captured', sourceConversationId: id });

    const next = await newVisitor(kefu, botChannel);
    const nextId = await say(next.visitor, '支持花呗分期吗');
    expect((await messagesOf(kefu, nextId)).at(-1)!.content).toBe('支持的，结算时选择花呗分期即可。');
  });

  it('learns the visitor question as a phrasing when the agent replies with an item\'s answer (auto) or holds it for review', async () => {
    await putSetting(admin, 'bot', { learning: 'auto' });
    const auto = await servedConversation();
    await say(auto.visitor, '地址填错了还能换吗');
    await auto.reply(ITEMS[3].answer);
    const learned = await eventually(async () => {
      const row = await kefu.app.prisma.knowledgeItem.findUniqueOrThrow({ where: { id: ids['如何修改收货地址'] } });
      return row.phrasings.includes('地址填错了还能换吗') && row;
    });
    expect(learned.pendingPhrasings).toEqual([]);

    await putSetting(admin, 'bot', { learning: 'review' });
    const review = await servedConversation();
    await say(review.visitor, '钱多久能回到卡里');
    await review.reply(ITEMS[0].answer);
    const list = await eventually(async () => {
      const res = await admin.get('/api/knowledge/learned');
      return res.body.items.length > 0 && res.body.items;
    });
    expect(list[0]).toMatchObject({ id: ids['怎么申请退款'], pendingPhrasings: ['钱多久能回到卡里'] });
    const approved = await admin.post(`/api/knowledge/${ids['怎么申请退款']}/phrasings/approve`, { phrasing: '钱多久能回到卡里' });
    expect(approved.status).toBe(200);
    expect(approved.body.item.phrasings).toContain('钱多久能回到卡里');
    expect(approved.body.item.pendingPhrasings).toEqual([]);
  });

  it('imports CSV with a row-level report of bad rows and keeps the good ones', async () => {
    const csv = '标准问题,答案,分类,启用\r\n怎么注销账号,在设置里选择注销账号。,账户,是\r\n没有答案的问题,,账户,是\r\n,只有答案,账户,是\r\n';
    const res = await admin.request('POST', '/api/knowledge/import?format=csv', csv, { 'content-type': 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ imported: 1, errors: [{ row: 3, error: '答案 is empty' }, { row: 4, error: '标准问题 is empty' }] });
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '账号怎么注销');
    expect((await messagesOf(kefu, id)).at(-1)!.content).toBe('在设置里选择注销账号。');
  });

  it('exports XLSX that imports back, reporting a bad row by its sheet row', async () => {
    const exported = await fetch(`${kefu.url}/api/knowledge/export?format=xlsx`, { headers: { cookie: admin.cookie } });
    expect(exported.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await exported.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).text).toBe('标准问题');
    const count = sheet.rowCount - 1;
    sheet.addRow(['', '', '没有问题的答案', '', '是', '']);
    const body = Buffer.from(await workbook.xlsx.writeBuffer());
    const res = await fetch(`${kefu.url}/api/knowledge/import`, { method: 'POST', headers: { cookie: admin.cookie, 'content-type': 'application/octet-stream' }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ imported: count, errors: [{ row: count + 2, error: '标准问题 is empty' }] });
  });

  it('lists and searches items, and reports the bot answer rate per day', async () => {
    const list = await admin.get(`/api/knowledge?q=${encodeURIComponent('发票')}`);
    expect(list.body.items.map((i: { question: string }) => i.question)).toContain('发票怎么开');
    const stats = await admin.get('/api/knowledge/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.series.length).toBeGreaterThan(0);
    expect(stats.body.answerRate).toBeGreaterThan(0);
    expect(stats.body.answerRate).toBeLessThan(1);
  });

  it('refuses admin routes to agents but lets them search', async () => {
    const [agentRow] = await onlyAgents(kefu, [{ name: 'reader', status: 'offline' }]);
    const agent = new Client(kefu.url);
    await agent.login(agentRow.email, 'agent-password');
    expect((await agent.post('/api/knowledge', ITEMS[0])).status).toBe(403);
    const search = await agent.get(`/api/knowledge/search?q=${encodeURIComponent('我想退钱')}`);
    expect(search.body.items[0]).toMatchObject({ itemId: ids['怎么申请退款'] });
  });
});

describe.skipIf(!testDatabaseUrl || !testRedisUrl)('knowledge base across processes', () => {
  let first: TestKefu;
  let second: TestKefu;

  beforeAll(async () => {
    first = await startTestKefu();
    second = await startTestKefu({ reuse: (first as unknown as { reuse: { schema: string; prefix: string; dataDir: string } }).reuse });
  });
  afterAll(async () => {
    await second?.stop();
    await stopAndDrop(first);
  });

  it('serves an item created in one process from another without a restart', async () => {
    const admin = new Client(first.url);
    await admin.login(first.adminEmail, first.adminPassword);
    const other = new Client(second.url);
    await other.login(second.adminEmail, second.adminPassword);
    const search = async () => (await other.get(`/api/knowledge/search?q=${encodeURIComponent('积分可以抵钱吗')}`)).body.items;
    expect(await search()).toEqual([]);
    const created = await admin.post('/api/knowledge', ITEMS[4]);
    const found = await eventually(async () => (await search()).length > 0 && (await search()));
    expect(found[0].itemId).toBe(created.body.item.id);
    await admin.request('DELETE', `/api/knowledge/${created.body.item.id}`);
    await eventually(async () => (await search()).length === 0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

describe('快捷回复语料', () => {
  let kefu: TestKefu;
  let admin: Client;
  let agent: Client;
  let other: Client;

  beforeAll(async () => {
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await createUser(kefu, { email: 'qr-agent@example.com' });
    await createUser(kefu, { email: 'qr-other@example.com' });
    agent = new Client(kefu.url);
    await agent.login('qr-agent@example.com', 'agent-password');
    other = new Client(kefu.url);
    await other.login('qr-other@example.com', 'agent-password');
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  it('lets admins build the public library with categories that agents read but cannot change', async () => {
    const category = await admin.post('/api/quick-reply-categories', { scope: 'public', name: '售后' });
    expect(category.status).toBe(201);
    const reply = await admin.post('/api/quick-replies', { scope: 'public', categoryId: category.body.category.id, keyword: '退货', content: '退货请在订单页申请' });
    expect(reply.status).toBe(201);
    const seen = await agent.get('/api/quick-replies?scope=public');
    expect(seen.body.items.map((r: { keyword: string }) => r.keyword)).toEqual(['退货']);
    expect((await agent.patch(`/api/quick-replies/${reply.body.reply.id}`, { content: 'x' })).status).toBe(403);
    expect((await agent.request('DELETE', `/api/quick-replies/${reply.body.reply.id}`)).status).toBe(403);
    expect((await agent.request('DELETE', `/api/quick-reply-categories/${category.body.category.id}`)).status).toBe(403);
  });

  it('keeps each personal library to its owner', async () => {
    const category = await agent.post('/api/quick-reply-categories', { scope: 'personal', name: '常用' });
    const mine = await agent.post('/api/quick-replies', { scope: 'personal', categoryId: category.body.category.id, keyword: '问候', content: '您好，我是小王' });
    expect(mine.status).toBe(201);
    expect((await other.get('/api/quick-replies?scope=personal')).body.items).toEqual([]);
    expect((await other.patch(`/api/quick-replies/${mine.body.reply.id}`, { content: 'hijack' })).status).toBe(404);
    // Another user's category cannot hold my reply.
    const refused = await other.post('/api/quick-replies', { scope: 'personal', categoryId: category.body.category.id, keyword: 'k', content: 'c' });
    expect(refused.status).toBe(400);
    const edited = await agent.patch(`/api/quick-replies/${mine.body.reply.id}`, { content: '您好，我是客服小王' });
    expect(edited.body.reply.content).toBe('您好，我是客服小王');
  });

  it('searches by keyword or content, reorders, and filters by category', async () => {
    for (const keyword of ['物流', '发票', '物流延迟']) await agent.post('/api/quick-replies', { scope: 'personal', keyword, content: `关于${keyword}` });
    const found = await agent.get(`/api/quick-replies?scope=personal&q=${encodeURIComponent('物流')}`);
    expect(found.body.items.map((r: { keyword: string }) => r.keyword)).toEqual(['物流', '物流延迟']);
    const all = (await agent.get('/api/quick-replies?scope=personal')).body.items as { id: string; keyword: string }[];
    const reversed = [...all].reverse();
    expect((await agent.post('/api/quick-replies/reorder', { scope: 'personal', ids: reversed.map((r) => r.id) })).status).toBe(200);
    const after = (await agent.get('/api/quick-replies?scope=personal')).body.items as { keyword: string }[];
    expect(after.map((r) => r.keyword)).toEqual(reversed.map((r) => r.keyword));
    const categories = (await agent.get('/api/quick-reply-categories?scope=personal')).body.items;
    const inCategory = await agent.get(`/api/quick-replies?scope=personal&categoryId=${categories[0].id}`);
    expect(inCategory.body.items.map((r: { keyword: string }) => r.keyword)).toEqual(['问候']);
  });

  it('round-trips the public library through CSV and imports JSON, creating categories by name', async () => {
    const csv = await fetch(`${kefu.url}/api/quick-replies/export?scope=public&format=csv`, { headers: { cookie: agent.cookie } });
    expect(csv.headers.get('content-disposition')).toContain('quick-replies-public.csv');
    const text = await csv.text();
    expect(text).toContain('售后,退货,退货请在订单页申请');
    const json = JSON.stringify([
      { category: '售前', keyword: '优惠', content: '新用户满100减20' },
      { category: '售后', keyword: '换货', content: '换货请联系客服' },
    ]);
    const imported = await admin.request('POST', '/api/quick-replies/import?scope=public&format=json', json, { 'content-type': 'application/json' });
    expect(imported.status).toBe(200);
    expect(imported.body.imported).toBe(2);
    const categories = (await admin.get('/api/quick-reply-categories?scope=public')).body.items.map((c: { name: string }) => c.name);
    expect(categories).toEqual(['售后', '售前']);
    const viaText = await admin.request('POST', '/api/quick-replies/import?scope=public&format=csv', text, { 'content-type': 'text/csv' });
    expect(viaText.body.imported).toBe(1);
    expect((await admin.get('/api/quick-replies?scope=public')).body.items).toHaveLength(4);
  });

  it('refuses a malformed import without importing any of it', async () => {
    const before = await kefu.app.prisma.quickReply.count();
    const bad = await admin.request('POST', '/api/quick-replies/import?scope=public&format=json', JSON.stringify([{ keyword: 'ok', content: 'ok' }, { keyword: '', content: 'x' }]), { 'content-type': 'text/plain' });
    expect(bad.status).toBe(400);
    expect(await kefu.app.prisma.quickReply.count()).toBe(before);
  });

  it('audits public and personal changes', async () => {
    const audit = await admin.get('/api/audit?q=quick_reply');
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['quick_reply.create', 'quick_reply.update', 'quick_reply.reorder', 'quick_reply.import', 'quick_reply_category.create']));
  });
});

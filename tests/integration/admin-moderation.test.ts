import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, openSocket, startTestKefu, stopAndDrop, wsUrl, type TestKefu } from '../support/harness.ts';

describe('sensitive words on live conversations', () => {
  let kefu: TestKefu;
  let admin: Client;
  let agent: Client;
  let agentId: string;

  beforeAll(async () => {
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    agentId = (await createUser(kefu, { email: 'mod-agent@example.com', status: 'online' })).id;
    agent = new Client(kefu.url);
    await agent.login('mod-agent@example.com', 'agent-password');
    const saved = await admin.request('PUT', '/api/sensitive-words', { words: ['傻瓜', 'ＢＡＤ'], maskChar: '*' });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  async function newVisitor() {
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId });
    visitor.token = session.body.visitorToken;
    return { visitor, token: session.body.visitorToken as string };
  }

  /** Routing may assign the online agent on its own; otherwise the agent picks the conversation. */
  async function ensureAssigned(conversationId: string) {
    for (let i = 0; i < 50; i += 1) {
      const row = await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
      if (row.status === 'assigned' && row.assigneeId === agentId) return;
      if (row.status === 'queued') await agent.post(`/api/conversations/${conversationId}/pick`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the conversation never reached the agent');
  }

  it('masks a visitor word before the agent socket or the transcript sees it', async () => {
    const agentSocket = await openSocket(wsUrl(kefu.url, '/ws/agent'), { cookie: agent.cookie });
    const { visitor } = await newVisitor();
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '你这个傻瓜 bad service' });
    expect(sent.status).toBe(201);
    const conversationId = sent.body.message.conversationId;
    const seen = await agentSocket.waitFor((f) => f.type === 'message' && f.message.conversationId === conversationId && f.message.sender === 'visitor');
    expect(seen.message.text).toBe('你这个** *** service');
    expect(JSON.stringify(agentSocket.frames)).not.toContain('傻瓜');
    const stored = await kefu.app.prisma.message.findMany({ where: { conversationId, sender: 'visitor' } });
    expect(stored.map((m) => m.content)).toEqual(['你这个** *** service']);
    expect(stored[0].originalContent).toBeNull();
    agentSocket.close();
  });

  it('masks an agent reply before the visitor socket or the transcript sees it', async () => {
    const { visitor, token } = await newVisitor();
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '在吗' });
    const conversationId = sent.body.message.conversationId;
    const visitorSocket = await openSocket(wsUrl(kefu.url, `/ws/visitor?token=${encodeURIComponent(token)}`));
    await ensureAssigned(conversationId);
    const reply = await agent.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'BAD 傻瓜 您好' });
    expect(reply.status).toBe(201);
    const received = await visitorSocket.waitFor((f) => f.type === 'message' && f.message.sender === 'agent');
    expect(received.message.text).toBe('*** ** 您好');
    expect(JSON.stringify(visitorSocket.frames)).not.toContain('傻瓜');
    const stored = await kefu.app.prisma.message.findFirstOrThrow({ where: { conversationId, sender: 'agent', senderId: agentId } });
    expect(stored.content).toBe('*** ** 您好');
    visitorSocket.close();
  });

  it('keeps the original only when retention for audit is on, and uses the new mask character at once', async () => {
    expect((await admin.request('PUT', '/api/sensitive-words', { keepOriginal: true, maskChar: '#' })).status).toBe(200);
    const { visitor } = await newVisitor();
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '傻瓜' });
    const stored = await kefu.app.prisma.message.findUniqueOrThrow({ where: { id: sent.body.message.id } });
    expect(stored.content).toBe('##');
    expect(stored.originalContent).toBe('傻瓜');
    await admin.request('PUT', '/api/sensitive-words', { keepOriginal: false, maskChar: '*' });
  });

  it('imports a text list (append or replace), exports it and audits each change', async () => {
    const imported = await admin.request('POST', '/api/sensitive-words/import?mode=append', '笨蛋\n# comment\n坏蛋，傻瓜\n', { 'content-type': 'text/plain' });
    expect(imported.status).toBe(200);
    expect(imported.body.imported).toBe(3);
    expect(imported.body.words).toEqual(['傻瓜', 'ＢＡＤ', '笨蛋', '坏蛋']);
    const exported = await fetch(`${kefu.url}/api/sensitive-words/export`, { headers: { cookie: admin.cookie } });
    expect(exported.headers.get('content-type')).toContain('text/plain');
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    expect(await exported.text()).toBe('傻瓜\nＢＡＤ\n笨蛋\n坏蛋\n');
    const replaced = await admin.request('POST', '/api/sensitive-words/import?mode=replace', '只有我\n', { 'content-type': 'text/plain' });
    expect(replaced.body.words).toEqual(['只有我']);
    const audit = await admin.get('/api/audit?q=sensitive_words');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['sensitive_words.update', 'sensitive_words.import']),
    );
  });

  it('refuses a mask character that is not one character', async () => {
    const res = await admin.request('PUT', '/api/sensitive-words', { maskChar: '**' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});

import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, openSocket, startTestKefu, stopAndDrop, wsUrl, type TestKefu } from '../support/harness.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

describe('web channel end to end', () => {
  let kefu: TestKefu;
  let admin: Client;
  let agentId: string;

  beforeAll(async () => {
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    // Paused (停止接入): nobody takes conversations automatically unless a test says so.
    await admin.patch('/api/me/status', { status: 'paused' });
    agentId = (await createUser(kefu, { email: 'agent1@example.com', status: 'paused' })).id;
  });

  /** Puts the conversation with `client`'s user: automatic assignment may beat the pick to it. */
  async function takeAs(client: Client, conversationId: string) {
    const me = (await client.get('/api/auth/me')).body.user;
    await client.patch('/api/me/status', { status: 'online' });
    const pick = await client.post(`/api/conversations/${conversationId}/pick`);
    const conversation = (await client.get(`/api/conversations/${conversationId}`)).body.conversation;
    await client.patch('/api/me/status', { status: 'paused' });
    expect([200, 409]).toContain(pick.status);
    expect(conversation.assigneeId).toBe(me.id);
    return conversation;
  }
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  async function newVisitor() {
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId, profile: { device: 'pc', page: 'https://shop.example.com/' } });
    expect(session.status).toBe(200);
    visitor.token = session.body.visitorToken;
    return { visitor, session: session.body };
  }

  it('delivers a visitor message to an agent socket and the reply back to the visitor socket', async () => {
    const { visitor, session } = await newVisitor();
    const agent = new Client(kefu.url);
    await agent.login('agent1@example.com', 'agent-password');
    const agentSocket = await openSocket(wsUrl(kefu.url, '/ws/agent'), { cookie: agent.cookie });
    const visitorSocket = await openSocket(wsUrl(kefu.url, `/ws/visitor?token=${encodeURIComponent(session.visitorToken)}`));

    const clientMessageId = crypto.randomUUID();
    visitorSocket.send({ type: 'send', clientMessageId, kind: 'text', text: '你好，我的订单还没到' });
    const ack = await visitorSocket.waitFor((f) => f.type === 'ack' && f.clientMessageId === clientMessageId);
    // The widget's outbox recognizes its own message by this id; without it the message would look unsent.
    expect(ack.message.clientMessageId).toBe(clientMessageId);
    const conversationId = ack.message.conversationId;
    // The conversation is queued (no bot yet): every agent sees it and its message live.
    const seen = await agentSocket.waitFor((f) => f.type === 'message' && f.message.sender === 'visitor' && f.message.text === '你好，我的订单还没到');
    expect(seen.message.conversationId).toBe(conversationId);

    const taken = await takeAs(agent, conversationId);
    expect(taken.assigneeId).toBe(agentId);

    const reply = await agent.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '您好，我来帮您查一下' });
    expect(reply.status).toBe(201);
    const received = await visitorSocket.waitFor((f) => f.type === 'message' && f.message.text === '您好，我来帮您查一下');
    expect(received.message.sender).toBe('agent');
    expect(received.message.senderName).toBe('agent1');

    agentSocket.close();
    visitorSocket.close();
  });

  it('sends a visitor message to the sending tab once (its ack) and to the visitor’s other tabs as a message', async () => {
    const { session } = await newVisitor();
    const url = wsUrl(kefu.url, `/ws/visitor?token=${encodeURIComponent(session.visitorToken)}`);
    const sender = await openSocket(url);
    // The first message registers the visitor on the socket; the second tab opens after it.
    sender.send({ type: 'send', clientMessageId: crypto.randomUUID(), kind: 'text', text: 'first' });
    await sender.waitFor((f) => f.type === 'ack');
    const otherTab = await openSocket(url);
    const ids: string[] = Array.from({ length: 5 }, () => crypto.randomUUID());
    for (const [i, id] of ids.entries()) sender.send({ type: 'send', clientMessageId: id, kind: 'text', text: `tab ${i}` });
    for (const id of ids) await otherTab.waitFor((f) => f.type === 'message' && f.message.clientMessageId === id);
    for (const id of ids) await sender.waitFor((f) => f.type === 'ack' && f.clientMessageId === id);
    await new Promise((r) => setTimeout(r, 300));
    const own = (f: { type: string; clientMessageId?: string; message?: { clientMessageId?: string } }) =>
      ids.includes(f.clientMessageId ?? f.message?.clientMessageId ?? '');
    expect(sender.frames.filter(own).map((f) => f.type)).toEqual(ids.map(() => 'ack'));
    sender.close();
    otherTab.close();
  });

  it('stores a message sent twice (socket, then HTTP fallback) exactly once', async () => {
    const { visitor } = await newVisitor();
    const clientMessageId = crypto.randomUUID();
    const first = await visitor.post('/api/widget/messages', { clientMessageId, kind: 'text', text: '重复发送' });
    const second = await visitor.post('/api/widget/messages', { clientMessageId, kind: 'text', text: '重复发送' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.duplicate).toBe(true);
    expect(second.body.message.id).toBe(first.body.message.id);
    const count = await kefu.app.prisma.message.count({ where: { conversationId: first.body.message.conversationId, sender: 'visitor' } });
    expect(count).toBe(1);
  });

  it('never duplicates an agent reply sent twice with the same client message id', async () => {
    const { visitor } = await newVisitor();
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'hi' });
    const conversationId = sent.body.message.conversationId;
    await takeAs(admin, conversationId);
    const id = crypto.randomUUID();
    const [a, b] = await Promise.all([
      admin.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: id, kind: 'text', text: 'once' }),
      admin.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: id, kind: 'text', text: 'once' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(await kefu.app.prisma.message.count({ where: { conversationId, clientMessageId: id } })).toBe(1);
  });

  it('replays what a visitor missed when the socket reconnects with a cursor', async () => {
    const { visitor, session } = await newVisitor();
    const first = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'before' });
    const conversationId = first.body.message.conversationId;
    const cursor = first.body.message.seq;
    await takeAs(admin, conversationId);
    await admin.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'while you were away' });
    const socket = await openSocket(wsUrl(kefu.url, `/ws/visitor?token=${encodeURIComponent(session.visitorToken)}&after=${cursor}`));
    const replayed = await socket.waitFor((f) => f.type === 'message' && f.message.text === 'while you were away');
    expect(replayed.message.seq).toBeGreaterThan(cursor);
    socket.close();
  });

  it('sends agents a message whose bus event was lost, once later messages show the hole it left', async () => {
    const { visitor } = await newVisitor();
    const adminSocket = await openSocket(wsUrl(kefu.url, '/ws/agent'), { cookie: admin.cookie });
    const first = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'heard first' });
    const { conversationId } = first.body.message;
    await adminSocket.waitFor((f) => f.type === 'message' && f.message.text === 'heard first');
    // Committed, but its event never published (as when the bus is away or the process dies in between);
    // a seq no message keeps is taken too (an insert rolled back).
    const lost = await kefu.app.prisma.message.create({ data: { conversationId, channelId: kefu.webChannelId, sender: 'visitor', kind: 'text', content: 'never announced' } });
    await kefu.app.prisma.$queryRawUnsafe(`SELECT nextval(pg_get_serial_sequence('messages', 'seq'))`);
    await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'heard after' });
    await adminSocket.waitFor((f) => f.type === 'message' && f.message.text === 'heard after');
    const late = await adminSocket.waitFor((f) => f.type === 'message' && f.message.id === lost.id);
    expect(late.message).toMatchObject({ text: 'never announced', conversationId, seq: Number(lost.seq) });
    adminSocket.close();
  });

  it('accepts an image upload and refuses a non-image and an oversized message', async () => {
    const { visitor } = await newVisitor();
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'pixel.png');
    const upload = await visitor.request('POST', '/api/widget/uploads', form);
    expect(upload.status).toBe(201);
    expect(upload.body.mimeType).toBe('image/png');
    const image = await fetch(kefu.url + upload.body.url);
    expect(image.status).toBe(200);
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'image', mediaUrl: upload.body.url });
    expect(sent.status).toBe(201);

    const bad = new FormData();
    bad.append('file', new Blob([Buffer.from('#!/bin/sh\necho hi')], { type: 'image/png' }), 'evil.png');
    const refused = await visitor.request('POST', '/api/widget/uploads', bad);
    expect(refused.status).toBe(415);
    expect(refused.body.error.code).toBe('unsupported_media_type');

    const long = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'x'.repeat(5001) });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('validation_failed');
  });

  it('answers bad input with a 4xx and a stable code', async () => {
    const anonymous = new Client(kefu.url);
    const malformed = await anonymous.request('POST', '/api/auth/login', '{"email":', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    expect((await anonymous.get('/api/conversations')).body.error.code).toBe('unauthenticated');
    const unknown = await admin.get('/api/conversations/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('conversation_not_found');
    expect((await admin.get('/api/conversations/not-a-uuid')).status).toBe(404);
    const wrong = await anonymous.post('/api/auth/login', { email: 'admin@example.com', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });

  it('keeps agents out of admin routes and other agents conversations', async () => {
    const agent = new Client(kefu.url);
    await agent.login('agent1@example.com', 'agent-password');
    const create = await agent.post('/api/agents', { email: 'x@example.com', name: 'x', password: 'password1' });
    expect(create.status).toBe(403);
    expect((await agent.get('/api/conversations?view=all')).status).toBe(403);

    const { visitor } = await newVisitor();
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'for the admin' });
    const conversationId = sent.body.message.conversationId;
    await takeAs(admin, conversationId);
    const peek = await agent.get(`/api/conversations/${conversationId}/messages`);
    expect(peek.status).toBe(404);
    const reply = await agent.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'not mine' });
    expect(reply.status).toBe(403);
  });

  it('lets an admin create an agent who can then log in and out', async () => {
    const created = await admin.post('/api/agents', { email: 'new.agent@example.com', name: '小王', password: 'password-123', autoAcceptLimit: 3 });
    expect(created.status).toBe(201);
    const agent = new Client(kefu.url);
    const user = await agent.login('new.agent@example.com', 'password-123');
    expect(user.role).toBe('agent');
    expect((await agent.post('/api/auth/logout')).status).toBe(200);
    expect((await agent.get('/api/auth/me')).status).toBe(401);
  });

  it('lets an admin add a web channel and get its embed code', async () => {
    const created = await admin.post('/api/channels', { type: 'web', name: '帮助中心' });
    expect(created.status).toBe(201);
    expect(created.body.embedCode).toContain(`data-channel="${created.body.channel.id}"`);
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: created.body.channel.id });
    expect(session.status).toBe(200);
  });

  it('serves health and an OpenAPI document listing every route', async () => {
    const health = await fetch(kefu.url + '/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const doc = await (await fetch(kefu.url + '/api/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/conversations/{id}/messages', '/api/widget/session', '/healthz']));
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WecomPeer } from '../peers/wecom-peer.ts';
import { Client, createUser, openSocket, startTestKefu, stopAndDrop, wsUrl, type TestKefu } from '../support/harness.ts';
import { eventually, replierFor as replierOf } from './channel-support.ts';

describe('WeCom 微信客服 channel end to end', () => {
  let peer: WecomPeer;
  let kefu: TestKefu;
  let admin: Client;
  let agent: Client;
  let channelId: string;
  let callbackUrl: string;

  beforeAll(async () => {
    peer = await WecomPeer.start();
    kefu = await startTestKefu({ env: { WECOM_API_BASE: peer.baseUrl } });
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await createUser(kefu, { email: 'wecom-agent@example.com', status: 'online' });
    agent = new Client(kefu.url);
    await agent.login('wecom-agent@example.com', 'agent-password');
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
    await peer.close();
  });

  const replierFor = (conversationId: string) => replierOf(admin, agent, conversationId);

  const storedTexts = async (text: string) =>
    kefu.app.prisma.message.findMany({ where: { channelId, content: text }, orderBy: { seq: 'asc' } });

  it('creates the channel with encrypted credentials and shows the callback URL and token once', async () => {
    const created = await admin.post('/api/channels', {
      type: 'wecom',
      name: '企业微信客服',
      credentials: peer.credentials,
    });
    expect(created.status).toBe(201);
    channelId = created.body.channel.id;
    expect(created.body.callbackUrl).toMatch(new RegExp(`/connectors/wecom/${channelId}/callback$`));
    expect(created.body.token).toBe(peer.callbackToken);
    callbackUrl = `${kefu.url}/connectors/wecom/${channelId}/callback`;
    await kefu.app.prisma.channel.update({ where: { id: channelId }, data: { settings: { greeting: '您好，欢迎咨询' } } });

    const row = await kefu.app.prisma.channel.findUniqueOrThrow({ where: { id: channelId } });
    expect(row.credentials).not.toContain(peer.secret);
    const status = await admin.get(`/api/channels/${channelId}/status`);
    expect(status.status).toBe(200);
    expect(status.body.channel.credentials).toEqual({ corpId: true, secret: true, token: true, encodingAesKey: true, openKfId: true });
    expect(JSON.stringify(status.body)).not.toContain(peer.secret);

    const test = await admin.post(`/api/channels/${channelId}/test`);
    expect(test.body).toEqual({ ok: true });
  });

  it('answers the URL verification with the decrypted echostr and refuses a forged one', async () => {
    const { query, echo } = peer.buildUrlVerification();
    const ok = await fetch(`${callbackUrl}?${new URLSearchParams(query)}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(echo);
    const forged = await fetch(`${callbackUrl}?${new URLSearchParams({ ...query, msg_signature: '0'.repeat(40) })}`);
    expect(forged.status).toBe(401);
  });

  it('runs the whole flow: greeting, bot answer, 转人工, agent replies up to the 5-message limit, close with the rating menu, rating', async () => {
    const knowledge = await admin.post('/api/knowledge', { question: '快递多久能到', phrasings: ['物流一般几天送达'], answer: '一般下单后两到三天送达。', category: '物流' });
    expect(knowledge.status).toBe(201);
    await kefu.app.prisma.channel.update({ where: { id: channelId }, data: { settings: { greeting: '您好，欢迎咨询', botEnabled: true, transferAfterMisses: 5 } } });
    const labels = ['很差', '较差', '还行', '不错', '超赞'];
    expect((await admin.request('PUT', '/api/settings/satisfaction', { enabled: true, prompt: '请为本次服务打分：', labels })).status).toBe(200);

    const entered = peer.enterSession('wm_visitor_1', 'shop');
    expect((await peer.deliverCallback(callbackUrl, entered.syncToken)).status).toBe(200);
    const greeting = await eventually(() => peer.sent.find((sent) => sent.endpoint === 'send_msg_on_event'));
    expect(greeting.body).toMatchObject({ code: entered.welcomeCode, msgtype: 'text', text: { content: '您好，欢迎咨询' } });

    // The bot answers from the knowledge base through kf/send_msg.
    const question = peer.pushVisitorText('wm_visitor_1', '快递多久能到');
    await peer.deliverCallback(callbackUrl, question.syncToken);
    await eventually(() => peer.sent.find((sent) => sent.endpoint === 'send_msg' && (sent.body.text as { content?: string })?.content === '一般下单后两到三天送达。'));
    const [asked] = await storedTexts('快递多久能到');
    const conversationId = asked!.conversationId;
    expect((await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status).toBe('bot');

    // 转人工: the conversation is handed off and reaches an agent.
    const handoff = peer.pushVisitorText('wm_visitor_1', '转人工');
    await peer.deliverCallback(callbackUrl, handoff.syncToken);
    await eventually(async () => (await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status !== 'bot');
    const agent = await replierFor(conversationId);
    const socket = await openSocket(wsUrl(kefu.url, '/ws/agent'), { cookie: agent.cookie });

    const reply = await agent.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '您好，我来帮您查一下' });
    expect(reply.status).toBe(201);
    await eventually(() => peer.sent.find((sent) => sent.endpoint === 'send_msg' && (sent.body.text as { content?: string })?.content === '您好，我来帮您查一下'));
    await eventually(async () => (await kefu.app.prisma.message.findUnique({ where: { id: reply.body.message.id } }))?.deliveryStatus === 'sent');

    let refused: { status: number; body: any } | undefined;
    for (let i = 2; i <= 7 && !refused; i++) {
      const res = await agent.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: `第${i}条` });
      if (res.status === 422) refused = res;
      else expect(res.status).toBe(201);
    }
    expect(refused?.body.error.code).toBe('message_quota_exceeded');
    // Nothing stays pending, and WeCom itself never had to refuse with 95001.
    await eventually(async () => (await kefu.app.prisma.message.count({ where: { conversationId, deliveryStatus: 'pending', kind: { not: 'event' } } })) === 0);
    const failedRows = await kefu.app.prisma.message.findMany({ where: { conversationId, deliveryStatus: 'failed', sender: 'agent' }, select: { sender: true, kind: true, content: true, failureReason: true } });
    // A system notice (e.g. the queue position) sent meanwhile takes a slot too: an agent message that no
    // longer fits is refused by the worker with the reason, never left pending or failed silently.
    for (const row of failedRows) expect(row.failureReason).toBe('超出5条回复限制，需等待访客再次发消息');
    const session = peer.session('wm_visitor_1');
    expect(session.sentSinceVisitorMessage).toBeLessThanOrEqual(5);

    // The visitor writes again: the budget opens again.
    const again = peer.pushVisitorText('wm_visitor_1', '好的谢谢');
    await peer.deliverCallback(callbackUrl, again.syncToken);
    await socket.waitFor((f) => f.type === 'message' && f.message.text === '好的谢谢');
    const after = await agent.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '不客气' });
    expect(after.status).toBe(201);
    await eventually(() => peer.sent.find((sent) => (sent.body.text as { content?: string })?.content === '不客气'));

    // A servicer typing in the WeCom client (origin 5) is mirrored into the transcript as an agent message.
    const servicer = peer.pushServicerText('wm_visitor_1', 'zhangsan', '我是企业微信里的同事');
    await peer.deliverCallback(callbackUrl, servicer.syncToken);
    const mirrored = await socket.waitFor((f) => f.type === 'message' && f.message.text === '我是企业微信里的同事');
    expect(mirrored.message.sender).toBe('agent');

    // Closing ends the WeCom session and sends the rating menu with the session-end code, once.
    const closed = await agent.post(`/api/conversations/${conversationId}/close`);
    expect(closed.status).toBe(200);
    await eventually(() => peer.session('wm_visitor_1').state === 4);
    const menu = await eventually(() => peer.sent.find((sent) => sent.endpoint === 'send_msg_on_event' && sent.body.code !== entered.welcomeCode));
    expect(menu.body.msgtype).toBe('msgmenu');
    const items = (menu.body.msgmenu as { head_content: string; list: { type: string; click: { id: string; content: string } }[] });
    expect(items.head_content).toContain('请为本次服务打分：');
    expect(items.list.map((item) => item.click.content)).toEqual(labels);
    expect(items.list.every((item) => item.type === 'click')).toBe(true);
    await eventually(async () => {
      const row = await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
      return typeof (row.state as Record<string, unknown>).ratingExpiresAt === 'string';
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Routing's own numbered prompt is not sent as well (it could only fail after the session ended).
    const textPrompts = await kefu.app.prisma.message.count({ where: { conversationId, kind: { not: 'event' }, content: { contains: '请为本次服务打分' } } });
    expect(textPrompts).toBe(0);

    // The visitor clicks 不错 (item 4): the rating of the closed conversation, not a new conversation.
    const click = peer.pushVisitorMessage('wm_visitor_1', { msgtype: 'text', text: { content: '不错', menu_id: items.list[3]!.click.id } });
    await peer.deliverCallback(callbackUrl, click.syncToken);
    const rating = await eventually(() => kefu.app.prisma.satisfactionRating.findFirst({ where: { conversationId } }));
    expect(rating.score).toBe(4);
    const conversations = await kefu.app.prisma.conversation.count({ where: { channelId, visitor: { externalId: 'wm_visitor_1' } } });
    expect(conversations).toBe(1);
    expect((await admin.request('PUT', '/api/settings/satisfaction', { enabled: false })).status).toBe(200);
    await kefu.app.prisma.channel.update({ where: { id: channelId }, data: { settings: { greeting: '您好，欢迎咨询' } } });
    socket.close();
  });

  it('stores a message once however often and however concurrently its notice arrives', async () => {
    const pushed = peer.pushVisitorText('wm_visitor_2', '重复的通知');
    const responses = await Promise.all([1, 2, 3, 4, 5].map(() => peer.deliverCallback(callbackUrl, pushed.syncToken)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await eventually(async () => (await storedTexts('重复的通知')).length === 1);
    // Another pull over the same items (cursor lost) changes nothing either.
    await kefu.app.prisma.channel.update({ where: { id: channelId }, data: { state: {} } });
    const next = peer.pushVisitorText('wm_visitor_2', '之后的消息');
    await peer.deliverCallback(callbackUrl, next.syncToken);
    await eventually(async () => (await storedTexts('之后的消息')).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await storedTexts('重复的通知')).toHaveLength(1);
    const state = (await kefu.app.prisma.channel.findUniqueOrThrow({ where: { id: channelId } })).state as { wecomCursors?: Record<string, string> };
    expect(state.wecomCursors?.[peer.openKfId]).toMatch(/^c\d+$/);
  });

  it('downloads a visitor image with media/get into the upload folder before intake', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
    peer.media.set('wecom_image_1', { data: png, filename: 'a.png', mimeType: 'image/png' });
    const pushed = peer.pushVisitorMessage('wm_visitor_5', { msgtype: 'image', image: { media_id: 'wecom_image_1' } });
    await peer.deliverCallback(callbackUrl, pushed.syncToken);
    const row = await eventually(() => kefu.app.prisma.message.findFirst({ where: { channelId, channelMessageId: pushed.msgid } }));
    expect(row.kind).toBe('image');
    expect(row.mediaUrl).toMatch(/^\/uploads\/\d{4}-\d{2}\/[0-9a-f-]{36}\.png$/);
    expect(fs.readFileSync(path.join(kefu.app.config.uploadDir, row.mediaUrl!.slice('/uploads/'.length)))).toEqual(png);
  });

  it('refreshes an expired access token and carries on', async () => {
    const issued = peer.tokensIssued;
    peer.expireTokens();
    const pushed = peer.pushVisitorText('wm_visitor_3', '令牌过期之后');
    await peer.deliverCallback(callbackUrl, pushed.syncToken);
    await eventually(async () => (await storedTexts('令牌过期之后')).length === 1);
    expect(peer.tokensIssued).toBe(issued + 1);
  });

  it('marks a message failed with the reason when WeCom reports msg_send_fail', async () => {
    const pushed = peer.pushVisitorText('wm_visitor_4', '请回复我');
    await peer.deliverCallback(callbackUrl, pushed.syncToken);
    const [inbound] = await eventually(async () => {
      const rows = await storedTexts('请回复我');
      return rows.length ? rows : undefined;
    });
    const conversationId = inbound!.conversationId;
    const agent = await replierFor(conversationId);
    const reply = await agent.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '马上处理' });
    expect(reply.status).toBe(201);
    const sent = await eventually(async () => {
      const row = await kefu.app.prisma.message.findUnique({ where: { id: reply.body.message.id } });
      return row?.deliveryStatus === 'sent' ? row : undefined;
    });
    const failNotice = peer.pushEvent({ event_type: 'msg_send_fail', external_userid: 'wm_visitor_4', fail_msgid: sent.channelMessageId, fail_type: 10 });
    await peer.deliverCallback(callbackUrl, failNotice.syncToken);
    const failed = await eventually(async () => {
      const row = await kefu.app.prisma.message.findUnique({ where: { id: reply.body.message.id } });
      return row?.deliveryStatus === 'failed' ? row : undefined;
    });
    expect(failed.failureReason).toBe('用户拒收');
  });

  /** A visitor writes and an agent replies; resolves with the reply once it is no longer pending. */
  async function replyTo(externalUserId: string, before: () => void, text: string) {
    const pushed = peer.pushVisitorText(externalUserId, `${externalUserId} 在吗`);
    before();
    await peer.deliverCallback(callbackUrl, pushed.syncToken);
    const inbound = await eventually(async () => (await storedTexts(`${externalUserId} 在吗`))[0]);
    const replier = await replierFor(inbound.conversationId);
    const reply = await replier.post(`/api/conversations/${inbound.conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text });
    expect(reply.status).toBe(201);
    const row = await eventually(async () => {
      const current = await kefu.app.prisma.message.findUnique({ where: { id: reply.body.message.id } });
      return current && current.deliveryStatus !== 'pending' ? current : undefined;
    });
    const history = await replier.get(`/api/conversations/${inbound.conversationId}/messages`);
    return { row, replier, conversationId: inbound.conversationId, shown: JSON.stringify(history.body) };
  }

  it('moves a new WeCom session (state 0) to API reception before the agent’s reply, which arrives once', async () => {
    const { row } = await replyTo('wm_state_0', () => expect(peer.session('wm_state_0').state).toBe(0), '状态0的回复');
    expect(row.deliveryStatus).toBe('sent');
    expect(peer.session('wm_state_0').state).toBe(1);
    const delivered = peer.sentTo('wm_state_0').filter((sent) => (sent.body.text as { content?: string })?.content === '状态0的回复');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.msgid).toBe(row.id.replace(/-/g, ''));
  });

  it('asks WeCom again after a session_status_change instead of trusting the remembered state 1', async () => {
    // wm_state_0 is remembered in state 1 from the test above; a WeCom servicer now takes the chat.
    peer.setSessionState('wm_state_0', 3, 'zhaoliu');
    const changed = peer.pushEvent({ event_type: 'session_status_change', external_userid: 'wm_state_0', change_type: 1, new_servicer_userid: 'zhaoliu' });
    await peer.deliverCallback(callbackUrl, changed.syncToken);
    const stored = await eventually(() => kefu.app.prisma.message.findFirst({ where: { channelId, channelMessageId: changed.msgid } }));
    const calls = peer.calls.length;
    const replier = await replierFor(stored.conversationId);
    const reply = await replier.post(`/api/conversations/${stored.conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '接待变更后的回复' });
    expect(reply.status).toBe(201);
    const failed = await eventually(async () => {
      const row = await kefu.app.prisma.message.findUnique({ where: { id: reply.body.message.id } });
      return row?.deliveryStatus === 'failed' ? row : undefined;
    });
    expect(failed.failureReason).toContain('该会话正由企业微信客服人员接待（zhaoliu）');
    const after = peer.calls.slice(calls);
    expect(after).toContain('/cgi-bin/kf/service_state/get');
    expect(after).not.toContain('/cgi-bin/kf/send_msg');
  });

  it('shows the agent why a reply cannot go while a WeCom servicer serves the visitor (state 3)', async () => {
    const { row, shown } = await replyTo('wm_state_3', () => peer.setSessionState('wm_state_3', 3, 'wangwu'), '状态3的回复');
    expect(row.deliveryStatus).toBe('failed');
    expect(row.failureReason).toContain('该会话正由企业微信客服人员接待');
    expect(shown).toContain('该会话正由企业微信客服人员接待');
    expect(peer.session('wm_state_3').state).toBe(3);
    expect(peer.sentTo('wm_state_3')).toEqual([]);
  });

  it('shows the agent why a reply cannot go while the visitor waits in the WeCom pool (state 2, pool → API refused)', async () => {
    const { row } = await replyTo('wm_state_2', () => peer.setSessionState('wm_state_2', 2), '状态2的回复');
    expect(row.deliveryStatus).toBe('failed');
    expect(row.failureReason).toContain('该会话正在企业微信待接入池排队');
    expect(peer.sentTo('wm_state_2')).toEqual([]);
  });

  it('takes a typed 1–5 after the rating menu as the rating of the closed conversation', async () => {
    expect((await admin.request('PUT', '/api/settings/satisfaction', { enabled: true })).status).toBe(200);
    const [inbound] = await storedTexts('请回复我');
    const conversationId = inbound!.conversationId;
    const agent = await replierFor(conversationId);
    const before = peer.sent.length;
    expect((await agent.post(`/api/conversations/${conversationId}/close`)).status).toBe(200);
    const menu = await eventually(() => peer.sent.slice(before).find((sent) => sent.endpoint === 'send_msg_on_event'));
    expect(menu.body.msgtype).toBe('msgmenu');
    await eventually(async () => typeof ((await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).state as Record<string, unknown>).ratingExpiresAt === 'string');

    const typed = peer.pushVisitorText('wm_visitor_4', '2');
    await peer.deliverCallback(callbackUrl, typed.syncToken);
    const rating = await eventually(() => kefu.app.prisma.satisfactionRating.findFirst({ where: { conversationId } }));
    expect(rating.score).toBe(2);
    expect(await kefu.app.prisma.conversation.count({ where: { channelId, visitor: { externalId: 'wm_visitor_4' } } })).toBe(1);
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatMpPeer, type MpPeerMode } from '../peers/wechat-mp-peer.ts';
import { Client, createUser, openSocket, startTestKefu, stopAndDrop, wsUrl, type TestKefu } from '../support/harness.ts';
import { eventually, postCallback as post } from './channel-support.ts';

describe('Official Account channel end to end', () => {
  let peer: WechatMpPeer;
  let kefu: TestKefu;
  let admin: Client;
  let agent: Client;

  beforeAll(async () => {
    peer = await WechatMpPeer.start();
    kefu = await startTestKefu({ env: { WECHAT_MP_API_BASE: peer.baseUrl } });
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await createUser(kefu, { email: 'mp-agent@example.com', status: 'online' });
    agent = new Client(kefu.url);
    await agent.login('mp-agent@example.com', 'agent-password');
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
    await peer.close();
  });

  async function replierFor(conversationId: string): Promise<Client> {
    const current = await admin.get(`/api/conversations/${conversationId}`);
    if (current.body.conversation.status === 'assigned') {
      const me = await admin.get('/api/auth/me');
      return current.body.conversation.assigneeId === me.body.user.id ? admin : agent;
    }
    expect((await agent.post(`/api/conversations/${conversationId}/pick`)).status).toBe(200);
    return agent;
  }

  for (const mode of ['plain', 'compatible', 'safe'] as MpPeerMode[]) {
    it(`${mode} mode: verifies the URL, greets a new follower, stores a message once and delivers the reply`, async () => {
      const created = await admin.post('/api/channels', { type: 'wechat_mp', name: `公众号 ${mode}`, credentials: peer.credentials(mode) });
      expect(created.status).toBe(201);
      const channelId: string = created.body.channel.id;
      await kefu.app.prisma.channel.update({ where: { id: channelId }, data: { settings: { greeting: `欢迎关注（${mode}）` } } });
      const url = `${kefu.url}/connectors/wechat-mp/${channelId}/callback`;
      expect(created.body.callbackUrl.endsWith(`/connectors/wechat-mp/${channelId}/callback`)).toBe(true);

      const { query, echostr } = peer.buildUrlVerification();
      const verified = await fetch(`${url}?${new URLSearchParams(query)}`);
      expect(await verified.text()).toBe(echostr);

      const openId = `o_${mode}_${crypto.randomBytes(4).toString('hex')}`;
      const subscribed = await post(url, peer.userSubscribes(openId, mode));
      expect(await subscribed.text()).toBe('success');
      await eventually(() => peer.sent.find((sent) => sent.touser === openId && JSON.stringify(sent.body).includes(`欢迎关注（${mode}）`)));

      const text = peer.userSendsText(openId, `你好 ${mode}`, mode);
      const answers = await Promise.all([post(url, text), post(url, text), post(url, text)]);
      expect(await Promise.all(answers.map((a) => a.text()))).toEqual(['success', 'success', 'success']);
      const rows = await kefu.app.prisma.message.findMany({ where: { channelId, content: `你好 ${mode}` } });
      expect(rows).toHaveLength(1);

      const replier = await replierFor(rows[0]!.conversationId);
      const reply = await replier.post(`/api/conversations/${rows[0]!.conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: `收到 ${mode}` });
      expect(reply.status).toBe(201);
      await eventually(() => peer.sent.find((sent) => sent.touser === openId && JSON.stringify(sent.body).includes(`收到 ${mode}`)));
      await eventually(async () => (await kefu.app.prisma.message.findUnique({ where: { id: reply.body.message.id } }))?.deliveryStatus === 'sent');
    });
  }

  it('shows the visitor a typing indicator while the agent types, at most once per period, and keeps typing failures from the agent', async () => {
    const created = await admin.post('/api/channels', { type: 'wechat_mp', name: '公众号 typing', credentials: peer.credentials('plain') });
    const channelId: string = created.body.channel.id;
    const url = `${kefu.url}/connectors/wechat-mp/${channelId}/callback`;

    async function conversationOf(openId: string): Promise<{ conversationId: string; replier: Client }> {
      expect(await (await post(url, peer.userSendsText(openId, `在吗 ${openId}`, 'plain'))).text()).toBe('success');
      const row = await eventually(() => kefu.app.prisma.message.findFirst({ where: { channelId, content: `在吗 ${openId}` } }));
      // Routing may be assigning the conversation right now (to the agent or the online admin); otherwise the agent picks it.
      const me = await admin.get('/api/auth/me');
      const assigned = await eventually(async () => {
        const current = await admin.get(`/api/conversations/${row.conversationId}`);
        if (current.body.conversation.status === 'assigned') return current.body.conversation;
        await agent.post(`/api/conversations/${row.conversationId}/pick`);
        return undefined;
      });
      return { conversationId: row.conversationId, replier: assigned.assigneeId === me.body.user.id ? admin : agent };
    }

    const openId = `o_typing_${crypto.randomBytes(4).toString('hex')}`;
    const first = await conversationOf(openId);
    const socket = await openSocket(wsUrl(kefu.url, '/ws/agent'), { cookie: first.replier.cookie });
    try {
      for (let i = 0; i < 3; i++) socket.send({ type: 'typing', conversationId: first.conversationId });
      await eventually(() => peer.typing.find((t) => t.touser === openId));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(peer.typing.filter((t) => t.touser === openId)).toEqual([{ touser: openId, command: 'Typing' }]);

      // WeChat refusing the indicator (45080: the visitor has been quiet for 30 s) reaches neither the socket nor the next reply.
      const quiet = `o_quiet_${crypto.randomBytes(4).toString('hex')}`;
      const second = await conversationOf(quiet);
      const secondSocket = second.replier === first.replier ? socket : await openSocket(wsUrl(kefu.url, '/ws/agent'), { cookie: second.replier.cookie });
      const refusedBefore = peer.calls.filter((call) => call === '/cgi-bin/message/custom/typing').length;
      peer.failNext('/cgi-bin/message/custom/typing', 45080);
      secondSocket.send({ type: 'typing', conversationId: second.conversationId });
      await eventually(() => peer.calls.filter((call) => call === '/cgi-bin/message/custom/typing').length > refusedBefore);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(secondSocket.frames.filter((f) => f.type === 'error')).toEqual([]);
      expect(peer.typing.find((t) => t.touser === quiet)).toBeUndefined();
      const reply = await second.replier.post(`/api/conversations/${second.conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '马上好' });
      expect(reply.status).toBe(201);
      await eventually(() => peer.sent.find((sent) => sent.touser === quiet && JSON.stringify(sent.body).includes('马上好')));
      if (secondSocket !== socket) secondSocket.close();
    } finally {
      socket.close();
    }
  });

  it('stores a visitor image in the upload folder so agents see it', async () => {
    const created = await admin.post('/api/channels', { type: 'wechat_mp', name: '公众号 image', credentials: peer.credentials('plain') });
    const channelId: string = created.body.channel.id;
    const url = `${kefu.url}/connectors/wechat-mp/${channelId}/callback`;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
    peer.media.set('mp_image_1', { data: png, filename: 'a.png', mimeType: 'image/png' });
    peer.recordInteraction('o_image');
    const msgId = `${Date.now()}`;
    const built = peer.buildCallback('plain', { FromUserName: 'o_image', MsgType: 'image', PicUrl: 'http://127.0.0.1:9/unreachable.jpg', MediaId: 'mp_image_1', MsgId: BigInt(msgId) });
    expect(await (await post(url, built)).text()).toBe('success');
    const row = await kefu.app.prisma.message.findFirstOrThrow({ where: { channelId, channelMessageId: msgId } });
    expect(row.kind).toBe('image');
    expect(row.mediaUrl).toMatch(/^\/uploads\/\d{4}-\d{2}\/[0-9a-f-]{36}\.png$/);
    expect(fs.readFileSync(path.join(kefu.app.config.uploadDir, row.mediaUrl!.slice('/uploads/'.length)))).toEqual(png);
  });

  it('refuses a callback with a bad signature', async () => {
    const created = await admin.post('/api/channels', { type: 'wechat_mp', name: '公众号 forged', credentials: peer.credentials('plain') });
    const url = `${kefu.url}/connectors/wechat-mp/${created.body.channel.id}/callback`;
    const built = peer.userSendsText('o_forged', 'x', 'plain');
    const forged = await post(url, { ...built, query: { ...built.query, signature: '0'.repeat(40) } });
    expect(forged.status).toBe(401);
  });
});

import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatMpPeer, type MpPeerMode } from '../peers/wechat-mp-peer.ts';
import { WecomPeer } from '../peers/wecom-peer.ts';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { eventually, postCallback, replierFor } from './channel-support.ts';

const visitorsPerChannel = 4;
const messagesPerVisitor = 8;

/**
 * Every callback of a realistic sequence (follow / enter_session, then 8 messages from each of 4
 * visitors, visitors in parallel) arrives three times: once on its own, then twice at the same time,
 * as WeChat's retries and a second delivery path do. Each message is stored once and in order, the
 * greeting goes once per visitor, and every reply reaches the peer exactly once.
 */
describe('callback storm: every WeChat-family callback delivered three times', () => {
  let mpPeer: WechatMpPeer;
  let wecomPeer: WecomPeer;
  let kefu: TestKefu;
  let admin: Client;
  let agent: Client;

  beforeAll(async () => {
    mpPeer = await WechatMpPeer.start();
    wecomPeer = await WecomPeer.start();
    kefu = await startTestKefu({ env: { WECHAT_MP_API_BASE: mpPeer.baseUrl, WECOM_API_BASE: wecomPeer.baseUrl, RATE_LIMIT_MULTIPLIER: '1000' } });
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await admin.patch('/api/me/status', { status: 'paused' });
    await createUser(kefu, { email: 'storm-agent@example.com', status: 'online', autoAcceptLimit: 50 });
    agent = new Client(kefu.url);
    await agent.login('storm-agent@example.com', 'agent-password');
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
    await mpPeer.close();
    await wecomPeer.close();
  });

  /** Once alone, then twice concurrently; every answer must be a 200. */
  async function deliverThrice(send: () => Promise<Response>, expectBody?: string): Promise<void> {
    const answers = [await send()];
    answers.push(...(await Promise.all([send(), send()])));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      const text = await answer.text();
      if (expectBody !== undefined) expect(text).toBe(expectBody);
    }
  }

  async function createChannel(type: 'wecom' | 'wechat_mp', name: string, credentials: Record<string, string>, greeting: string): Promise<string> {
    const created = await admin.post('/api/channels', { type, name, credentials });
    expect(created.status).toBe(201);
    const channelId: string = created.body.channel.id;
    await kefu.app.prisma.channel.update({ where: { id: channelId }, data: { settings: { greeting } } });
    return channelId;
  }

  const textOf = (i: number, visitor: string) => `${visitor} 第${i}条`;

  /** Each visitor's messages stored once, in the order sent, in one conversation. */
  async function expectStoredOnceInOrder(channelId: string, visitors: string[]): Promise<Map<string, string>> {
    const conversations = new Map<string, string>();
    for (const visitor of visitors) {
      const rows = await kefu.app.prisma.message.findMany({
        where: { channelId, sender: 'visitor', kind: { not: 'event' }, conversation: { visitor: { externalId: visitor } } },
        orderBy: { seq: 'asc' },
        select: { content: true, conversationId: true },
      });
      expect(rows.map((row) => row.content)).toEqual(Array.from({ length: messagesPerVisitor }, (_, i) => textOf(i + 1, visitor)));
      expect(new Set(rows.map((row) => row.conversationId)).size).toBe(1);
      conversations.set(visitor, rows[0]!.conversationId);
    }
    return conversations;
  }

  /** One reply per visitor from whoever serves it; resolves when every reply is no longer pending. */
  async function replyToEach(conversations: Map<string, string>, label: string): Promise<Map<string, string>> {
    const replies = new Map<string, string>();
    for (const [visitor, conversationId] of conversations) {
      const replier = await replierFor(admin, agent, conversationId);
      const text = `${label} 回复 ${visitor}`;
      const reply = await replier.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text });
      expect(reply.status).toBe(201);
      replies.set(visitor, text);
    }
    const conversationIds = [...conversations.values()];
    await eventually(
      async () => (await kefu.app.prisma.message.count({ where: { conversationId: { in: conversationIds }, deliveryStatus: 'pending', kind: { not: 'event' } } })) === 0,
      20_000,
    );
    return replies;
  }

  /** Outbound messages Kefu recorded as sent to the visitor, oldest first. */
  async function sentOutbound(conversationId: string) {
    return kefu.app.prisma.message.findMany({
      where: { conversationId, sender: { in: ['agent', 'bot', 'system'] }, kind: { not: 'event' }, deliveryStatus: 'sent' },
      orderBy: { seq: 'asc' },
      select: { id: true, content: true },
    });
  }

  for (const mode of ['plain', 'safe'] as MpPeerMode[]) {
    it(`Official Account, ${mode} mode`, async () => {
      const greeting = `欢迎关注 storm ${mode}`;
      const channelId = await createChannel('wechat_mp', `公众号 storm ${mode}`, mpPeer.credentials(mode), greeting);
      const url = `${kefu.url}/connectors/wechat-mp/${channelId}/callback`;
      const visitors = Array.from({ length: visitorsPerChannel }, (_, v) => `o_storm_${mode}_${v}_${crypto.randomBytes(3).toString('hex')}`);

      await Promise.all(
        visitors.map(async (visitor) => {
          const follow = mpPeer.userSubscribes(visitor, mode);
          await deliverThrice(() => postCallback(url, follow), 'success');
          for (let i = 1; i <= messagesPerVisitor; i++) {
            const text = mpPeer.userSendsText(visitor, textOf(i, visitor), mode);
            await deliverThrice(() => postCallback(url, text), 'success');
          }
        }),
      );

      const conversations = await expectStoredOnceInOrder(channelId, visitors);
      const replies = await replyToEach(conversations, `公众号 ${mode}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const visitor of visitors) {
        const received = mpPeer.sent.filter((sent) => sent.touser === visitor).map((sent) => (sent.body.text as { content?: string } | undefined)?.content);
        expect(received.filter((text) => text === greeting)).toHaveLength(1);
        expect(received.filter((text) => text === replies.get(visitor))).toHaveLength(1);
        // Whatever else was sent (queue notices), the peer got each recorded message once and nothing more.
        const recorded = (await sentOutbound(conversations.get(visitor)!)).map((row) => row.content);
        expect([...received].sort()).toEqual([...recorded].sort());
      }
    }, 60_000);
  }

  it('WeCom 微信客服', async () => {
    const greeting = '欢迎咨询 storm';
    const channelId = await createChannel('wecom', '企业微信 storm', wecomPeer.credentials, greeting);
    const url = `${kefu.url}/connectors/wecom/${channelId}/callback`;
    const visitors = Array.from({ length: visitorsPerChannel }, (_, v) => `wm_storm_${v}_${crypto.randomBytes(3).toString('hex')}`);
    const welcomeCodes = new Map<string, string>();

    await Promise.all(
      visitors.map(async (visitor) => {
        const entered = wecomPeer.enterSession(visitor, 'storm');
        welcomeCodes.set(visitor, entered.welcomeCode);
        await deliverThrice(() => wecomPeer.deliverCallback(url, entered.syncToken));
        for (let i = 1; i <= messagesPerVisitor; i++) {
          const pushed = wecomPeer.pushVisitorText(visitor, textOf(i, visitor));
          await deliverThrice(() => wecomPeer.deliverCallback(url, pushed.syncToken));
        }
      }),
    );

    await eventually(
      async () => (await kefu.app.prisma.message.count({ where: { channelId, sender: 'visitor', kind: { not: 'event' } } })) >= visitors.length * messagesPerVisitor,
      20_000,
    );
    const conversations = await expectStoredOnceInOrder(channelId, visitors);
    const replies = await replyToEach(conversations, '企业微信');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const greetings = wecomPeer.sent.filter((sent) => sent.endpoint === 'send_msg_on_event');
    for (const visitor of visitors) {
      expect(greetings.filter((sent) => sent.body.code === welcomeCodes.get(visitor))).toHaveLength(1);
      const received = wecomPeer.sentTo(visitor);
      expect(received.filter((sent) => (sent.body.text as { content?: string } | undefined)?.content === replies.get(visitor))).toHaveLength(1);
      // Each recorded message reached WeCom once, under its own msgid, and nothing else did.
      const recorded = (await sentOutbound(conversations.get(visitor)!)).map((row) => row.id.replace(/-/g, ''));
      expect(received.map((sent) => sent.msgid).sort()).toEqual([...recorded].sort());
    }
    expect(greetings).toHaveLength(visitors.length);
  }, 60_000);
});

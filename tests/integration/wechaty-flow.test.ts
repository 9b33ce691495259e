import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PuppetMock } from 'wechaty-puppet-mock';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { eventually, startedBot } from './channel-support.ts';

describe('personal WeChat through Wechaty and PuppetMock', () => {
  let kefu: TestKefu;
  let admin: Client;
  let agent: Client;

  beforeAll(async () => {
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await createUser(kefu, { email: 'wx-agent@example.com', status: 'online' });
    agent = new Client(kefu.url);
    await agent.login('wx-agent@example.com', 'agent-password');
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  it('brings a contact’s message to an agent and the agent’s reply back to the contact', async () => {
    const created = await admin.post('/api/channels', { type: 'wechaty', name: '个人微信', credentials: { puppet: 'wechaty-puppet-mock' } });
    expect(created.status).toBe(201);
    const channelId: string = created.body.channel.id;
    const bot = await eventually(() => startedBot(channelId));
    const mocker = (bot.puppet as unknown as PuppetMock).mocker;
    const botUser = mocker.createContact({ name: 'Kefu' });
    const contact = mocker.createContact({ name: '张三' });
    mocker.login(botUser);
    const status = await eventually(async () => {
      const res = await admin.get(`/api/channels/${channelId}/status`);
      return res.body.status?.status === 'logged_in' ? res.body.status : undefined;
    });
    expect(status.user).toEqual({ id: botUser.id, name: 'Kefu' });

    const replies: string[] = [];
    contact.on('message', (message) => {
      if (message.talker().id === botUser.id) replies.push(message.text() ?? '');
    });
    contact.say('你好，我想咨询一下').to(botUser);
    const [stored] = await eventually(async () => {
      const rows = await kefu.app.prisma.message.findMany({ where: { channelId, content: '你好，我想咨询一下' } });
      return rows.length ? rows : undefined;
    });
    const visitor = await kefu.app.prisma.visitor.findFirstOrThrow({ where: { channelId } });
    expect(visitor.externalId).toBe(contact.id);

    const conversationId = stored!.conversationId;
    // Routing may auto-assign the conversation (to the agent or the online admin); otherwise the agent picks it.
    const me = await admin.get('/api/auth/me');
    const assigned = await eventually(async () => {
      const current = await admin.get(`/api/conversations/${conversationId}`);
      if (current.body.conversation.status === 'assigned') return current.body.conversation;
      await agent.post(`/api/conversations/${conversationId}/pick`);
      return undefined;
    });
    const replier = assigned.assigneeId === me.body.user.id ? admin : agent;
    const reply = await replier.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '您好，请讲' });
    expect(reply.status).toBe(201);
    await eventually(() => replies.includes('您好，请讲'));
    await eventually(async () => (await kefu.app.prisma.message.findUnique({ where: { id: reply.body.message.id } }))?.deliveryStatus === 'sent');
    // The bot's own outgoing message also fires Wechaty's message event; it must not come back as a visitor message.
    expect(await kefu.app.prisma.message.count({ where: { channelId, content: '您好，请讲', sender: 'visitor' } })).toBe(0);
  });

  it('ignores group messages unless the account is mentioned and the channel allows room mentions', async () => {
    const created = await admin.post('/api/channels', { type: 'wechaty', name: '个人微信 群聊', credentials: { puppet: 'wechaty-puppet-mock' } });
    const channelId: string = created.body.channel.id;
    const bot = await eventually(() => startedBot(channelId));
    const mocker = (bot.puppet as unknown as PuppetMock).mocker;
    const botUser = mocker.createContact({ name: 'Kefu 群' });
    const member = mocker.createContact({ name: '李四' });
    const room = mocker.createRoom({ topic: '售后群', memberIdList: [botUser.id, member.id] });
    mocker.login(botUser);
    await eventually(async () => (await admin.get(`/api/channels/${channelId}/status`)).body.status?.status === 'logged_in');

    const stored = (content: string) => kefu.app.prisma.message.count({ where: { channelId, content } });
    // A 1:1 message sent after the group ones marks the point by which they would have been stored.
    async function settle(marker: string) {
      member.say(marker).to(botUser);
      await eventually(async () => (await stored(marker)) === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    member.say('@Kefu 群 在吗（未开启）', [botUser]).to(room);
    member.say('大家好（未开启）').to(room);
    await settle('私聊一');
    expect(await stored('@Kefu 群 在吗（未开启）')).toBe(0);
    expect(await stored('大家好（未开启）')).toBe(0);

    await kefu.app.prisma.channel.update({ where: { id: channelId }, data: { settings: { allowRoomMentions: true } } });
    member.say('大家好（已开启）').to(room);
    member.say('@Kefu 群 在吗（已开启）', [botUser]).to(room);
    await eventually(async () => (await stored('@Kefu 群 在吗（已开启）')) === 1);
    await settle('私聊二');
    expect(await stored('大家好（已开启）')).toBe(0);
    const visitor = await kefu.app.prisma.visitor.findFirstOrThrow({ where: { channelId, externalId: member.id } });
    expect(visitor.name).toBe('李四');
  });
});

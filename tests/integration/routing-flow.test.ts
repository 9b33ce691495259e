import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultServiceHours } from '../../core/routing/service-hours.ts';
import { Client, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { conversationOf, eventually, jobsRun, messagesOf, newChannel, newVisitor, onlyAgents, putSetting, say } from './routing-support.ts';

describe('routing: bot first, hand-off, queue and assignment', () => {
  let kefu: TestKefu;
  let admin: Client;
  let botChannel: string;
  let plainChannel: string;

  beforeAll(async () => {
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    botChannel = await newChannel(kefu, { botEnabled: true, transferAfterMisses: 2 });
    plainChannel = await newChannel(kefu, {});
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
  });
  beforeEach(async () => {
    for (const key of ['humanService', 'offHours', 'offlineMessages', 'queue', 'satisfaction', 'session']) await putSetting(admin, key, {});
    await putSetting(admin, 'serviceHours', defaultServiceHours);
    // Each test starts with an empty queue: the queue order is global.
    await kefu.app.prisma.conversation.updateMany({ where: { status: { not: 'closed' } }, data: { status: 'closed', closedAt: new Date() } });
    await kefu.app.prisma.user.updateMany({ data: { activeCount: 0, status: 'offline' } });
    await putSetting(admin, 'assignment', { preferPreviousAgentHours: 24 });
  });

  it('starts a conversation on a bot channel with the bot and answers a miss with the fallback reply', async () => {
    await onlyAgents(kefu, [{ name: 'a1' }]);
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '你们几点发货');
    expect((await conversationOf(kefu, id)).status).toBe('bot');
    const messages = await messagesOf(kefu, id);
    expect(messages.some((m) => m.sender === 'bot' && m.content?.includes('换个说法'))).toBe(true);
  });

  it('hands off after N bot misses in a row and assigns the conversation to an online agent', async (ctx) => {
    if (!jobsRun(kefu)) ctx.skip();
    const [agent] = await onlyAgents(kefu, [{ name: 'a2' }]);
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '第一个问题');
    await say(visitor, '第二个问题');
    const assigned = await eventually(async () => {
      const c = await conversationOf(kefu, id);
      return c.status === 'assigned' && c;
    });
    expect(assigned.assigneeId).toBe(agent.id);
    const handoff = await kefu.app.prisma.conversationEvent.findFirst({ where: { conversationId: id, type: 'handoff' } });
    expect(handoff?.data).toMatchObject({ reason: 'bot_misses' });
  });

  it('hands off at once on a transfer keyword and sends the queue prompt with position and eta', async () => {
    await onlyAgents(kefu, [{ name: 'full', limit: 0 }]);
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '我要转人工！');
    expect((await conversationOf(kefu, id)).status).toBe('queued');
    const prompt = (await messagesOf(kefu, id)).find((m) => (m.data as any)?.queuePosition !== undefined);
    expect(prompt?.content).toMatch(/^您前面还有\d+位，预计等待\d+分钟$/);
    const second = await newVisitor(kefu, botChannel);
    const id2 = await say(second.visitor, '人工客服');
    const prompt2 = (await messagesOf(kefu, id2)).find((m) => (m.data as any)?.queuePosition !== undefined);
    expect((prompt2!.data as any).queuePosition).toBe((prompt!.data as any).queuePosition + 1);
  });

  it('hands off when the visitor presses 转人工 in the widget', async () => {
    await onlyAgents(kefu, [{ name: 'full', limit: 0 }]);
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '你好');
    const res = await visitor.post('/api/widget/handoff');
    expect(res.status).toBe(200);
    expect((await conversationOf(kefu, id)).status).toBe('queued');
  });

  it('queues a conversation at once on a channel without a bot', async () => {
    await onlyAgents(kefu, [{ name: 'full', limit: 0 }]);
    const { visitor } = await newVisitor(kefu, plainChannel);
    const id = await say(visitor, '你好');
    expect((await conversationOf(kefu, id)).status).toBe('queued');
  });

  it('does not hand off while human service is off and sends the configured reply', async () => {
    await onlyAgents(kefu, [{ name: 'a3' }]);
    await putSetting(admin, 'humanService', { enabled: false, disabledReply: '人工暂停服务' });
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '转人工');
    expect((await conversationOf(kefu, id)).status).toBe('bot');
    expect((await messagesOf(kefu, id)).some((m) => m.content === '人工暂停服务')).toBe(true);
  });

  it('keeps the conversation with the bot and sends the off-hours reply when nobody is online', async () => {
    await onlyAgents(kefu, [{ name: 'away', status: 'offline' }]);
    await putSetting(admin, 'offHours', { reply: '现在没人在线' });
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '转人工');
    expect((await conversationOf(kefu, id)).status).toBe('bot');
    expect((await messagesOf(kefu, id)).filter((m) => m.content === '现在没人在线')).toHaveLength(1);
  });

  it('sends the off-hours reply outside service hours even with agents online', async () => {
    await onlyAgents(kefu, [{ name: 'a4' }]);
    const closedWeek = { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [], 6: [] };
    await putSetting(admin, 'serviceHours', { enabled: true, timezone: 'Asia/Shanghai', weekly: closedWeek, overrides: [] });
    await putSetting(admin, 'offHours', { reply: '非服务时间' });
    const { visitor } = await newVisitor(kefu, plainChannel);
    const id = await say(visitor, '有人吗');
    expect((await conversationOf(kefu, id)).status).toBe('bot');
    expect((await messagesOf(kefu, id)).filter((m) => m.content === '非服务时间')).toHaveLength(1);
  });

  it('offers the 留言 form when nobody is online, stores the 留言 and pushes it to agents', async () => {
    await onlyAgents(kefu, [{ name: 'away', status: 'offline' }]);
    await putSetting(admin, 'offlineMessages', { enabled: true, requiredFields: ['phone'] });
    const notices: any[] = [];
    const unsubscribe = kefu.app.bus.subscribe((e) => void (e.name === 'notice' && notices.push(e)));
    const { visitor, visitorId } = await newVisitor(kefu, plainChannel);
    const id = await say(visitor, '有人吗');
    expect((await conversationOf(kefu, id)).status).toBe('bot');
    const offer = (await messagesOf(kefu, id)).find((m) => (m.data as any)?.offlineForm === true);
    expect(offer?.sender).toBe('system');

    const missing = await visitor.post('/api/widget/offline-messages', { content: '请回电' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('phone');
    const left = await visitor.post('/api/widget/offline-messages', { phone: '13800138000', content: '请回电' });
    expect(left.status).toBe(201);
    const stored = await kefu.app.prisma.offlineMessage.findUniqueOrThrow({ where: { id: left.body.offlineMessage.id } });
    expect(stored).toMatchObject({ visitorId, phone: '13800138000', content: '请回电', status: 'open' });
    await eventually(async () => notices.find((n) => n.kind === 'offline_message.created' && n.audience === 'agents'));
    unsubscribe();
  });

  it('lets a queued visitor leave the queue with an exit keyword', async () => {
    await onlyAgents(kefu, [{ name: 'full', limit: 0 }]);
    const { visitor } = await newVisitor(kefu, botChannel);
    const id = await say(visitor, '转人工');
    expect((await conversationOf(kefu, id)).status).toBe('queued');
    await say(visitor, '取消排队');
    expect((await conversationOf(kefu, id)).status).toBe('bot');
    expect((await messagesOf(kefu, id)).some((m) => m.content?.startsWith('您已退出排队'))).toBe(true);
  });

  it('assigns to the least loaded agent, ties to the longest idle', async (ctx) => {
    if (!jobsRun(kefu)) ctx.skip();
    const [busy, idle] = await onlyAgents(kefu, [{ name: 'busy', limit: 5 }, { name: 'idle', limit: 5 }]);
    await kefu.app.prisma.user.update({ where: { id: busy.id }, data: { activeCount: 2 } });
    const { visitor } = await newVisitor(kefu, plainChannel);
    const id = await say(visitor, '你好');
    const c = await eventually(async () => (await conversationOf(kefu, id)).assigneeId);
    expect(c).toBe(idle.id);
    await kefu.app.prisma.user.update({ where: { id: busy.id }, data: { activeCount: 0 } });
  });

  it('prefers the visitor’s previous agent within the configured hours', async (ctx) => {
    if (!jobsRun(kefu)) ctx.skip();
    const [first, second] = await onlyAgents(kefu, [{ name: 'first' }, { name: 'second' }]);
    const { visitor } = await newVisitor(kefu, plainChannel);
    const id = await say(visitor, '第一次');
    const served = await eventually(async () => (await conversationOf(kefu, id)).assigneeId);
    await kefu.app.conversations.close(id, { type: 'system' }, 'test');
    // Make the previous agent the more loaded one: preference must still win.
    const previous = served === first.id ? first : second;
    await kefu.app.prisma.user.update({ where: { id: previous.id }, data: { activeCount: 3 } });
    const id2 = await say(visitor, '又来了');
    expect(id2).not.toBe(id);
    expect(await eventually(async () => (await conversationOf(kefu, id2)).assigneeId)).toBe(previous.id);
    await kefu.app.prisma.user.update({ where: { id: previous.id }, data: { activeCount: 1 } });
  });

  it('gives paused agents nothing and refuses their manual pick', async () => {
    const [paused] = await onlyAgents(kefu, [{ name: 'paused', status: 'paused' }, { name: 'full', limit: 0 }]);
    const { visitor } = await newVisitor(kefu, plainChannel);
    const id = await say(visitor, '你好');
    await new Promise((r) => setTimeout(r, 300));
    expect((await conversationOf(kefu, id)).status).toBe('queued');
    await expect(kefu.app.conversations.assign(id, paused.id, { type: 'agent', id: paused.id, role: 'agent' }, 'pick')).rejects.toMatchObject({ code: 'agent_unavailable' });
  });

  it('drains the queue when an agent goes online and when a limit is raised', async (ctx) => {
    if (!jobsRun(kefu)) ctx.skip();
    await onlyAgents(kefu, [{ name: 'full', limit: 0 }]);
    const [late] = await onlyAgents(kefu, [{ name: 'late', status: 'paused', limit: 1 }, { name: 'capped', limit: 0 }]);
    const capped = await kefu.app.prisma.user.findFirstOrThrow({ where: { name: 'capped', status: 'online' } });
    const one = await say((await newVisitor(kefu, plainChannel)).visitor, '排队1');
    const two = await say((await newVisitor(kefu, plainChannel)).visitor, '排队2');
    expect((await conversationOf(kefu, one)).status).toBe('queued');

    const agent = new Client(kefu.url);
    await agent.login(late.email, 'agent-password');
    expect((await agent.patch('/api/me/status', { status: 'online' })).status).toBe(200);
    expect(await eventually(async () => (await conversationOf(kefu, one)).assigneeId)).toBe(late.id);

    await kefu.app.prisma.user.update({ where: { id: late.id }, data: { status: 'paused' } });
    expect((await admin.patch(`/api/agents/${capped.id}`, { autoAcceptLimit: 3 })).status).toBe(200);
    expect(await eventually(async () => (await conversationOf(kefu, two)).assigneeId)).toBe(capped.id);
  });

  it('re-drains when a conversation closes and frees a slot, in queue order', async (ctx) => {
    if (!jobsRun(kefu)) ctx.skip();
    const [solo] = await onlyAgents(kefu, [{ name: 'solo', limit: 1 }]);
    const one = await say((await newVisitor(kefu, plainChannel)).visitor, '一');
    await eventually(async () => (await conversationOf(kefu, one)).assigneeId === solo.id);
    const two = await say((await newVisitor(kefu, plainChannel)).visitor, '二');
    const three = await say((await newVisitor(kefu, plainChannel)).visitor, '三');
    await new Promise((r) => setTimeout(r, 200));
    expect((await conversationOf(kefu, two)).status).toBe('queued');
    await kefu.app.conversations.close(one, { type: 'agent', id: solo.id, role: 'agent' }, 'done');
    expect(await eventually(async () => (await conversationOf(kefu, two)).assigneeId)).toBe(solo.id);
    expect((await conversationOf(kefu, three)).status).toBe('queued');
    expect((await kefu.app.prisma.user.findUniqueOrThrow({ where: { id: solo.id } })).activeCount).toBe(1);
  });

  it('closes the conversation when the web visitor leaves', async () => {
    await onlyAgents(kefu, [{ name: 'a5' }]);
    const { visitor } = await newVisitor(kefu, plainChannel);
    const id = await say(visitor, '你好');
    expect((await visitor.post('/api/widget/close')).status).toBe(200);
    const c = await conversationOf(kefu, id);
    expect(c).toMatchObject({ status: 'closed', closeReason: 'visitor_left' });
  });

  it('tells the visitor about a transfer and records it', async (ctx) => {
    if (!jobsRun(kefu)) ctx.skip();
    const [from, to] = await onlyAgents(kefu, [{ name: 'from', limit: 1 }, { name: 'to', limit: 0 }]);
    await putSetting(admin, 'session', { transferNotice: '已为您转接' });
    const { visitor } = await newVisitor(kefu, plainChannel);
    const id = await say(visitor, '你好');
    await eventually(async () => (await conversationOf(kefu, id)).assigneeId === from.id);
    await kefu.app.prisma.user.update({ where: { id: to.id }, data: { autoAcceptLimit: 2 } });
    await kefu.app.conversations.transfer(id, to.id, { type: 'agent', id: from.id, role: 'agent' });
    expect((await conversationOf(kefu, id)).assigneeId).toBe(to.id);
    expect((await messagesOf(kefu, id)).some((m) => m.sender === 'system' && m.content === '已为您转接')).toBe(true);
    expect(await kefu.app.prisma.conversationEvent.count({ where: { conversationId: id, type: 'transferred' } })).toBe(1);
  });

  describe('satisfaction', () => {
    it('invites a rating when a served conversation closes and takes a 1–5 reply as the rating, not a new conversation', async (ctx) => {
      if (!jobsRun(kefu)) ctx.skip();
      const [agent] = await onlyAgents(kefu, [{ name: 'rated' }]);
      await putSetting(admin, 'satisfaction', { enabled: true, thanks: '谢谢评价' });
      const { visitor } = await newVisitor(kefu, plainChannel);
      const id = await say(visitor, '你好');
      await eventually(async () => (await conversationOf(kefu, id)).assigneeId === agent.id);
      await kefu.app.conversations.close(id, { type: 'agent', id: agent.id, role: 'agent' }, 'done');
      const invite = (await messagesOf(kefu, id)).find((m) => (m.data as any)?.ratingRequest === true);
      expect((invite!.data as any).labels).toHaveLength(5);

      const replyConversation = await say(visitor, '5分');
      expect(replyConversation).toBe(id);
      const rating = await kefu.app.prisma.satisfactionRating.findUniqueOrThrow({ where: { conversationId: id } });
      expect(rating).toMatchObject({ score: 5, agentId: agent.id });
      expect(await kefu.app.prisma.conversationEvent.count({ where: { conversationId: id, type: 'rating.created' } })).toBe(1);
      expect((await messagesOf(kefu, id)).some((m) => m.content === '谢谢评价')).toBe(true);
      expect(await kefu.app.prisma.conversation.count({ where: { visitor: { id: (await conversationOf(kefu, id)).visitorId } } })).toBe(1);

      // After the rating, a digit is an ordinary message that opens a new conversation.
      const next = await say(visitor, '3');
      expect(next).not.toBe(id);
    });

    it('takes one web rating per conversation (409 already_rated on a second)', async (ctx) => {
      if (!jobsRun(kefu)) ctx.skip();
      const [agent] = await onlyAgents(kefu, [{ name: 'webrated' }]);
      await putSetting(admin, 'satisfaction', { enabled: true, tags: ['快'] });
      const { visitor } = await newVisitor(kefu, plainChannel);
      const id = await say(visitor, '你好');
      await eventually(async () => (await conversationOf(kefu, id)).assigneeId === agent.id);
      await visitor.post('/api/widget/close');
      const first = await visitor.post('/api/widget/rating', { score: 4, tags: ['快'], comment: '不错' });
      expect(first.status).toBe(201);
      const second = await visitor.post('/api/widget/rating', { score: 1 });
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('already_rated');
      expect(await kefu.app.prisma.satisfactionRating.findUniqueOrThrow({ where: { conversationId: id } })).toMatchObject({ score: 4, tags: ['快'], comment: '不错' });
    });

    it('does not invite a rating when satisfaction is off or nobody human served', async () => {
      await onlyAgents(kefu, [{ name: 'full', limit: 0 }]);
      const { visitor } = await newVisitor(kefu, plainChannel);
      const id = await say(visitor, '你好');
      await putSetting(admin, 'satisfaction', { enabled: true });
      await kefu.app.conversations.close(id, { type: 'system' }, 'test');
      expect((await messagesOf(kefu, id)).some((m) => (m.data as any)?.ratingRequest)).toBe(false);
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { conversationOf, eventually, jobsRun, messagesOf, newChannel, newVisitor, onlyAgents, putSetting, say } from './routing-support.ts';

// KEFU_TIMER_SCALE=0.001: one setting minute is 60 ms here.
const minute = 60;

describe('routing timers (BullMQ delayed jobs keyed by conversation)', () => {
  let kefu: TestKefu;
  let admin: Client;
  let channel: string;

  beforeAll(async () => {
    kefu = await startTestKefu({ env: { KEFU_TIMER_SCALE: '0.001' } });
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    channel = await newChannel(kefu, {});
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
  });
  beforeEach(async (ctx) => {
    if (!jobsRun(kefu)) ctx.skip();
    await kefu.app.prisma.conversation.updateMany({ where: { status: { not: 'closed' } }, data: { status: 'closed', closedAt: new Date() } });
    await kefu.app.prisma.user.updateMany({ data: { activeCount: 0, status: 'offline' } });
    for (const key of ['queue', 'satisfaction', 'offlineMessages']) await putSetting(admin, key, {});
    // Long enough not to interfere unless a test shortens it.
    await putSetting(admin, 'session', { autoCloseMinutes: 200 });
  });

  it('auto-closes after T minutes without a message, with the close prompt', async () => {
    const [agent] = await onlyAgents(kefu, [{ name: 'ac' }]);
    await putSetting(admin, 'session', { autoCloseMinutes: 5, closePrompt: '会话超时结束' });
    const { visitor } = await newVisitor(kefu, channel);
    const id = await say(visitor, '你好');
    await eventually(async () => (await conversationOf(kefu, id)).assigneeId === agent.id);
    const closed = await eventually(async () => {
      const c = await conversationOf(kefu, id);
      return c.status === 'closed' && c;
    });
    expect(closed.closeReason).toBe('auto_close');
    expect((await messagesOf(kefu, id)).some((m) => m.content === '会话超时结束')).toBe(true);
    expect((await kefu.app.prisma.user.findUniqueOrThrow({ where: { id: agent.id } })).activeCount).toBe(0);
  });

  it('closes once, with one close prompt, when several of its timers are due together', async () => {
    const [agent] = await onlyAgents(kefu, [{ name: 'twice' }]);
    await putSetting(admin, 'session', { autoCloseMinutes: 3, closePrompt: '超时结束一次' });
    const { visitor } = await newVisitor(kefu, channel);
    const id = await say(visitor, '你好');
    await eventually(async () => (await conversationOf(kefu, id)).assigneeId === agent.id);
    // As when activity armed a timer while the previous one was re-arming itself: several chains, one deadline.
    await Promise.all(['a', 'b', 'c', 'd'].map((twin) => kefu.jobs.enqueue('auto-close', { conversationId: id }, { jobId: `twin-${twin}-${id}`, delayMs: 4 * minute })));
    await eventually(async () => (await conversationOf(kefu, id)).status === 'closed');
    await new Promise((r) => setTimeout(r, 6 * minute));
    const messages = await messagesOf(kefu, id);
    expect(messages.filter((m) => m.content === '超时结束一次')).toHaveLength(1);
    expect(messages.filter((m) => m.content === '会话已结束')).toHaveLength(1);
    expect(await kefu.app.prisma.conversationEvent.count({ where: { conversationId: id, type: 'closed' } })).toBe(1);
    // The prompt comes before the end of the conversation.
    expect(messages.findIndex((m) => m.content === '超时结束一次')).toBeLessThan(messages.findIndex((m) => m.content === '会话已结束'));
  });

  it('keeps the 自动结单 timer through a long wait in the queue, and closes T after the assignment', async () => {
    const [agent] = await onlyAgents(kefu, [{ name: 'later', limit: 0 }]);
    await putSetting(admin, 'session', { autoCloseMinutes: 4 });
    const { visitor } = await newVisitor(kefu, channel);
    const id = await say(visitor, '你好');
    expect((await conversationOf(kefu, id)).status).toBe('queued');
    // Three times T in the queue: its timer fires there and only arms itself again.
    await new Promise((r) => setTimeout(r, 12 * minute));
    expect((await conversationOf(kefu, id)).status).toBe('queued');
    await kefu.app.prisma.user.update({ where: { id: agent.id }, data: { autoAcceptLimit: 2 } });
    // The drain assigns it (the periodic drain request) and arms nothing for it.
    const assigned = await eventually(async () => {
      const c = await conversationOf(kefu, id);
      return c.status === 'assigned' && c;
    });
    const closed = await eventually(async () => {
      const c = await conversationOf(kefu, id);
      return c.status === 'closed' && c;
    });
    expect(closed.closeReason).toBe('auto_close');
    expect(closed.closedAt!.getTime() - assigned.assignedAt!.getTime()).toBeGreaterThanOrEqual(4 * minute - 20);
  });

  it('keeps a conversation open while messages keep coming (stale timers do nothing)', async () => {
    const [agent] = await onlyAgents(kefu, [{ name: 'busy' }]);
    // Wide margins: a loaded CI machine may take a while between two messages.
    await putSetting(admin, 'session', { autoCloseMinutes: 25 });
    const { visitor } = await newVisitor(kefu, channel);
    const id = await say(visitor, '你好');
    await eventually(async () => (await conversationOf(kefu, id)).assigneeId === agent.id);
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 6 * minute));
      await say(visitor, `还在吗 ${i}`);
    }
    expect((await conversationOf(kefu, id)).status).toBe('assigned');
    await eventually(async () => (await conversationOf(kefu, id)).status === 'closed');
  });

  it('re-routes an unanswered conversation to another agent with a holding message', async () => {
    const [first, second] = await onlyAgents(kefu, [{ name: 'slow', limit: 1 }, { name: 'other', limit: 0 }]);
    await putSetting(admin, 'session', { autoCloseMinutes: 200, noReplyEnabled: true, noReplyMinutes: 3, noReplyHoldingMessage: '请稍候' });
    const { visitor } = await newVisitor(kefu, channel);
    const id = await say(visitor, '你好');
    await eventually(async () => (await conversationOf(kefu, id)).assigneeId === first.id);
    await kefu.app.prisma.user.update({ where: { id: second.id }, data: { autoAcceptLimit: 2 } });
    await say(visitor, '有人吗');
    expect(await eventually(async () => (await conversationOf(kefu, id)).assigneeId === second.id)).toBe(true);
    expect(await kefu.app.prisma.conversationEvent.count({ where: { conversationId: id, type: 'requeued' } })).toBe(1);
    expect((await messagesOf(kefu, id)).some((m) => m.sender === 'bot' && m.content === '请稍候')).toBe(true);
  });

  it('does not re-route when the agent answers in time', async () => {
    const [agent] = await onlyAgents(kefu, [{ name: 'quick' }, { name: 'spare' }]);
    await putSetting(admin, 'session', { autoCloseMinutes: 200, noReplyEnabled: true, noReplyMinutes: 4 });
    const { visitor } = await newVisitor(kefu, channel);
    const id = await say(visitor, '你好');
    const assignee = await eventually(async () => (await conversationOf(kefu, id)).assigneeId);
    await say(visitor, '在吗');
    await kefu.app.conversations.sendAgentMessage({ type: 'agent', id: assignee, role: 'agent' }, id, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '在的' });
    await new Promise((r) => setTimeout(r, 8 * minute));
    expect((await conversationOf(kefu, id)).assigneeId).toBe(assignee);
    expect(await kefu.app.prisma.conversationEvent.count({ where: { conversationId: id, type: 'requeued' } })).toBe(0);
    void agent;
  });

  it('takes a queued visitor out of the queue after the maximum wait with the configured text', async () => {
    await onlyAgents(kefu, [{ name: 'full', limit: 0 }]);
    await putSetting(admin, 'queue', { maxWaitMinutes: 3, maxWaitReply: '排队太久了' });
    const { visitor } = await newVisitor(kefu, channel);
    const id = await say(visitor, '你好');
    expect((await conversationOf(kefu, id)).status).toBe('queued');
    await eventually(async () => (await messagesOf(kefu, id)).some((m) => m.content === '排队太久了'));
    expect((await conversationOf(kefu, id)).status).toBe('bot');
  });

  it('ignores a stale queue timer after the conversation was assigned', async () => {
    const [agent] = await onlyAgents(kefu, [{ name: 'late', limit: 0 }]);
    await putSetting(admin, 'queue', { maxWaitMinutes: 4 });
    const { visitor } = await newVisitor(kefu, channel);
    const id = await say(visitor, '你好');
    await kefu.app.prisma.user.update({ where: { id: agent.id }, data: { autoAcceptLimit: 3 } });
    await kefu.app.conversations.assign(id, agent.id, { type: 'agent', id: agent.id, role: 'agent' }, 'pick');
    await new Promise((r) => setTimeout(r, 8 * minute));
    expect((await conversationOf(kefu, id)).status).toBe('assigned');
  });

  it('stops taking a rating reply once the satisfaction window has passed', async () => {
    const [agent] = await onlyAgents(kefu, [{ name: 'rate' }]);
    await putSetting(admin, 'satisfaction', { enabled: true, windowMinutes: 3 });
    const { visitor } = await newVisitor(kefu, channel);
    const id = await say(visitor, '你好');
    await eventually(async () => (await conversationOf(kefu, id)).assigneeId === agent.id);
    await kefu.app.conversations.close(id, { type: 'agent', id: agent.id, role: 'agent' }, 'done');
    await eventually(async () => !(await conversationOf(kefu, id)).state || !('ratingExpiresAt' in ((await conversationOf(kefu, id)).state as object)));
    const next = await say(visitor, '5');
    expect(next).not.toBe(id);
    expect(await kefu.app.prisma.satisfactionRating.count({ where: { conversationId: id } })).toBe(0);
  });
});

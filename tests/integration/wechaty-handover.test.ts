import crypto from 'node:crypto';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Wechaty } from 'wechaty';
import type { PuppetMock } from 'wechaty-puppet-mock';
import { findRunningBot } from '../../connectors/wechaty/wechaty-runner.ts';
import { Client, createUser, startTestKefu, stopAndDrop, testDatabaseUrl, testRedisUrl, type TestKefu } from '../support/harness.ts';
import { eventually, replierFor, startedBot } from './channel-support.ts';

/** The BullMQ worker of one job name in an instance (to hold back the process that runs the bot). */
function workerOf(kefu: TestKefu, name: string): Worker {
  const pair = (kefu.jobs as unknown as { queues: Map<string, { worker?: Worker }> }).queues.get(name);
  if (!pair?.worker) throw new Error(`no ${name} worker`);
  return pair.worker;
}

/** Drives a PuppetMock bot: logs in the account and gives the contact; records what the contact receives. */
function driveMock(bot: Wechaty, ids?: { botUserId: string; contactId: string }) {
  const mocker = (bot.puppet as unknown as PuppetMock).mocker;
  const botUser = mocker.createContact({ name: 'Kefu', ...(ids ? { id: ids.botUserId } : {}) });
  const contact = mocker.createContact({ name: '张三', ...(ids ? { id: ids.contactId } : {}) });
  // Agents' replies only: routing's own notices (queue position) may reach the contact too.
  const received: string[] = [];
  contact.on('message', (message) => {
    const text = message.text() ?? '';
    if (message.talker().id === botUser.id && text.endsWith('条回复')) received.push(text);
  });
  mocker.login(botUser);
  return { botUser, contact, received };
}

/**
 * Two Kefu instances on one PostgreSQL schema and Redis prefix (in this process, since PuppetMock is
 * driven from the test); only one holds the channel's Wechaty lease. A delivery job taken by the other
 * is handed to the holder's own queue and sent once; when the holder stops, the other takes the lease and sends.
 */
describe.skipIf(!testDatabaseUrl || !testRedisUrl)('Wechaty delivery handed over between two instances', () => {
  let first: TestKefu;
  let second: TestKefu;
  let firstStopped = false;

  beforeAll(async () => {
    first = await startTestKefu();
    second = await startTestKefu({ reuse: first.reuse });
    await createUser(first, { email: 'handover-agent@example.com', status: 'online', autoAcceptLimit: 10 });
  }, 60_000);
  afterAll(async () => {
    if (!firstStopped) await first.stop();
    await stopAndDrop(second);
  });

  it('delivers a reply once through the lease holder, then through the other instance after the holder stops', async () => {
    const admin = new Client(first.url);
    await admin.login(first.adminEmail, first.adminPassword);
    const agent = new Client(first.url);
    await agent.login('handover-agent@example.com', 'agent-password');

    // The first instance starts the bot at once (its own rescan); the second finds the lease taken.
    const created = await admin.post('/api/channels', { type: 'wechaty', name: '个人微信 接力', credentials: { puppet: 'wechaty-puppet-mock' } });
    expect(created.status).toBe(201);
    const channelId: string = created.body.channel.id;
    const firstBot = await eventually(() => startedBot(channelId));
    const mock = driveMock(firstBot);
    await eventually(async () => (await admin.get(`/api/channels/${channelId}/status`)).body.status?.status === 'logged_in');

    mock.contact.say('你好，在吗').to(mock.botUser);
    const inbound = await eventually(() => first.app.prisma.message.findFirst({ where: { channelId, content: '你好，在吗' } }));
    const replier = await replierFor(admin, agent, inbound.conversationId);

    // Only the second instance takes shared delivery jobs: it does not hold the bot, so it hands the
    // message to the holder's own queue, where the holder sends it at once and once.
    const firstWorker = workerOf(first, 'deliver-wechaty');
    await firstWorker.pause();
    const reply = await replier.post(`/api/conversations/${inbound.conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '第一条回复' });
    expect(reply.status).toBe(201);
    const holderQueue = (((await second.app.prisma.channel.findUniqueOrThrow({ where: { id: channelId } })).state ?? {}) as { wechaty?: { deliveryQueue?: string } }).wechaty?.deliveryQueue;
    expect(holderQueue).toMatch(/^deliver-wechaty-at-/);
    await eventually(() => mock.received.includes('第一条回复'), 15_000);
    await eventually(async () => (await second.app.prisma.message.findUnique({ where: { id: reply.body.message.id } }))?.deliveryStatus === 'sent');
    expect(findRunningBot(channelId)).toBe(firstBot);
    await firstWorker.resume();

    // The holder stops (its lease is released); a reply sent meanwhile waits, then the second instance
    // takes the lease on its rescan, starts the bot and delivers it.
    await first.stop();
    firstStopped = true;
    const secondAgent = new Client(second.url);
    await secondAgent.login(replier === agent ? 'handover-agent@example.com' : second.adminEmail, replier === agent ? 'agent-password' : second.adminPassword);
    const later = await secondAgent.post(`/api/conversations/${inbound.conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '第二条回复' });
    expect(later.status).toBe(201);
    const secondBot = await eventually(() => startedBot(channelId, firstBot), 25_000);
    const secondMock = driveMock(secondBot, { botUserId: mock.botUser.id, contactId: mock.contact.id });
    await eventually(() => secondMock.received.includes('第二条回复'), 15_000);
    await eventually(async () => (await second.app.prisma.message.findUnique({ where: { id: later.body.message.id } }))?.deliveryStatus === 'sent');

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(mock.received).toEqual(['第一条回复']);
    expect(secondMock.received).toEqual(['第二条回复']);
  }, 60_000);
});

import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../core/settings/settings-schema.ts';
import { markerKeyOf } from '../../infra/recovery-marker.ts';
import { WechatMpPeer } from '../peers/wechat-mp-peer.ts';
import { WecomPeer } from '../peers/wecom-peer.ts';
import { Client, startTestKefu, stopAndDrop, testDatabaseUrl, testRedisUrl, type TestKefu } from '../support/harness.ts';
import { eventually } from './channel-support.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Removes every key under this test's own prefix, as a Redis restart without persistence would (never the whole Redis). */
async function loseRedisData(prefix: string): Promise<number> {
  const redis = new Redis(testRedisUrl!);
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) removed += await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  return removed;
}

/** Crash recovery on real PostgreSQL and Redis: lost delivery jobs and lost timers come back from the database. */
describe.skipIf(!testDatabaseUrl || !testRedisUrl)('recovery sweep', () => {
  const sweepMs = 300;
  const sendsPerSecond = 5;
  let peer: WechatMpPeer;
  let wecomPeer: WecomPeer;
  let kefu: TestKefu;
  let admin: Client;
  let channelId: string;
  let callbackUrl: string;

  beforeAll(async () => {
    peer = await WechatMpPeer.start();
    wecomPeer = await WecomPeer.start();
    // 自动结单 after 10 minutes runs in 3 s; a channel sends 5 messages a second.
    kefu = await startTestKefu({
      env: {
        WECHAT_MP_API_BASE: peer.baseUrl,
        WECOM_API_BASE: wecomPeer.baseUrl,
        KEFU_RECOVERY_SWEEP_MS: String(sweepMs),
        KEFU_TIMER_SCALE: '0.005',
        KEFU_CHANNEL_SENDS_PER_SECOND: String(sendsPerSecond),
      },
    });
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    const created = await admin.post('/api/channels', { type: 'wechat_mp', name: '公众号', credentials: peer.credentials('plain') });
    expect(created.status).toBe(201);
    channelId = created.body.channel.id;
    callbackUrl = `${kefu.url}/connectors/wechat-mp/${channelId}/callback`;
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
    await peer.close();
    await wecomPeer.close();
  });

  async function visitorWrites(openId: string, text: string): Promise<string> {
    peer.advance(Date.now() - peer.now());
    const built = peer.userSendsText(openId, text, 'plain');
    const res = await fetch(`${callbackUrl}?${new URLSearchParams(built.query)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: built.body });
    expect(await res.text()).toBe('success');
    const row = await eventually(() => kefu.app.prisma.message.findFirst({ where: { channelId, content: text } }), 15_000);
    return row.conversationId;
  }

  const sentTexts = (openId: string, text: string) =>
    peer.sent.filter((s) => s.touser === openId && (s.body.text as { content?: string } | undefined)?.content === text).length;

  /** A new follower who wrote `text`, and the conversation it opened. */
  async function newFollower(text: string): Promise<{ openId: string; conversationId: string }> {
    const openId = `o_${crypto.randomBytes(4).toString('hex')}`;
    return { openId, conversationId: await visitorWrites(openId, text) };
  }

  const isSent = (messageId: string) =>
    eventually(async () => (await kefu.app.prisma.message.findUnique({ where: { id: messageId } }))?.deliveryStatus === 'sent', 20_000);

  /** The message ends up recorded as sent, and the follower got it once, still once a few sweeps later. */
  async function expectSentOnce(messageId: string, openId: string, text: string): Promise<void> {
    await isSent(messageId);
    expect(sentTexts(openId, text)).toBe(1);
    await sleep(5 * sweepMs);
    expect(sentTexts(openId, text)).toBe(1);
  }

  it('delivers exactly once a message whose delivery job was lost', async () => {
    const { openId, conversationId } = await newFollower('我的快递到哪了');
    const queue = kefu.jobs.queue('deliver-wechat_mp');
    await queue.pause();
    const message = await kefu.app.conversations.sendAutomatic(conversationId, 'system', { text: '正在为您查询' });
    const messageId = message.id;
    const job = await queue.getJob(`deliver-${messageId}`);
    expect(job).toBeTruthy();
    await job!.remove();
    await queue.resume();
    await sleep(4 * sweepMs);
    // Stored more than a few seconds ago, it is swept back into the queue and sent once.
    await expectSentOnce(messageId, openId, '正在为您查询');
  }, 40_000);

  it('delivers exactly once a message whose delivery job failed for good while it was still pending', async () => {
    const { openId, conversationId } = await newFollower('发票开好了吗');
    const queue = kefu.jobs.queue('deliver-wechat_mp');
    await queue.pause();
    const message = await kefu.app.conversations.sendAutomatic(conversationId, 'system', { text: '发票已寄出' });
    const jobId = `deliver-${message.id}`;
    await (await queue.getJob(jobId))!.remove();
    // A job under the message's id that fails at once and for good, as one whose every attempt met
    // the database away does: the message is left pending and BullMQ keeps the failed job.
    await kefu.jobs.enqueue('deliver-wechat_mp', { messageId: 'database-away' }, { jobId, attempts: 1 });
    await queue.resume();
    await eventually(async () => (await (await queue.getJob(jobId))?.getState()) === 'failed', 10_000);
    // Stored more than a few seconds ago, it is swept back into the queue and sent once.
    await expectSentOnce(message.id, openId, '发票已寄出');
  }, 40_000);

  it('sends once a reply the channel took while the database was away, and records it when the database is back', async () => {
    const { openId, conversationId } = await newFollower('退货地址是哪里');
    const service = kefu.app.conversations;
    const markDelivery = service.markDelivery.bind(service);
    let target = '';
    let refusals = 2;
    // Recording this message as sent fails twice, as it would while PostgreSQL restarts.
    service.markDelivery = async (messageId, status, reason) => {
      if (messageId === target && status === 'sent' && refusals > 0) {
        refusals--;
        throw new Error('Connection terminated unexpectedly');
      }
      return markDelivery(messageId, status, reason);
    };
    const queue = kefu.jobs.queue('deliver-wechat_mp');
    try {
      await queue.pause();
      const message = await service.sendAutomatic(conversationId, 'system', { text: '退货地址：上海市' });
      target = message.id;
      await queue.resume();
      await expectSentOnce(message.id, openId, '退货地址：上海市');
      expect(refusals).toBe(0);
    } finally {
      service.markDelivery = markDelivery;
      await queue.resume();
    }
  }, 40_000);

  it('delivers a backlog of one conversation in order without its later messages holding every worker slot', async () => {
    const { openId, conversationId } = await newFollower('我要投诉');
    const queue = kefu.jobs.queue('deliver-wechat_mp');
    await queue.pause();
    const texts = Array.from({ length: 14 }, (_, i) => `处理进度 ${i + 1}`);
    const ids: string[] = [];
    for (const text of texts) ids.push((await kefu.app.conversations.sendAutomatic(conversationId, 'system', { text })).id);
    // After an outage the jobs come back in any order: here the latest first, more of them than the
    // worker runs at once (8), so the earliest ones are not among the first taken.
    for (const id of ids) await (await queue.getJob(`deliver-${id}`))!.remove();
    for (const id of [...ids].reverse()) await kefu.jobs.enqueue('deliver-wechat_mp', { messageId: id }, { jobId: `deliver-${id}` });
    await queue.resume();
    // Within the 10 s a later message used to wait in its worker slot for the earlier ones.
    await eventually(async () => (await kefu.app.prisma.message.count({ where: { id: { in: ids }, deliveryStatus: 'sent' } })) === ids.length, 8_000);
    const sent = peer.sent.filter((s) => s.touser === openId).map((s) => (s.body.text as { content?: string } | undefined)?.content);
    expect(sent.filter((text) => text?.startsWith('处理进度'))).toEqual(texts);
  }, 40_000);

  it('sends a backlog that takes the channel longer than the retries of a job last, every message in turn and none failed', async () => {
    const followers = await Promise.all(Array.from({ length: 20 }, (_, i) => newFollower(`退款进度 ${i}`)));
    const queue = kefu.jobs.queue('deliver-wechat_mp');
    await queue.pause();
    // 60 replies at 5 a second take 12 s; a job's 5 attempts are spent in under 8 s.
    const texts = Array.from({ length: 3 }, (_, i) => `第 ${i + 1} 条回复`);
    const ids: string[] = [];
    for (const text of texts) for (const { conversationId } of followers) ids.push((await kefu.app.conversations.sendAutomatic(conversationId, 'system', { text })).id);
    await queue.resume();
    await eventually(async () => (await kefu.app.prisma.message.count({ where: { id: { in: ids }, deliveryStatus: { not: 'pending' } } })) === ids.length, 40_000);
    expect(await kefu.app.prisma.message.count({ where: { id: { in: ids }, deliveryStatus: 'sent' } })).toBe(ids.length);
    for (const { openId } of followers) {
      const got = peer.sent.filter((s) => s.touser === openId).map((s) => (s.body.text as { content?: string } | undefined)?.content);
      expect(got.filter((text) => text?.startsWith('第 '))).toEqual(texts);
    }
  }, 60_000);

  it('re-arms every timer once after an upgrade that arms them differently, the queued conversations\' 自动结单 too', async () => {
    // Nobody can take it, so it stays in the queue.
    const online = await kefu.app.prisma.user.findMany({ where: { status: 'online' }, select: { id: true } });
    await kefu.app.prisma.user.updateMany({ data: { status: 'offline' } });
    const redis = new Redis(testRedisUrl!);
    try {
      const queuedId = await visitorWrites(`o_${crypto.randomBytes(4).toString('hex')}`, '排队等人工');
      await kefu.app.prisma.conversation.update({ where: { id: queuedId }, data: { status: 'queued', queuedAt: new Date() } });
      const queue = kefu.jobs.queue('auto-close');
      await (await queue.getJob(`auto-close-${queuedId}`))?.remove();
      // What an older release leaves behind: its own marker, and no timer for a queued conversation.
      await redis.del(markerKeyOf(kefu.reuse.prefix));
      await redis.set(`${kefu.reuse.prefix}:recovery:marker`, new Date().toISOString());
      const rearmed = await eventually(() => queue.getJob(`auto-close-${queuedId}`), 10_000);
      expect(await rearmed.isDelayed()).toBe(true);
      expect((await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: queuedId } })).status).toBe('queued');
      await eventually(async () => (await redis.exists(markerKeyOf(kefu.reuse.prefix))) === 1, 10_000);
    } finally {
      redis.disconnect();
      await kefu.app.prisma.user.updateMany({ where: { id: { in: online.map((u) => u.id) } }, data: { status: 'online' } });
    }
  });

  it('re-arms the timers of open conversations after Redis lost its data, and they fire once', async () => {
    const { openId, conversationId } = await newFollower('在吗');
    const autoClose = await eventually(() => kefu.jobs.queue('auto-close').getJob(`auto-close-${conversationId}`), 15_000);
    expect(await autoClose.isDelayed()).toBe(true);
    const lostAt = Date.now();
    expect(await loseRedisData(kefu.reuse.prefix)).toBeGreaterThan(0);

    // The sweep notices the missing marker and schedules the timer again, due when it was due.
    const rearmed = await eventually(() => kefu.jobs.queue('auto-close').getJob(`auto-close-${conversationId}`), 10_000);
    expect(rearmed.timestamp).toBeGreaterThanOrEqual(lostAt);
    expect(rearmed.timestamp + rearmed.delay).toBeLessThanOrEqual(autoClose.timestamp + autoClose.delay + 1_000);
    const closed = await eventually(async () => {
      const row = await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
      return row.status === 'closed' ? row : null;
    }, 20_000);
    expect(closed.closedAt).toBeTruthy();
    // The close prompt went out once, and later sweeps (the marker is back) re-arm nothing more.
    const closePrompt = defaultSettings('session').closePrompt;
    await eventually(() => sentTexts(openId, closePrompt) === 1, 10_000);
    await sleep(5 * sweepMs);
    expect(sentTexts(openId, closePrompt)).toBe(1);
    expect(await kefu.app.prisma.message.count({ where: { conversationId, content: closePrompt } })).toBe(1);
    expect(await kefu.app.prisma.conversationEvent.count({ where: { conversationId, toStatus: 'closed' } })).toBe(1);
  }, 60_000);

  it('ends a WeCom session whose end was lost with the queue, and leaves a visitor who came back alone', async () => {
    const created = await admin.post('/api/channels', { type: 'wecom', name: '微信客服', credentials: wecomPeer.credentials });
    expect(created.status).toBe(201);
    const wecomChannel: string = created.body.channel.id;
    const url = `${kefu.url}/connectors/wecom/${wecomChannel}/callback`;
    const write = async (visitor: string, text: string) => {
      const pushed = wecomPeer.pushVisitorText(visitor, text);
      expect((await wecomPeer.deliverCallback(url, pushed.syncToken)).status).toBe(200);
      return (await eventually(() => kefu.app.prisma.message.findFirst({ where: { channelId: wecomChannel, content: text } }), 15_000)).conversationId;
    };
    const left = `wm_${crypto.randomBytes(4).toString('hex')}`;
    const back = `wm_${crypto.randomBytes(4).toString('hex')}`;
    const leftConversation = await write(left, '谢谢，没问题了');
    const backFirst = await write(back, '第一次咨询');
    // Closed while the job queue lost the close jobs: the rows say closed, no job ever ran.
    await kefu.app.db.sql.query(`UPDATE conversations SET status = 'closed', closed_at = now() AT TIME ZONE 'UTC' WHERE id = ANY($1::uuid[])`, [[leftConversation, backFirst]]);
    // One visitor wrote again since: a new conversation (waiting in the queue, so no timer closes it here),
    // whose WeCom session must stay open.
    await kefu.app.db.sql.query(
      `INSERT INTO conversations (id, channel_id, visitor_id, status, queued_at, updated_at)
       SELECT gen_random_uuid(), channel_id, visitor_id, 'queued', now() AT TIME ZONE 'UTC', now() FROM conversations WHERE id = $1::uuid`,
      [backFirst],
    );
    wecomPeer.setSessionState(left, 1);
    wecomPeer.setSessionState(back, 1);
    expect(await loseRedisData(kefu.reuse.prefix)).toBeGreaterThan(0);

    await eventually(() => wecomPeer.session(left).state === 4, 15_000);
    await sleep(5 * sweepMs);
    expect(wecomPeer.session(back).state).toBe(1);
  }, 60_000);
});

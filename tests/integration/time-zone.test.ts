import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

/**
 * Kefu's users mostly run it with TZ=Asia/Shanghai. Timestamps written and read by raw SQL and by
 * Prisma must be the same instants whatever the process's zone, or timers measure from the wrong
 * time (an active conversation auto-closed eight hours early).
 */
const previousTz = process.env.TZ;

describe('a server running in Asia/Shanghai', () => {
  let kefu: TestKefu;

  beforeAll(async () => {
    process.env.TZ = 'Asia/Shanghai';
    kefu = await startTestKefu({ env: { KEFU_TIMER_SCALE: '0.001' } });
  }, 60_000);

  afterAll(async () => {
    await stopAndDrop(kefu);
    if (previousTz === undefined) delete process.env.TZ;
    else process.env.TZ = previousTz;
  });

  const near = (iso: string | null | undefined) => Math.abs(Date.parse(String(iso)) - Date.now());

  it('stores and reads every message and conversation time as the real instant', async () => {
    expect(new Date(0).getTimezoneOffset()).toBe(-480);
    await createUser(kefu, { email: 'tz-agent@example.com', status: 'online', autoAcceptLimit: 5 });
    const agent = new Client(kefu.url);
    await agent.login('tz-agent@example.com', 'agent-password');
    const visitor = new Client(kefu.url);
    visitor.token = (await visitor.post('/api/widget/session', { channelId: kefu.webChannelId })).body.visitorToken;

    const first = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '转人工' });
    expect(first.status).toBe(201);
    const second = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '还在吗' });
    expect(second.status).toBe(201);
    expect(near(first.body.message.createdAt)).toBeLessThan(60_000);
    expect(near(second.body.message.createdAt)).toBeLessThan(60_000);

    const conversationId: string = second.body.message.conversationId;
    const stored = await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(Math.abs(stored.lastMessageAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(Math.abs(stored.lastVisitorMessageAt!.getTime() - Date.now())).toBeLessThan(60_000);

    // Sessions run in UTC whatever the database server's default zone, so now() matches the stored wall time.
    const [{ TimeZone }] = await kefu.app.db.sql.query<{ TimeZone: string }>('SHOW TimeZone');
    expect(TimeZone).toBe('UTC');
    const [{ skew }] = await kefu.app.db.sql.query<{ skew: number }>(
      `SELECT abs(extract(epoch FROM (now() - last_message_at::timestamptz)))::float AS skew FROM conversations WHERE id = $1::uuid`,
      [conversationId],
    );
    expect(skew).toBeLessThan(60);

    const read = await kefu.app.conversations.requireConversation(conversationId);
    expect(Math.abs(new Date(read.lastMessageAt!).getTime() - stored.lastMessageAt!.getTime())).toBeLessThan(1_000);
  });
});

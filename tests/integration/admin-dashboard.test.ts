import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

describe('dashboard, 留言回复 and the audit log', () => {
  let kefu: TestKefu;
  let admin: Client;
  let agent: Client;
  let agentId: string;

  beforeAll(async () => {
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    agentId = (await createUser(kefu, { email: 'dash-agent@example.com', name: '小李', status: 'online' })).id;
    agent = new Client(kefu.url);
    await agent.login('dash-agent@example.com', 'agent-password');
    const sql = kefu.app.db.sql;
    await sql.query(
      `INSERT INTO visitors (id, channel_id, external_id, name) SELECT gen_random_uuid(), $1::uuid, 'dash-' || g, '访客' || g FROM generate_series(1, 15) g`,
      [kefu.webChannelId],
    );
    // Visitors 1–10 reached a human on 2024-06-01 and waited 10, 20, … 100 s; 11–15 stayed with the bot on 2024-06-02.
    await sql.query(
      `INSERT INTO conversations (id, channel_id, visitor_id, status, reached_human, assignee_id, queued_at, assigned_at, first_response_at, closed_at, created_at, updated_at)
       SELECT gen_random_uuid(), v.channel_id, v.id, 'closed', n <= 10, CASE WHEN n <= 10 THEN $1::uuid END,
              CASE WHEN n <= 10 THEN t END, CASE WHEN n <= 10 THEN t + n * interval '10 seconds' END,
              CASE WHEN n <= 10 THEN t + n * interval '10 seconds' + interval '5 seconds' END, t + interval '10 minutes', t, t
         FROM visitors v
         CROSS JOIN LATERAL (SELECT substr(v.external_id, 6)::int AS n) k
         CROSS JOIN LATERAL (SELECT CASE WHEN k.n <= 10 THEN timestamp '2024-06-01 08:00' ELSE timestamp '2024-06-02 08:00' END AS t) s
        WHERE v.external_id LIKE 'dash-%'`,
      [agentId],
    );
    await sql.query(
      `INSERT INTO satisfaction_ratings (id, conversation_id, agent_id, score, created_at)
       SELECT gen_random_uuid(), c.id, c.assignee_id, (ARRAY[5, 5, 4, 3, 1])[substr(v.external_id, 6)::int], c.closed_at
         FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE v.external_id IN ('dash-1', 'dash-2', 'dash-3', 'dash-4', 'dash-5')`,
    );
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  it('aggregates conversations per day, outcomes, waits, first response, ratings and per-agent load', async () => {
    const res = await admin.get('/api/dashboard?from=2024-06-01&to=2024-06-03');
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d.perDay.map((r: { day: string; count: number }) => [r.day, r.count])).toEqual([
      ['2024-06-01', 10],
      ['2024-06-02', 5],
    ]);
    expect(d.outcome).toEqual({ total: 15, botResolved: 5, handedOff: 10 });
    expect(d.queueWaitSeconds).toEqual({ p50: 55, p90: 91, avg: 55, count: 10 });
    expect(d.firstResponseSeconds.p50).toBe(5);
    expect(d.satisfaction).toEqual([
      { score: 1, count: 1 },
      { score: 2, count: 0 },
      { score: 3, count: 1 },
      { score: 4, count: 1 },
      { score: 5, count: 2 },
    ]);
    const li = d.agents.find((a: { id: string }) => a.id === agentId);
    expect(li).toMatchObject({ name: '小李', conversations: 10, ratings: 5, avgRating: 3.6 });
    expect(d.live.agentsOnline).toBe(await kefu.app.prisma.user.count({ where: { status: 'online', disabled: false } }));
    expect(d.live.agentsOnline).toBeGreaterThanOrEqual(1);
    expect(d.live).toMatchObject({ queued: 0, active: 0 });
  });

  it('reads date bounds and buckets days in the viewer’s time zone', async () => {
    // 08:00 UTC is 22:00 the day before in Honolulu (UTC−10).
    const both = await admin.get('/api/dashboard?from=2024-05-31&to=2024-06-02&tz=Pacific/Honolulu');
    expect(both.status).toBe(200);
    expect(both.body.perDay.map((r: { day: string; count: number }) => [r.day, r.count])).toEqual([
      ['2024-05-31', 10],
      ['2024-06-01', 5],
    ]);
    const later = await admin.get('/api/dashboard?from=2024-06-01&to=2024-06-03&tz=Pacific/Honolulu');
    expect(later.body.perDay.map((r: { day: string; count: number }) => [r.day, r.count])).toEqual([['2024-06-01', 5]]);
    expect(later.body.outcome.total).toBe(5);
    const bad = await admin.get('/api/dashboard?tz=Mars/Olympus');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('refuses a range over a year or reversed', async () => {
    expect((await admin.get('/api/dashboard?from=2023-01-01&to=2024-06-01')).status).toBe(400);
    expect((await admin.get('/api/dashboard?from=2024-06-02&to=2024-06-01')).status).toBe(400);
  });

  it('lists open 留言 for agents, shows one with its contact, and marks it done with a note once', async () => {
    const visitor = await kefu.app.prisma.visitor.findFirstOrThrow({ where: { externalId: 'dash-1' } });
    const older = await kefu.app.prisma.offlineMessage.create({
      data: { visitorId: visitor.id, channelId: kefu.webChannelId, phone: '13800000000', content: '请回电', createdAt: new Date('2024-06-01T09:00:00Z') },
    });
    const newer = await kefu.app.prisma.offlineMessage.create({
      data: { visitorId: visitor.id, channelId: kefu.webChannelId, email: 'v@example.com', name: '张三', content: '发票问题' },
    });
    const open = await agent.get('/api/offline-messages?status=open');
    expect(open.status).toBe(200);
    expect(open.body.items.map((m: { id: string }) => m.id)).toEqual([newer.id, older.id]);
    expect(open.body.openCount).toBe(2);
    const ranged = await agent.get(`/api/offline-messages?status=open&from=2024-06-01&to=2024-06-02&channelId=${kefu.webChannelId}`);
    expect(ranged.body.items.map((m: { id: string }) => m.id)).toEqual([older.id]);
    const one = await agent.get(`/api/offline-messages/${older.id}`);
    expect(one.body.message).toMatchObject({ phone: '13800000000', content: '请回电', name: '访客1', status: 'open' });
    const done = await agent.post(`/api/offline-messages/${older.id}/done`, { note: '已电话回复' });
    expect(done.status).toBe(200);
    expect(done.body.message).toMatchObject({ status: 'done', note: '已电话回复', handledByName: '小李' });
    expect((await agent.post(`/api/offline-messages/${older.id}/done`, {})).status).toBe(409);
    const closed = await agent.get('/api/offline-messages?status=done');
    expect(closed.body.items.map((m: { id: string }) => m.id)).toEqual([older.id]);
  });

  it('finds audit entries by actor, action and time', async () => {
    const byActor = await admin.get('/api/audit?q=dash-agent');
    expect(byActor.body.items.map((e: { action: string }) => e.action)).toEqual(['offline_message.done']);
    const future = await admin.get('/api/audit?from=2999-01-01');
    expect(future.body.items).toEqual([]);
    const page = await admin.get('/api/audit?limit=1');
    expect(page.body.items).toHaveLength(1);
  });
});

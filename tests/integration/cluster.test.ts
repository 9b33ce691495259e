import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, dropTestData, openSocket, testDatabaseUrl, testRedisUrl, uniqueName, wsUrl } from '../support/harness.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Two `api` and two `worker` processes on one PostgreSQL and Redis (needs both: skipped when embedded). */
describe.skipIf(!testDatabaseUrl || !testRedisUrl)('scale-out: two api and two worker processes', () => {
  const schema = uniqueName('t');
  const prefix = schema.replace(/_/g, '-');
  const procs = new Map<string, ChildProcess>();
  const urls: string[] = [];

  function start(name: string, role: 'api' | 'worker', port = 0): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
      env: {
        ...process.env,
        KEFU_ROLE: role,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: testDatabaseUrl,
        DATABASE_SCHEMA: schema,
        REDIS_URL: testRedisUrl,
        REDIS_PREFIX: prefix,
        SESSION_SECRET: 'cluster-secret'.padEnd(40, 'x'),
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: 'admin-password',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_MULTIPLIER: '1000',
        DATA_DIR: `.tmp/${schema}`,
      },
      stdio: 'ignore',
    });
    procs.set(name, child);
    return child;
  }

  async function waitHealthy(url: string) {
    for (let i = 0; i < 120; i++) {
      if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${url} did not become healthy`);
  }

  beforeAll(async () => {
    for (const name of ['api-1', 'api-2']) {
      const port = await freePort();
      start(name, 'api', port);
      urls.push(`http://127.0.0.1:${port}`);
    }
    start('worker-1', 'worker');
    start('worker-2', 'worker');
    await Promise.all(urls.map(waitHealthy));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      [...procs.values()].map(async (p) => {
        if (p.exitCode !== null || p.signalCode) return;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await exited;
      }),
    );
    await dropTestData({ schema, prefix, dataDir: `.tmp/${schema}` });
  }, 60_000);

  async function channelId(): Promise<string> {
    const admin = new Client(urls[0]);
    await admin.login('admin@example.com', 'admin-password');
    const res = await admin.get('/api/channels');
    return res.body.items.find((c: { type: string }) => c.type === 'web').id;
  }

  it('reaches an agent on api-2 from a visitor on api-1 and back', async () => {
    const admin = new Client(urls[1]);
    await admin.login('admin@example.com', 'admin-password');
    await admin.patch('/api/me/status', { status: 'online' });
    const agentSocket = await openSocket(wsUrl(urls[1], '/ws/agent'), { cookie: admin.cookie });

    const visitor = new Client(urls[0]);
    const session = await visitor.post('/api/widget/session', { channelId: await channelId() });
    visitor.token = session.body.visitorToken;
    const visitorSocket = await openSocket(wsUrl(urls[0], `/ws/visitor?token=${encodeURIComponent(visitor.token)}`));
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '跨进程你好' });
    expect(sent.status).toBe(201);
    const seen = await agentSocket.waitFor((f) => f.type === 'message' && f.message.text === '跨进程你好');
    const conversationId = seen.message.conversationId;

    // The workers assign it to the only online agent.
    let assignee: string | null = null;
    for (let i = 0; i < 40 && !assignee; i++) {
      assignee = (await admin.get(`/api/conversations/${conversationId}`)).body.conversation.assigneeId;
      if (!assignee) await new Promise((r) => setTimeout(r, 250));
    }
    expect(assignee).toBe((await admin.get('/api/auth/me')).body.user.id);

    await admin.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '收到，来自另一个进程' });
    await visitorSocket.waitFor((f) => f.type === 'message' && f.message.text === '收到，来自另一个进程');
    await admin.patch('/api/me/status', { status: 'paused' });
    agentSocket.close();
    visitorSocket.close();
  }, 60_000);

  it('keeps every auto-accept limit across both workers', async () => {
    const admin = new Client(urls[0]);
    await admin.login('admin@example.com', 'admin-password');
    const agents: Client[] = [];
    for (let i = 0; i < 6; i++) {
      const email = `limit${i}@example.com`;
      await admin.post('/api/agents', { email, name: `agent${i}`, password: 'password-123', autoAcceptLimit: 2 });
      const c = new Client(urls[i % 2]);
      await c.login(email, 'password-123');
      agents.push(c);
    }
    const channel = await channelId();
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const v = new Client(urls[i % 2]);
        v.token = (await v.post('/api/widget/session', { channelId: channel })).body.visitorToken;
        await v.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: `visitor ${i}` });
      }),
    );
    let users: { email: string; activeCount: number; autoAcceptLimit: number }[] = [];
    for (let i = 0; i < 60; i++) {
      users = (await admin.get('/api/agents')).body.items.filter((u: { email: string }) => u.email.startsWith('limit'));
      if (users.every((u) => u.activeCount === 2)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(users).toHaveLength(6);
    for (const u of users) expect(u.activeCount).toBe(2);
    const assigned = (await admin.get('/api/conversations?view=all')).body.items.filter(
      (c: { status: string; assigneeId: string | null; visitor: { name: string } }) => c.status === 'assigned',
    );
    const perAgent = new Map<string, number>();
    for (const c of assigned) perAgent.set(c.assigneeId, (perAgent.get(c.assigneeId) ?? 0) + 1);
    for (const count of perAgent.values()) expect(count).toBeLessThanOrEqual(2);
    for (const a of agents) await a.patch('/api/me/status', { status: 'paused' });
  }, 60_000);

  it('loses no message when an API process dies: the client resends to the other and it is stored once', async () => {
    const channel = await channelId();
    const visitors = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const v = new Client(urls[0]);
        v.token = (await v.post('/api/widget/session', { channelId: channel })).body.visitorToken;
        return v;
      }),
    );
    const sent: { token: string; clientMessageId: string; text: string }[] = [];
    const sending = Promise.all(
      visitors.map(async (v, vi) => {
        for (let i = 0; i < 20; i++) {
          const msg = { clientMessageId: crypto.randomUUID(), kind: 'text', text: `crash ${vi}-${i}` };
          sent.push({ token: v.token, ...msg });
          for (const base of [urls[0], urls[1]]) {
            const client = new Client(base);
            client.token = v.token;
            client.timeoutMs = 3_000;
            const ok = await client.post('/api/widget/messages', msg).then((r) => r.status < 300, () => false);
            if (ok) break;
          }
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 150));
    procs.get('api-1')!.kill('SIGKILL');
    await sending;
    const checker = new Client(urls[1]);
    for (const v of visitors) {
      checker.token = v.token;
      const history = (await checker.get('/api/widget/messages?after=0')).body.items as { text: string; sender: string }[];
      const texts = history.filter((m) => m.sender === 'visitor').map((m) => m.text);
      const mine = sent.filter((s) => s.token === v.token).map((s) => s.text);
      for (const text of mine) expect(texts.filter((t) => t === text)).toHaveLength(1);
    }
  }, 90_000);
});

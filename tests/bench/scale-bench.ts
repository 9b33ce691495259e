/**
 * Scale figures: one `api` and one `worker` Kefu process holding 2,000 agent sockets, 50,000 open
 * (assigned) conversations and 50,000 live auto-close timers. Reports what the server reads back
 * (`agents_online`, `open_conversations`, `live_timers`) and the resident memory of both processes
 * (`rss_mb_total`, target ≤ 1,500 MB). Accounts, sessions, visitors, conversations and messages are
 * seeded with bulk SQL; the timers are added with the product's job names, ids and payloads.
 * Needs PostgreSQL and Redis (BENCH_DATABASE_URL / BENCH_REDIS_URL, default the local services).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { WebSocket } from 'ws';
import { signVisitorToken } from '../../connectors/web/visitor-token.ts';
import { routingJobs } from '../../core/routing/routing-jobs.ts';
import { JobQueues } from '../../infra/job-queue.ts';
import { armAutoCloseTimers } from './auto-close-timers.ts';
import { dropBenchSchema } from './ingest-bench.ts';

export interface ScaleFigures {
  agents_online: number;
  agent_sockets: number;
  open_conversations: number;
  live_timers: number;
  rss_mb_api: number;
  rss_mb_worker: number;
  rss_mb_total: number;
  rss_kb_per_agent_socket: number;
}

const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.KEFU_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.KEFU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const secret = 'scale-secret'.padEnd(40, 'x');
/** The product's default 自动结单 delay (session.autoCloseMinutes = 10): no timer fires during the bench. */
const autoCloseMs = 10 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('base64url');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function startRole(role: 'api' | 'worker', schema: string, port: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
    env: {
      ...process.env,
      KEFU_ROLE: role,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: schema.replace(/_/g, '-'),
      ADMIN_EMAIL: 'scale-admin@example.com',
      ADMIN_PASSWORD: 'scale-password',
      SESSION_SECRET: secret,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MULTIPLIER: '100000',
      DATA_DIR: `.tmp/${schema}`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** VmRSS of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Math.round((Number(fields[11]) + Number(fields[12])) / 10) / 10;
}

function openFileLimit(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? 0);
}

/** Runs `fn` over `items` with at most `width` at once. */
async function pool<T, R>(items: T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

interface Seeded {
  channelId: string;
  adminToken: string;
  agents: { id: string; token: string }[];
  conversations: { id: string; visitorKey: string; assigneeIndex: number }[];
}

/** 2,000 agents (limit 30, 25 assigned each) with sessions, 50,000 visitors each with an assigned conversation and two messages. */
async function seed(db: pg.Client, agentCount: number, conversationCount: number): Promise<Seeded> {
  const channelId = (await db.query(`SELECT id FROM channels WHERE type = 'web' LIMIT 1`)).rows[0].id as string;
  const perAgent = Math.ceil(conversationCount / agentCount);
  await db.query(
    `INSERT INTO users (id, email, name, role, password_hash, status, auto_accept_limit, active_count, updated_at)
     SELECT gen_random_uuid(), 'scale' || lpad(g::text, 5, '0') || '@example.com', '坐席' || g, 'agent', 'x', 'offline', $1, 0, now()
       FROM generate_series(1, $2) g`,
    [Math.max(30, perAgent + 5), agentCount],
  );
  const agentIds = (await db.query(`SELECT id FROM users WHERE email LIKE 'scale0%' ORDER BY email`)).rows.map((r) => r.id as string);
  const admin = (await db.query(`SELECT id FROM users WHERE role = 'admin' LIMIT 1`)).rows[0].id as string;
  const tokens = [...agentIds, admin].map(() => crypto.randomBytes(32).toString('base64url'));
  await db.query(
    `INSERT INTO user_sessions (id, user_id, expires_at, user_agent)
     SELECT h, u, now() + interval '1 day', 'scale-bench' FROM unnest($1::text[], $2::uuid[]) AS t(h, u)`,
    [tokens.map(hashToken), [...agentIds, admin]],
  );
  await db.query(
    `INSERT INTO visitors (id, channel_id, external_id, name, profile)
     SELECT gen_random_uuid(), $1::uuid, 'scale-' || g, '访客' || g, '{"device":"pc"}' FROM generate_series(1, $2) g`,
    [channelId, conversationCount],
  );
  // Visitor g goes to agent (g - 1) % agentCount; activity a few minutes ago.
  await db.query(
    `WITH a AS (SELECT id, (row_number() OVER (ORDER BY email) - 1)::int AS n FROM users WHERE email LIKE 'scale0%'),
          v AS (SELECT id, channel_id, substring(external_id FROM 7)::int AS g FROM visitors WHERE external_id LIKE 'scale-%')
     INSERT INTO conversations (id, channel_id, visitor_id, status, assignee_id, queued_at, assigned_at, last_visitor_message_at,
       last_agent_message_at, last_message_at, last_message_preview, reached_human, first_response_at, created_at, updated_at)
     SELECT gen_random_uuid(), v.channel_id, v.id, 'assigned', a.id, now() - interval '4 min', now() - interval '3 min',
       now() - interval '3 min', now() - interval '2 min', now() - interval '2 min', '您好，请问有什么可以帮您？', true,
       now() - interval '2 min', now() - interval '4 min', now()
       FROM v JOIN a ON a.n = (v.g - 1) % $1`,
    [agentCount],
  );
  await db.query(
    `INSERT INTO messages (id, conversation_id, channel_id, sender, sender_id, kind, content, created_at)
     SELECT gen_random_uuid(), c.id, c.channel_id, 'visitor', c.visitor_id::text, 'text', '你好，我想咨询一下订单', now() - interval '3 min'
       FROM conversations c`,
  );
  await db.query(
    `INSERT INTO messages (id, conversation_id, channel_id, sender, sender_id, kind, content, created_at)
     SELECT gen_random_uuid(), c.id, c.channel_id, 'agent', c.assignee_id::text, 'text', '您好，请问有什么可以帮您？', now() - interval '2 min'
       FROM conversations c`,
  );
  await db.query(`UPDATE users u SET active_count = n.count FROM (SELECT assignee_id, count(*)::int AS count FROM conversations GROUP BY assignee_id) n WHERE n.assignee_id = u.id`);
  await db.query(`UPDATE visitors v SET last_agent_id = c.assignee_id, last_agent_at = c.assigned_at FROM conversations c WHERE c.visitor_id = v.id`);
  await db.query('ANALYZE users; ANALYZE visitors; ANALYZE conversations; ANALYZE messages');
  const rows = (
    await db.query(`SELECT c.id, v.external_id FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE c.status = 'assigned'`)
  ).rows as { id: string; external_id: string }[];
  return {
    channelId,
    adminToken: tokens.at(-1)!,
    agents: agentIds.map((id, i) => ({ id, token: tokens[i]! })),
    conversations: rows.map((r) => ({ id: r.id, visitorKey: r.external_id, assigneeIndex: (Number(r.external_id.slice(6)) - 1) % agentCount })),
  };
}

async function armTimers(prefix: string, conversationIds: string[]): Promise<number> {
  const jobs = JobQueues.onRedis(redisUrl, prefix);
  try {
    return await armAutoCloseTimers(jobs, conversationIds, autoCloseMs);
  } finally {
    await jobs.close();
  }
}

async function liveTimers(prefix: string): Promise<number> {
  const jobs = JobQueues.onRedis(redisUrl, prefix);
  try {
    return await jobs.queue(routingJobs.autoClose).getDelayedCount();
  } finally {
    await jobs.close();
  }
}

interface AgentSocket {
  ws: WebSocket;
  seen: Set<string>;
}

function openAgentSocket(url: string, token: string): Promise<AgentSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/ws/agent`, { headers: { cookie: `kefu_session=${token}` }, perMessageDeflate: false });
    const socket: AgentSocket = { ws, seen: new Set() };
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'hello') resolve(socket);
      if (frame.type === 'message') socket.seen.add(frame.message.text);
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`agent socket refused: ${res.statusCode}`)));
  });
}

async function api(base: string, method: string, path: string, token: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res.json();
}

export async function benchScale(options: { agents?: number; conversations?: number; settleMs?: number } = {}): Promise<ScaleFigures> {
  const agentCount = options.agents ?? Number(process.env.BENCH_SCALE_AGENTS ?? 2_000);
  const conversationCount = options.conversations ?? Number(process.env.BENCH_SCALE_CONVERSATIONS ?? 50_000);
  const schema = `bench_scale_${Date.now().toString(36)}`;
  const prefix = schema.replace(/_/g, '-');
  const log = (line: string) => process.stderr.write(`scale: ${line}\n`);
  const t0 = performance.now();
  const cpu: number[] = [];
  const at = () => `${((performance.now() - t0) / 1000).toFixed(1)} s (cpu s: ${cpu.map(cpuSeconds).join(' / ')})`;

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const children: ChildProcess[] = [];
  const sockets: AgentSocket[] = [];
  const db = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  try {
    const apiProcess = startRole('api', schema, port);
    children.push(apiProcess);
    cpu.push(apiProcess.pid!);
    let healthy = false;
    for (let i = 0; i < 120 && !healthy; i++) {
      healthy = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (!healthy) await sleep(500);
    }
    if (!healthy) throw new Error('api process did not become healthy');
    const workerProcess = startRole('worker', schema, 0);
    children.push(workerProcess);
    cpu.push(workerProcess.pid!);
    const fileLimit = openFileLimit(apiProcess.pid!);
    if (fileLimit < agentCount + 500) throw new Error(`the api process may open only ${fileLimit} files; raise ulimit -n above ${agentCount + 500}`);

    await db.connect();
    const seeded = await seed(db, agentCount, conversationCount);
    log(`seeded ${seeded.agents.length} agents, ${seeded.conversations.length} conversations at ${at()}`);
    const armed = await armTimers(prefix, seeded.conversations.map((c) => c.id));
    log(`${armed} timers armed at ${at()}`);

    await sleep(2_000);
    const rssBeforeSockets = rssMb(apiProcess.pid!);
    log(`rss before sockets: api ${rssBeforeSockets} MB, worker ${rssMb(workerProcess.pid!)} MB`);
    const ws = base.replace(/^http/, 'ws');
    sockets.push(...(await pool(seeded.agents, 50, (agent) => openAgentSocket(ws, agent.token))));
    log(`${sockets.length} agent sockets open at ${at()}`);
    await pool(seeded.agents, 40, (agent) => api(base, 'PATCH', '/api/me/status', agent.token, { status: 'online' }));
    log(`${agentCount} status changes sent at ${at()}`);
    let agentsOnline = 0;
    for (let i = 0; i < 60 && agentsOnline < agentCount; i++) {
      agentsOnline = (await api(base, 'GET', '/api/dashboard', seeded.adminToken)).live.agentsOnline;
      if (agentsOnline < agentCount) await sleep(500);
    }
    log(`${agentsOnline} agents online at ${at()}`);
    await sleep(options.settleMs ?? 10_000);

    // Warm the message paths: a visitor message and an agent reply on a handful of conversations.
    const touched = seeded.conversations.filter((_, i) => i % Math.ceil(conversationCount / 20) === 0);
    await pool(touched, 5, async (c, i) => {
      const agent = seeded.agents[c.assigneeIndex]!;
      const visitorToken = signVisitorToken(secret, { channelId: seeded.channelId, visitorKey: c.visitorKey });
      await api(base, 'POST', '/api/widget/messages', visitorToken, { clientMessageId: crypto.randomUUID(), kind: 'text', text: `访客消息 ${i}` });
      await api(base, 'POST', `/api/conversations/${c.id}/messages`, agent.token, { clientMessageId: crypto.randomUUID(), kind: 'text', text: `坐席回复 ${i}` });
    });
    for (let i = 0; i < 50; i++) {
      if (touched.every((c, j) => sockets[c.assigneeIndex]!.seen.has(`访客消息 ${j}`))) break;
      await sleep(100);
    }
    const delivered = touched.filter((c, j) => sockets[c.assigneeIndex]!.seen.has(`访客消息 ${j}`)).length;
    if (delivered < touched.length) throw new Error(`only ${delivered} of ${touched.length} visitor messages reached their agent's socket`);
    await sleep(3_000);

    const rssApi = rssMb(apiProcess.pid!);
    const rssWorker = rssMb(workerProcess.pid!);
    const open = Number((await db.query(`SELECT count(*)::int AS n FROM conversations WHERE status <> 'closed'`)).rows[0].n);
    const timers = await liveTimers(prefix);
    const openSockets = sockets.filter((s) => s.ws.readyState === WebSocket.OPEN).length;
    log(`measured at ${at()}`);
    return {
      agents_online: agentsOnline,
      agent_sockets: openSockets,
      open_conversations: open,
      live_timers: timers,
      rss_mb_api: rssApi,
      rss_mb_worker: rssWorker,
      rss_mb_total: rssApi + rssWorker,
      rss_kb_per_agent_socket: Math.round(((rssApi - rssBeforeSockets) * 1024) / agentCount),
    };
  } finally {
    for (const s of sockets) s.ws.terminate();
    await db.end().catch(() => undefined);
    await Promise.all(children.map(stopChild));
    await dropBenchSchema(schema);
    fs.rmSync(`.tmp/${schema}`, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchScale()));
  process.exit(0);
}

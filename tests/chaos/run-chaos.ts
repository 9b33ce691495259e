import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WechatMpPeer } from '../peers/wechat-mp-peer.ts';
import { WecomPeer } from '../peers/wecom-peer.ts';
import { OaVisitor, WebVisitor, WecomVisitor, type Sent, type Visitor, type World } from './actors.ts';
import { ChaosDb, request, ResumingSocket } from './client.ts';
import { FILLED_FROM_DATABASE } from '../../console/server/missed-messages.ts';
import { KefuCluster } from './processes.ts';
import { sleep, ThrowawayPostgres, ThrowawayRedis } from './services.ts';
import { verify, type Verdict } from './verify.ts';

export interface ChaosOptions {
  /** Visitor messages in all (CHAOS_MESSAGES). */
  messages: number;
  /** Visitor messages per second at most, across all visitors (CHAOS_RATE). */
  rate: number;
  /** Rounds of faults while the visitors send: each kills an API and a worker, restarts Redis and PostgreSQL (CHAOS_ROUNDS). */
  rounds: number;
  /** Share of visitor messages an agent answers (CHAOS_REPLY_SHARE). */
  replyShare: number;
  /** How long the run waits at the end for everything accepted to arrive (CHAOS_SETTLE_SECONDS). */
  settleSeconds: number;
  /** Recovery sweep interval of the worker processes. */
  sweepMs: number;
  log?: (line: string) => void;
}

export interface ChaosReport extends Verdict {
  chaos_api_kills: number;
  chaos_worker_kills: number;
  chaos_redis_restarts: number;
  chaos_postgres_restarts: number;
  chaos_crashes: number;
  chaos_start_failures: number;
  chaos_unhandled: number;
  /** Messages an API process sent its sockets from the database, their bus event not heard in time (lost or late). */
  chaos_bus_filled: number;
  chaos_seconds: number;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ChaosOptions {
  const num = (name: string, fallback: number) => {
    const value = env[name] ? Number(env[name]) : fallback;
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number, e.g. ${fallback}`);
    return value;
  };
  return {
    messages: num('CHAOS_MESSAGES', 10_000),
    rate: num('CHAOS_RATE', 100),
    rounds: num('CHAOS_ROUNDS', 3),
    replyShare: num('CHAOS_REPLY_SHARE', 0.3),
    settleSeconds: num('CHAOS_SETTLE_SECONDS', 120),
    sweepMs: num('CHAOS_SWEEP_MS', 1_000),
  };
}

/** A reproducible pseudo-random sequence (mulberry32), so two runs make the same choices. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whether the run passed: nothing accepted was lost, stored or delivered twice, or reordered; no process crashed. */
export function passed(report: ChaosReport): boolean {
  return report.chaos_lost === 0 && report.chaos_duplicated === 0 && report.chaos_out_of_order === 0 && report.chaos_crashes === 0 && report.chaos_unhandled === 0;
}

/**
 * The chaos run: its own PostgreSQL and Redis, two `api` and two `worker` Kefu processes, the local
 * WeCom and Official Account peers, agents online on console sockets; visitors of the three kinds
 * send while API and worker processes are SIGKILLed, Redis loses its data and PostgreSQL crash-restarts.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = (line: string) => options.log?.(`[${((Date.now() - started) / 1000).toFixed(1)} s ${new Date().toISOString().slice(11, 23)}] ${line}`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-chaos-'));
  const [postgres, redis, wecom, oa] = await Promise.all([ThrowawayPostgres.start(), ThrowawayRedis.start(), WecomPeer.start(), WechatMpPeer.start()]);
  const schema = 'kefu';
  const cluster = new KefuCluster(
    {
      DATABASE_URL: postgres.url,
      DATABASE_SCHEMA: schema,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'chaos',
      SESSION_SECRET: 'chaos-secret'.padEnd(40, 'x'),
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'admin-password',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MULTIPLIER: '100000',
      DATA_DIR: path.join(workDir, 'data'),
      WECOM_API_BASE: wecom.baseUrl,
      WECHAT_MP_API_BASE: oa.baseUrl,
      KEFU_RECOVERY_SWEEP_MS: String(options.sweepMs),
    },
    workDir,
  );
  const db = new ChaosDb(postgres.url, schema);
  const sockets: ResumingSocket[] = [];
  const counts = { api: 0, worker: 0, redis: 0, postgres: 0 };
  try {
    // Started together: migrations take an advisory lock, the first-run admin is created once.
    const [api1, api2, ...workers] = await Promise.all([cluster.add('api-1', 'api'), cluster.add('api-2', 'api'), cluster.add('worker-1', 'worker'), cluster.add('worker-2', 'worker')]);
    await cluster.waitHealthy();
    log(`cluster up in ${Math.round((Date.now() - started) / 1000)} s; logs in ${workDir}`);
    const urls = () => cluster.apiUrls;
    const deadline = () => Date.now() + 60_000;

    const login = async (email: string, password: string) => {
      const res = await fetch(`${urls()[0]}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
      return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, user: ((await res.json()) as { user: { id: string } }).user };
    };
    const admin = await login('admin@example.com', 'admin-password');
    const asAdmin = { cookie: admin.cookie };
    const must = async (method: string, url: string, body: unknown) => {
      const res = await request(urls, method, url, body, asAdmin, deadline());
      if (!res || res.status >= 300) throw new Error(`${method} ${url}: ${res?.status} ${JSON.stringify(res?.body)}`);
      return res.body;
    };
    await must('PUT', '/api/settings/session', { autoCloseMinutes: 1440 });
    const wecomChannelId: string = (await must('POST', '/api/channels', { type: 'wecom', name: '企业微信客服', credentials: wecom.credentials })).channel.id;
    const oaChannelId: string = (await must('POST', '/api/channels', { type: 'wechat_mp', name: '公众号', credentials: oa.credentials('plain') })).channel.id;
    const webChannelId: string = (await must('GET', '/api/channels', undefined)).items.find((c: { type: string }) => c.type === 'web').id;

    const agents = new Map<string, { cookie: string }>([[admin.user.id, asAdmin]]);
    const agentCount = Math.max(2, Math.ceil(options.messages / 2_500));
    for (let i = 0; i < agentCount; i++) {
      await must('POST', '/api/agents', { email: `agent${i}@example.com`, name: `客服${i}`, password: 'agent-password', autoAcceptLimit: 200 });
      const agent = await login(`agent${i}@example.com`, 'agent-password');
      const res = await request(urls, 'PATCH', '/api/me/status', { status: 'online' }, { cookie: agent.cookie }, deadline());
      if (res?.status !== 200) throw new Error('agent could not go online');
      agents.set(agent.user.id, { cookie: agent.cookie });
      const socket = new ResumingSocket(() => [urls()[i % 2]!, urls()[(i + 1) % 2]!], '/ws/agent', {}, { cookie: agent.cookie });
      await socket.open();
      sockets.push(socket);
    }
    // The admin console watches every conversation: the recipient of every visitor message. Like the
    // console, it resumes from the last seq it saw; a warm-up message gives it one to start from.
    const warmup = await must('POST', '/api/widget/session', { channelId: webChannelId });
    const warm = await request(urls, 'POST', '/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'warm-up' }, { authorization: `Bearer ${warmup.visitorToken}` }, deadline());
    if (!warm || warm.status >= 300) throw new Error('warm-up message refused');
    const observer = new ResumingSocket(urls, '/ws/agent', {}, asAdmin, warm.body.message.seq);
    await observer.open();
    sockets.push(observer);

    const ledger: Sent[] = [];
    const rateStart = Date.now();
    let slots = 0;
    const world: World = {
      urls,
      db,
      wecom,
      oa,
      wecomChannelId,
      oaChannelId,
      webChannelId,
      agents,
      ledger,
      async pace() {
        const at = rateStart + (slots++ * 1000) / options.rate;
        if (at > Date.now()) await sleep(at - Date.now());
      },
      deadlineMs: 120_000,
      replyShare: options.replyShare,
      random: seeded(20261125),
    };
    const visitorCount = Math.max(12, Math.round(options.messages / 100));
    const visitors: Visitor[] = [];
    for (let i = 0; i < visitorCount; i++) {
      const kind = i % 4 < 2 ? 'web' : i % 4 === 2 ? 'wecom' : 'oa';
      const name = `${kind === 'oa' ? 'o' : kind === 'wecom' ? 'wm' : 'w'}chaos${i}`;
      visitors.push(kind === 'web' ? new WebVisitor(world, kind, name) : kind === 'wecom' ? new WecomVisitor(world, kind, name) : new OaVisitor(world, kind, name));
    }
    await Promise.all(visitors.map((v) => v.setup()));
    const perVisitor = visitors.map((_, i) => Math.floor(options.messages / visitorCount) + (i < options.messages % visitorCount ? 1 : 0));

    log(`sending ${options.messages} visitor messages from ${visitorCount} visitors at ${options.rate}/s`);
    let sending = true;
    const senders = Promise.all(visitors.map((v, i) => v.run(perVisitor[i]!, `${v.name}-m`))).finally(() => (sending = false));
    const sendSeconds = options.messages / options.rate;
    const gap = Math.max(1_500, (sendSeconds * 1000) / Math.max(1, options.rounds) / 5);
    // Faults one after another while the visitors send; a process killed starts again at once (a
    // start that meets PostgreSQL down gives up and is started again, as a supervisor would).
    for (let round = 0; round < options.rounds && sending; round++) {
      const api = round % 2 === 0 ? api1! : api2!;
      const worker = workers[round % 2]!;
      const faults: [string, () => Promise<void>][] = [
        [`SIGKILL ${api.name}`, async () => (await cluster.kill(api), void counts.api++)],
        [`SIGKILL ${worker.name}`, async () => (await cluster.kill(worker), void counts.worker++)],
        ['Redis restart (data lost)', async () => (await redis.restart(), void counts.redis++)],
        ['PostgreSQL immediate restart', async () => (await postgres.restart(), void counts.postgres++)],
      ];
      for (const [name, fault] of faults) {
        await sleep(gap);
        log(`round ${round + 1}: ${name}`);
        await fault();
      }
    }
    await senders;
    await cluster.waitHealthy();
    log(`senders done after ${Math.round((Date.now() - started) / 1000)} s; waiting for agent replies`);
    await Promise.all(visitors.map((v) => v.replies));

    let problems: string[] = [];
    const check = () => verify({ ledger, visitors, observer, db, wecom, oa, outboundChannelIds: [wecomChannelId, oaChannelId], problems: (problems = []) });
    let verdict = await check();
    const settleUntil = Date.now() + options.settleSeconds * 1000;
    while ((verdict.chaos_lost > 0 || verdict.chaos_outbound_pending > 0) && Date.now() < settleUntil) {
      await sleep(1_000);
      verdict = await check();
    }
    for (const line of problems.slice(0, 30)) log(line);
    log(`socket reconnects: ${sockets.map((s) => s.reconnects).join(' ')}`);
    const unhandled = cluster.crashLines();
    for (const line of unhandled.slice(0, 20)) log(line);
    for (const crash of cluster.crashes) log(`crash: ${crash.name} exited with ${crash.code ?? crash.signal}`);
    return {
      ...verdict,
      chaos_api_kills: counts.api,
      chaos_worker_kills: counts.worker,
      chaos_redis_restarts: counts.redis,
      chaos_postgres_restarts: counts.postgres,
      chaos_crashes: cluster.crashes.length,
      chaos_start_failures: cluster.startFailures.length,
      chaos_unhandled: unhandled.length,
      chaos_bus_filled: cluster.loggedSum(FILLED_FROM_DATABASE, 'messages'),
      chaos_seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    for (const socket of sockets) socket.close();
    await cluster.stop();
    await db.close().catch(() => undefined);
    await Promise.all([redis.stop(), postgres.stop(), wecom.close(), oa.close()]);
    if (!process.env.CHAOS_KEEP_LOGS) fs.rmSync(workDir, { recursive: true, force: true });
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { WebSocket } from 'ws';

export interface IngestFigures {
  ingest_msgs_per_s: number;
  p50_ms: number;
  p99_ms: number;
  floor_ratio: number;
}

interface Server {
  url: string;
  child?: ChildProcess;
  stop(): Promise<void>;
}

const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.KEFU_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.KEFU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts Kefu as its own process (the bench's clients must not share its CPU time slice), or targets BENCH_URL. */
export async function startBenchServer(schema: string, extraEnv: Record<string, string> = {}): Promise<Server> {
  if (process.env.BENCH_URL) return { url: process.env.BENCH_URL, stop: async () => undefined };
  const port = await freePort();
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=.tmp/prof") goes to the server process only;
  // BENCH_SERVER_STDOUT names a file for what it prints (e.g. with "--trace-gc").
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'app/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: schema.replace(/_/g, '-'),
      ADMIN_EMAIL: 'bench@example.com',
      ADMIN_PASSWORD: 'bench-password',
      SESSION_SECRET: 'bench-secret'.padEnd(40, 'x'),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MULTIPLIER: '100000',
      DATA_DIR: `.tmp/${schema}`,
      ...extraEnv,
    },
    stdio: ['ignore', process.env.BENCH_SERVER_STDOUT ? fs.openSync(process.env.BENCH_SERVER_STDOUT, 'w') : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function dropBenchSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  const redis = new Redis(redisUrl);
  const prefix = schema.replace(/_/g, '-');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** The bench admin's session cookie. */
export async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password' }),
  });
  return res.headers.get('set-cookie')!.split(';')[0];
}

function openWs(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Measures the web intake path: visitor socket → stored → agent socket. */
export async function benchIngest(options: { visitors?: number; latencySeconds?: number; throughputMessages?: number } = {}): Promise<IngestFigures> {
  const visitorsCount = options.visitors ?? 200;
  const schema = `bench_${Date.now().toString(36)}`;
  const server = await startBenchServer(schema);
  try {
    const ws = server.url.replace(/^http/, 'ws');
    const cookie = await login(server.url);
    const db = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
    await db.connect();
    const channelId = (await db.query(`SELECT id FROM channels WHERE type = 'web' LIMIT 1`)).rows[0].id;
    await db.end();

    const admin = await openWs(`${ws}/ws/agent`, { cookie });
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let received = 0;
    admin.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type !== 'message' || frame.message.sender !== 'visitor') return;
      const key = frame.message.text as string;
      const started = sentAt.get(key);
      if (started !== undefined) {
        latencies.push(performance.now() - started);
        sentAt.delete(key);
      }
      received++;
    });

    const visitors: { socket: WebSocket; pending: number; acks: (() => void)[] }[] = [];
    for (let i = 0; i < visitorsCount; i++) {
      const res = await fetch(`${server.url}/api/widget/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channelId }),
      });
      const { visitorToken } = (await res.json()) as { visitorToken: string };
      const socket = await openWs(`${ws}/ws/visitor?token=${encodeURIComponent(visitorToken)}`);
      const v = { socket, pending: 0, acks: [] as (() => void)[] };
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === 'ack' || frame.type === 'error') {
          v.pending--;
          v.acks.shift()?.();
        }
      });
      visitors.push(v);
    }
    const send = (v: (typeof visitors)[number], text: string) =>
      new Promise<void>((resolve) => {
        v.pending++;
        v.acks.push(resolve);
        v.socket.send(JSON.stringify({ type: 'send', clientMessageId: crypto.randomUUID(), kind: 'text', text }));
      });

    // Warm-up: every visitor opens its conversation.
    await Promise.all(visitors.map((v, i) => send(v, `warm ${i}`)));

    // Latency at a fixed offered rate of 1,000 msg/s, measured after a lead-in at the same rate that
    // is not recorded: the steady state, not the server's first seconds under this load.
    const seconds = options.latencySeconds ?? 8;
    const leadIn = 2;
    const rate = 1000;
    const start = performance.now();
    let n = 0;
    const offered = rate * (leadIn + seconds);
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.floor(((performance.now() - start) / 1000) * rate);
        while (n < due && n < offered) {
          const recorded = n >= rate * leadIn;
          const text = recorded ? `lat-${n}` : `lead-${n}`;
          if (recorded) sentAt.set(text, performance.now());
          void send(visitors[n % visitors.length], text);
          n++;
        }
        if (n >= offered) {
          clearInterval(tick);
          resolve();
        }
      }, 2);
    });
    const deadline = Date.now() + 15_000;
    while (sentAt.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    latencies.sort((a, b) => a - b);

    // Sustained throughput: each visitor keeps a few messages in flight.
    const total = options.throughputMessages ?? 20_000;
    const perVisitor = Math.ceil(total / visitors.length);
    const t0 = performance.now();
    await Promise.all(
      visitors.map(async (v, vi) => {
        const inflight: Promise<void>[] = [];
        for (let i = 0; i < perVisitor; i++) {
          inflight.push(send(v, `tp-${vi}-${i}`));
          if (inflight.length >= 4) await inflight.shift();
        }
        await Promise.all(inflight);
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const throughput = (perVisitor * visitors.length) / elapsed;

    for (const v of visitors) v.socket.close();
    admin.close();

    const floorUs = await measureFloor(schema);
    const costUs = 1e6 / throughput;
    return {
      ingest_msgs_per_s: Math.round(throughput),
      p50_ms: round(percentile(latencies, 50)),
      p99_ms: round(percentile(latencies, 99)),
      floor_ratio: round(costUs / floorUs, 2),
    };
  } finally {
    await server.stop();
    await dropBenchSchema(schema);
  }
}

/** Wall time per (one bare PostgreSQL INSERT + one Redis PUBLISH) at the same concurrency, in µs. */
async function measureFloor(schema: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, options: `-c search_path=${schema}` });
  const redis = new Redis(redisUrl);
  await pool.query('CREATE TABLE IF NOT EXISTS bench_floor (id bigserial primary key, body text, created_at timestamptz default now())');
  const total = 10_000;
  const concurrency = 200;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        await pool.query('INSERT INTO bench_floor (body) VALUES ($1)', [`floor ${i}`]);
        await redis.publish(`${schema}-floor`, `floor ${i}`);
      }
    }),
  );
  const us = ((performance.now() - t0) * 1000) / total;
  await pool.end();
  redis.disconnect();
  return us;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchIngest().then((r) => console.log(JSON.stringify(r)));
}

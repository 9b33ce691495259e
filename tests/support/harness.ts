import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import pino from 'pino';
import { parseConfig, type Config } from '../../app/config.ts';
import { startKefu, type Kefu } from '../../app/compose.ts';
import { hashPassword } from '../../console/server/passwords.ts';

/**
 * Real services for tests: KEFU_TEST_DATABASE_URL / KEFU_TEST_REDIS_URL (CI sets both) give each
 * test file a fresh PostgreSQL schema and Redis key prefix; without them the embedded mode runs in
 * a fresh data folder. Everything is removed again by `stop()`.
 */
export const testDatabaseUrl = process.env.KEFU_TEST_DATABASE_URL || undefined;
export const testRedisUrl = process.env.KEFU_TEST_REDIS_URL || undefined;

export interface TestKefu extends Kefu {
  adminEmail: string;
  adminPassword: string;
  webChannelId: string;
  /** Where this instance keeps its data: pass it as `reuse` to start another on the same data. */
  reuse: { schema: string; prefix: string; dataDir: string };
  stop(): Promise<void>;
}

export interface TestOptions {
  embedded?: boolean;
  env?: Record<string, string>;
  /** Reuse the schema / prefix / data folder of an earlier instance (restart tests). */
  reuse?: { schema: string; prefix: string; dataDir: string };
  role?: 'all' | 'api' | 'worker';
}

export function uniqueName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
}

export function testConfig(options: TestOptions = {}): { config: Config; schema: string; prefix: string; dataDir: string } {
  const schema = options.reuse?.schema ?? uniqueName('t');
  const prefix = options.reuse?.prefix ?? schema.replace(/_/g, '-');
  const dataDir = options.reuse?.dataDir ?? path.resolve('.tmp', 'test-data', schema);
  const embedded = options.embedded || !testDatabaseUrl;
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: 'admin-password',
    SESSION_SECRET: 'test-secret-'.padEnd(40, 'x'),
    KEFU_ROLE: options.role ?? 'all',
    REDIS_PREFIX: prefix,
    ...(embedded ? {} : { DATABASE_URL: testDatabaseUrl!, DATABASE_SCHEMA: schema }),
    ...(embedded || !testRedisUrl ? {} : { REDIS_URL: testRedisUrl }),
    ...options.env,
  };
  return { config: parseConfig(env), schema, prefix, dataDir };
}

export async function startTestKefu(options: TestOptions = {}): Promise<TestKefu> {
  const { config, schema, prefix, dataDir } = testConfig(options);
  const kefu = await startKefu(config, { logger: pino({ level: 'silent' }), print: () => undefined });
  const channel = await kefu.app.prisma.channel.findFirstOrThrow({ where: { type: 'web' }, orderBy: { createdAt: 'asc' } });
  return Object.assign(kefu, {
    adminEmail: 'admin@example.com',
    adminPassword: 'admin-password',
    webChannelId: channel.id,
    reuse: { schema, prefix, dataDir },
    async stop() {
      await kefu.close();
    },
  });
}

/** Drops what a test instance left: its schema, its Redis keys, its data folder. */
export async function dropTestData(reuse: { schema: string; prefix: string; dataDir: string }): Promise<void> {
  if (testDatabaseUrl && reuse.schema.startsWith('t_')) {
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${reuse.schema}" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS "${reuse.schema}_jobs" CASCADE`).catch(() => undefined);
    await client.end();
  }
  if (testRedisUrl) {
    const redis = new Redis(testRedisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${reuse.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
  fs.rmSync(reuse.dataDir, { recursive: true, force: true });
}

export async function stopAndDrop(kefu: TestKefu): Promise<void> {
  await kefu.stop();
  await dropTestData((kefu as unknown as { reuse: { schema: string; prefix: string; dataDir: string } }).reuse);
}

export async function createUser(
  kefu: Kefu,
  input: { email: string; name?: string; role?: 'admin' | 'agent'; password?: string; autoAcceptLimit?: number; status?: 'online' | 'paused' | 'offline' },
) {
  return kefu.app.prisma.user.create({
    data: {
      email: input.email,
      name: input.name ?? input.email.split('@')[0],
      role: input.role ?? 'agent',
      passwordHash: await hashPassword(input.password ?? 'agent-password'),
      autoAcceptLimit: input.autoAcceptLimit ?? 5,
      status: input.status ?? 'offline',
    },
  });
}

/** A tiny HTTP client that keeps the session cookie like a browser. */
export class Client {
  cookie = '';
  token = '';
  timeoutMs = 20_000;
  constructor(readonly base: string) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(this.base + url, {
      method,
      headers: {
        ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : body instanceof FormData ? body : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith('kefu_session=')) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  }

  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, body?: unknown) {
    return this.request('POST', url, body ?? {});
  }
  patch(url: string, body?: unknown) {
    return this.request('PATCH', url, body ?? {});
  }

  async login(email: string, password: string) {
    const res = await this.post('/api/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.user;
  }
}

/** A WebSocket that buffers frames so a test can wait for one matching a predicate. */
export async function openSocket(url: string, headers: Record<string, string> = {}) {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(url, { headers });
  const frames: any[] = [];
  const waiters: { test: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    frames.push(frame);
    for (const w of [...waiters]) {
      if (w.test(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`socket refused: ${res.statusCode}`)));
  });
  return {
    ws,
    frames,
    send(frame: unknown) {
      ws.send(JSON.stringify(frame));
    },
    waitFor(test: (f: any) => boolean, timeoutMs = 10_000): Promise<any> {
      const found = frames.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
        waiters.push({ test, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      });
    },
    close() {
      ws.close();
    },
  };
}

export function wsUrl(httpUrl: string, path: string): string {
  return httpUrl.replace(/^http/, 'ws') + path;
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KefuCluster } from './processes.ts';
import { sleep, ThrowawayPostgres, ThrowawayRedis } from './services.ts';

export interface OutageReport {
  /** /healthz status codes seen while each service was down, and after it came back. */
  redisDown: number[];
  redisBack: number;
  postgresDown: number[];
  postgresBack: number;
  /** A visitor message sent after both outages was stored and acknowledged. */
  servesAfter: boolean;
  crashes: number;
  /** What each crashed process wrote last (empty when nothing crashed). */
  crashed: string[];
  unhandled: string[];
}

async function health(url: string): Promise<number> {
  return fetch(`${url}/healthz`, { signal: AbortSignal.timeout(4_000) }).then((r) => r.status, () => 0);
}

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(250);
  }
  return false;
}

/**
 * One `api` and one `worker` process while Redis, then PostgreSQL, stay away for `downMs`: the API
 * answers 503 on /healthz meanwhile, nothing exits, and both serve again once the service is back.
 */
export async function runOutage(downMs = 5_000): Promise<OutageReport> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-outage-'));
  const [postgres, redis] = await Promise.all([ThrowawayPostgres.start(), ThrowawayRedis.start()]);
  const cluster = new KefuCluster(
    {
      DATABASE_URL: postgres.url,
      DATABASE_SCHEMA: 'kefu',
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'outage',
      SESSION_SECRET: 'outage-secret'.padEnd(40, 'x'),
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'admin-password',
      LOG_LEVEL: 'warn',
      DATA_DIR: path.join(workDir, 'data'),
      KEFU_RECOVERY_SWEEP_MS: '500',
    },
    workDir,
  );
  try {
    await Promise.all([cluster.add('api', 'api'), cluster.add('worker', 'worker')]);
    // Running processes must ride out the outages; a start-up that meets one is another matter.
    await cluster.waitStarted();
    await cluster.waitHealthy();
    const url = cluster.apiUrls[0]!;
    const observe = async (down: () => Promise<void>, up: () => Promise<void>) => {
      await down();
      const seen: number[] = [];
      const end = Date.now() + downMs;
      while (Date.now() < end) {
        seen.push(await health(url));
        await sleep(500);
      }
      await up();
      const back = (await until(async () => (await health(url)) === 200, 30_000)) ? 200 : await health(url);
      return { seen, back };
    };
    const redisOutage = await observe(() => redis.down(), () => redis.up());
    const pgOutage = await observe(() => postgres.down(), () => postgres.up());
    const servesAfter = await until(async () => {
      const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'admin-password' }) }).catch(() => null);
      if (login?.status !== 200) return false;
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const channels = (await (await fetch(`${url}/api/channels`, { headers: { cookie } })).json()) as { items: { id: string; type: string }[] };
      const channelId = channels.items.find((c) => c.type === 'web')!.id;
      const session = await fetch(`${url}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channelId }) }).catch(() => null);
      if (!session?.ok) return false;
      const { visitorToken } = (await session.json()) as { visitorToken: string };
      const sent = await fetch(`${url}/api/widget/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${visitorToken}` },
        body: JSON.stringify({ clientMessageId: crypto.randomUUID(), kind: 'text', text: 'after the outages' }),
      }).catch(() => null);
      return !!sent && sent.status < 300;
    }, 30_000);
    return {
      redisDown: redisOutage.seen,
      redisBack: redisOutage.back,
      postgresDown: pgOutage.seen,
      postgresBack: pgOutage.back,
      servesAfter,
      crashes: cluster.crashes.length + cluster.startFailures.length,
      crashed: cluster.crashReports(),
      unhandled: cluster.crashLines(),
    };
  } finally {
    await cluster.stop();
    await Promise.all([redis.stop(), postgres.stop()]);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

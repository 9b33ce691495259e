/**
 * Routing figures (issue 3): queue_drain_s — 10,000 queued conversations, 500 online agents, two
 * worker instances draining; assigned_events_s — until every conversation.assigned reached the api
 * over the bus; over_limit and double_assigned after it; timer_delay_p99_ms — how late
 * delayed jobs fire while 50,000 timers are live. The queued conversations hold their 自动结单
 * timers from when they opened, as they would have; an assignment adds none. Needs PostgreSQL and
 * Redis (BENCH_DATABASE_URL / BENCH_REDIS_URL, default the local services). The api and both workers
 * run as separate Kefu instances in this one process, so they share its CPU (a 2-core machine runs
 * everything here).
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { markerKeyOf } from '../../infra/recovery-marker.ts';
import { armAutoCloseTimers } from './auto-close-timers.ts';

const queued = Number(process.env.BENCH_ROUTING_QUEUED ?? 10_000);
const agentCount = Number(process.env.BENCH_ROUTING_AGENTS ?? 500);
const timerCount = Number(process.env.BENCH_ROUTING_TIMERS ?? 50_000);

export async function benchRouting(): Promise<{
  queue_drain_s: number;
  assigned_events_s: number;
  over_limit: number;
  double_assigned: number;
  timer_delay_p99_ms: number;
}> {
  process.env.KEFU_TEST_DATABASE_URL ||= process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  process.env.KEFU_TEST_REDIS_URL ||= process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { startTestKefu, stopAndDrop } = await import('../support/harness.ts');
  const api = await startTestKefu({ role: 'api' });
  const reuse = (api as unknown as { reuse: { schema: string; prefix: string; dataDir: string } }).reuse;
  const workers = [await startTestKefu({ role: 'worker', reuse }), await startTestKefu({ role: 'worker', reuse })];
  const prisma = api.app.prisma;
  try {
    // The workers' first recovery sweep finds a new deployment's Redis without its marker and re-arms
    // from the database: let it finish on the empty database, as it does on a server's first start.
    const redis = new Redis(process.env.KEFU_TEST_REDIS_URL!);
    for (const until = Date.now() + 30_000; !(await redis.exists(markerKeyOf(reuse.prefix))) && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    redis.disconnect();
    const limit = Math.ceil(queued / agentCount);
    await prisma.$executeRawUnsafe(
      `INSERT INTO users (id, email, name, role, password_hash, status, auto_accept_limit, updated_at)
       SELECT gen_random_uuid(), 'bench' || g || '@example.com', 'bench' || g, 'agent', 'x', 'offline', $1, now() FROM generate_series(1, $2) g`,
      limit,
      agentCount,
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO visitors (id, channel_id, external_id) SELECT gen_random_uuid(), $1::uuid, 'bench-' || g FROM generate_series(1, $2) g`,
      api.webChannelId,
      queued,
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO conversations (id, channel_id, visitor_id, status, queued_at, updated_at)
       SELECT gen_random_uuid(), channel_id, id, 'queued', now() - (row_number() OVER ()) * interval '1 millisecond', now()
       FROM visitors WHERE external_id LIKE 'bench-%'`,
    );
    // Each conversation's 自动结单 timer, armed when it opened (long enough not to fire here).
    const conversationIds = (await prisma.conversation.findMany({ where: { status: 'queued' }, select: { id: true } })).map((c) => c.id);
    await armAutoCloseTimers(api.jobs, conversationIds, 10 * 60_000);

    // Everyone comes online at once; the drain starts from the agent.updated events and the sweep.
    // assigned_events_s: when the api process had seen every conversation.assigned on the bus.
    let assignedEvents = 0;
    let eventsDoneAt = Number.NaN;
    const unsubscribe = api.app.bus.subscribe((event) => {
      if (event.name === 'conversation.assigned' && ++assignedEvents === queued) eventsDoneAt = performance.now();
    });
    const started = performance.now();
    await prisma.user.updateMany({ where: { email: { startsWith: 'bench' } }, data: { status: 'online' } });
    await api.app.bus.publish({ name: 'agent.updated', agentId: crypto.randomUUID(), status: 'online', activeCount: 0, autoAcceptLimit: limit });
    for (;;) {
      const left = await prisma.conversation.count({ where: { status: 'queued' } });
      if (left === 0) break;
      if (performance.now() - started > 300_000) throw new Error(`queue not drained: ${left} left`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const queueDrainS = (performance.now() - started) / 1000;
    for (const until = Date.now() + 60_000; Number.isNaN(eventsDoneAt) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    unsubscribe();
    const eventsS = (eventsDoneAt - started) / 1000;
    const [over] = await prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM users WHERE active_count > auto_accept_limit`);
    const [doubles] = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM (SELECT conversation_id FROM conversation_events WHERE type = 'assigned' GROUP BY conversation_id HAVING count(*) > 1) d`,
    );

    // 50,000 live timers (due 8–13 s out) plus a probe set whose lateness is measured.
    const delays: number[] = [];
    const worker = workers[0];
    worker.jobs.register('bench-timer', async (payload) => {
      if (typeof payload.dueAt === 'number') delays.push(Date.now() - payload.dueAt);
      return {};
    }, 50);
    const base = Date.now();
    const batch = 500;
    for (let i = 0; i < timerCount; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, timerCount - i) }, (_, j) => {
          const delayMs = 8_000 + ((i + j) % 5_000);
          return api.jobs.enqueue('bench-timer', { dueAt: Date.now() + delayMs }, { jobId: `bench-timer-${i + j}`, delayMs });
        }),
      );
    }
    const enqueueS = (Date.now() - base) / 1000;
    const deadline = Date.now() + 120_000;
    while (delays.length < timerCount && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    delays.sort((a, b) => a - b);
    const p99 = delays.length ? delays[Math.min(delays.length - 1, Math.floor(delays.length * 0.99))] : Number.NaN;
    process.stderr.write(`routing bench: ${queued} queued / ${agentCount} agents drained in ${queueDrainS.toFixed(2)} s (events seen ${eventsS.toFixed(2)} s); ${timerCount} timers enqueued in ${enqueueS.toFixed(1)} s, ${delays.length} fired\n`);
    return {
      queue_drain_s: Number(queueDrainS.toFixed(2)),
      assigned_events_s: Number(eventsS.toFixed(2)),
      over_limit: Number(over.n),
      double_assigned: Number(doubles.n),
      timer_delay_p99_ms: Math.round(p99),
    };
  } finally {
    for (const w of workers) await w.stop();
    await stopAndDrop(api);
  }
}

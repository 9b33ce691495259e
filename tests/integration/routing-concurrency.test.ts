import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeWebMessage } from '../../connectors/web/normalize.ts';
import { startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { eventually, jobsRun, newChannel, onlyAgents } from './routing-support.ts';

describe('assignment under concurrency (two worker processes and manual picks)', () => {
  let api: TestKefu;
  const workers: TestKefu[] = [];

  beforeAll(async () => {
    api = await startTestKefu({ role: 'api' });
    if (!jobsRun(api)) return;
    const reuse = (api as unknown as { reuse: { schema: string; prefix: string; dataDir: string } }).reuse;
    workers.push(await startTestKefu({ role: 'worker', reuse }), await startTestKefu({ role: 'worker', reuse }));
  }, 60_000);
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await stopAndDrop(api);
  });

  it('never exceeds a limit, never assigns twice, and assigns every conversation once', async (ctx) => {
    if (!jobsRun(api)) ctx.skip();
    const channel = await newChannel(api, {});
    const agents = await onlyAgents(api, Array.from({ length: 50 }, (_, i) => ({ name: `c${i}`, limit: 1 + (i % 3) })));
    const limitOf = new Map(agents.map((a) => [a.id, a.autoAcceptLimit]));
    const total = 1000;
    let overLimitSeen = 0;
    let running = true;

    // Agents finish conversations as they get them, so capacity keeps freeing up and the queue keeps draining.
    const finisher = (async () => {
      while (running) {
        const assigned = await api.app.prisma.conversation.findMany({ where: { status: 'assigned' }, take: 40, orderBy: { assignedAt: 'asc' } });
        const counts = await api.app.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM users WHERE active_count > auto_accept_limit`);
        overLimitSeen += Number(counts[0].n);
        await Promise.all(assigned.map((c) => api.app.conversations.close(c.id, { type: 'system' }, 'done')));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // Agents also pick by hand from 排队客户 at the same time.
    let picks = 0;
    const picker = (async () => {
      while (running) {
        const queued = await api.app.prisma.conversation.findMany({ where: { status: 'queued' }, take: 5 });
        await Promise.all(
          queued.map(async (c) => {
            const agent = agents[crypto.randomInt(agents.length)];
            await api.app.conversations.assign(c.id, agent.id, { type: 'agent', id: agent.id, role: 'agent' }, 'pick').then(
              () => picks++,
              () => undefined,
            );
          }),
        );
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    const ids: string[] = [];
    for (let i = 0; i < total; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: 25 }, (_, j) =>
          api.app.conversations.receive(normalizeWebMessage(channel, `v-${i + j}-${crypto.randomUUID()}`, { type: 'send', clientMessageId: crypto.randomUUID(), kind: 'text', text: '转人工' } as never)),
        ),
      );
      ids.push(...batch.map((r) => r.conversation.id));
    }
    await eventually(async () => (await api.app.prisma.conversation.count({ where: { id: { in: ids }, status: 'queued' } })) === 0, 90_000, 200);
    running = false;
    await Promise.all([finisher, picker]);

    const assignedEvents = await api.app.prisma.$queryRawUnsafe<{ conversation_id: string; n: bigint }[]>(
      `SELECT conversation_id, count(*) AS n FROM conversation_events WHERE type = 'assigned' GROUP BY conversation_id`,
    );
    const perConversation = new Map(assignedEvents.map((r) => [r.conversation_id, Number(r.n)]));
    expect(ids.filter((id) => perConversation.get(id) !== 1)).toEqual([]);
    expect(overLimitSeen).toBe(0);
    const rows = await api.app.prisma.user.findMany({ where: { id: { in: agents.map((a) => a.id) } } });
    expect(rows.filter((r) => r.activeCount > limitOf.get(r.id)!)).toEqual([]);
    const open = await api.app.prisma.conversation.groupBy({ by: ['assigneeId'], where: { status: 'assigned' }, _count: true });
    expect(open.filter((g) => g.assigneeId && g._count > limitOf.get(g.assigneeId)!)).toEqual([]);
    expect(picks).toBeGreaterThan(0);
  }, 120_000);

  it('closes a conversation once when several processes close it at the same moment, with one close prompt', async () => {
    const channel = await newChannel(api, {});
    const { conversation } = await api.app.conversations.receive(
      normalizeWebMessage(channel, `twin-${crypto.randomUUID()}`, { type: 'send', clientMessageId: crypto.randomUUID(), kind: 'text', text: '你好' } as never),
    );
    const services = [api, ...workers].map((k) => k.app.conversations);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => services[i % services.length].closeOnce(conversation.id, { type: 'system', reason: 'timer' }, 'auto_close', { prompt: '会话超时结束' })),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const messages = await api.app.prisma.message.findMany({ where: { conversationId: conversation.id }, orderBy: { seq: 'asc' } });
    expect(messages.filter((m) => m.content === '会话超时结束')).toHaveLength(1);
    expect(messages.filter((m) => m.content === '会话已结束')).toHaveLength(1);
    expect(messages.at(-2)?.content).toBe('会话超时结束');
    expect(await api.app.prisma.conversationEvent.count({ where: { conversationId: conversation.id, type: 'closed' } })).toBe(1);
  });
});

import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../core/conversation/events.ts';
import type { BatchAssignOptions } from '../../core/conversation/store.ts';
import { PrismaConversationStore } from '../../infra/conversation-store.ts';
import { startTestKefu, stopAndDrop, testDatabaseUrl, type TestKefu } from '../support/harness.ts';
import { eventually, onlyAgents } from './routing-support.ts';

const records: BatchAssignOptions['records'] = ({ agentId, agentName }) => ({
  event: { type: 'assigned', fromStatus: 'queued', toStatus: 'assigned', actorType: 'system', actorId: null, data: { agentId, mode: 'auto' } },
  message: { sender: 'system', kind: 'event', content: `客服 ${agentName ?? ''} 为您服务`, data: { event: 'assigned', agentId }, deliveryStatus: 'sent' },
});

describe('assigning a planned batch (store.assignBatch)', () => {
  let kefu: TestKefu;
  let store: PrismaConversationStore;

  beforeAll(async () => {
    kefu = await startTestKefu({ role: 'api' });
    store = new PrismaConversationStore(kefu.app.prisma, kefu.app.db.sql, (fn) => kefu.app.db.transaction(fn));
  }, 60_000);
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  async function queue(n: number): Promise<string[]> {
    const tag = crypto.randomBytes(4).toString('hex');
    const rows = await kefu.app.prisma.$queryRawUnsafe<{ id: string }[]>(
      `WITH v AS (
         INSERT INTO visitors (id, channel_id, external_id)
         SELECT gen_random_uuid(), $1::uuid, $2 || '-' || g FROM generate_series(1, $3) g RETURNING id, channel_id, external_id)
       INSERT INTO conversations (id, channel_id, visitor_id, status, queued_at, updated_at)
       SELECT gen_random_uuid(), channel_id, id, 'queued', now(), now() FROM v ORDER BY external_id RETURNING id`,
      kefu.webChannelId,
      tag,
      n,
    );
    return rows.map((r) => r.id);
  }

  const assignedEvents = async (ids: string[]) =>
    kefu.app.prisma.conversationEvent.count({ where: { conversationId: { in: ids }, type: 'assigned' } });

  it('applies what fits and refuses the rest with a reason', async () => {
    const [a, b, off] = await onlyAgents(kefu, [
      { name: 'ba', limit: 2 },
      { name: 'bb', limit: 3 },
      { name: 'boff', limit: 3, status: 'offline' },
    ]);
    await kefu.app.prisma.user.update({ where: { id: b.id }, data: { activeCount: 2 } });
    const ids = await queue(7);
    // Taken meanwhile by someone else.
    await kefu.app.prisma.conversation.update({ where: { id: ids[5] }, data: { status: 'assigned', assigneeId: b.id } });

    const result = await store.assignBatch(
      [
        { conversationId: ids[0], agentId: a.id },
        { conversationId: ids[1], agentId: a.id },
        { conversationId: ids[2], agentId: a.id },
        { conversationId: ids[3], agentId: b.id },
        { conversationId: ids[4], agentId: b.id },
        { conversationId: ids[5], agentId: a.id },
        { conversationId: ids[6], agentId: off.id },
        { conversationId: ids[0], agentId: b.id },
      ],
      { from: ['queued'], records },
    );

    expect(result.applied.map((x) => [x.conversation.id, x.conversation.assigneeId])).toEqual([
      [ids[0], a.id],
      [ids[1], a.id],
      [ids[3], b.id],
    ]);
    expect(result.refused.map((r) => [r.conversationId, r.reason])).toEqual([
      [ids[2], 'over_limit'],
      [ids[4], 'over_limit'],
      [ids[5], 'conversation_state'],
      [ids[6], 'agent_unavailable'],
      [ids[0], 'conversation_state'],
    ]);
    const first = result.applied[0];
    expect(first.conversation).toMatchObject({ status: 'assigned', assigneeName: 'ba', reachedHuman: true, priority: 0 });
    expect(first.conversation.visitor.lastAgentId).toBe(a.id);
    expect(first.message).toMatchObject({ conversationId: ids[0], sender: 'system', kind: 'event', content: '客服 ba 为您服务' });
    const stored = await kefu.app.prisma.message.findUniqueOrThrow({ where: { id: first.message.id } });
    expect(first.message.createdAt.getTime()).toBe(stored.createdAt.getTime());
    expect(Math.abs(first.message.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(first.conversation.visitor.lastAgentAt?.getTime()).toBe(first.conversation.assignedAt?.getTime());
    expect(result.applied.map((x) => x.message.seq)).toEqual([...result.applied.map((x) => x.message.seq)].sort((x, y) => x - y));

    const users = await kefu.app.prisma.user.findMany({ where: { id: { in: [a.id, b.id, off.id] } } });
    expect(Object.fromEntries(users.map((u) => [u.name, u.activeCount]))).toEqual({ ba: 2, bb: 3, boff: 0 });
    const rows = await kefu.app.prisma.conversation.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    expect(rows.filter((r) => r.status === 'queued').map((r) => r.id).sort()).toEqual([ids[2], ids[4], ids[6]].sort());
    expect(await assignedEvents(ids)).toBe(3);
    expect(await kefu.app.prisma.message.count({ where: { conversationId: { in: ids } } })).toBe(3);
  });

  // The embedded database serves one connection at a time: nobody else can hold a row while a batch runs.
  it.skipIf(!testDatabaseUrl)('skips a conversation or an agent someone else is changing instead of waiting for it', async () => {
    const [a, b] = await onlyAgents(kefu, [
      { name: 'bl', limit: 5 },
      { name: 'bm', limit: 5 },
    ]);
    const ids = await queue(3);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = kefu.app.db.transaction(async (tx) => {
      await tx.query(`SELECT id FROM conversations WHERE id = $1::uuid FOR UPDATE`, [ids[0]]);
      await tx.query(`UPDATE users SET active_count = active_count WHERE id = $1::uuid`, [b.id]);
      locked();
      await held;
    });
    await isLocked;
    const result = await store.assignBatch(
      [
        { conversationId: ids[0], agentId: a.id },
        { conversationId: ids[1], agentId: a.id },
        { conversationId: ids[2], agentId: b.id },
      ],
      { from: ['queued'], records },
    );
    release();
    await holder;
    expect(result.applied.map((x) => x.conversation.id)).toEqual([ids[1]]);
    expect(result.refused).toEqual([
      { conversationId: ids[0], agentId: a.id, reason: 'conversation_state' },
      { conversationId: ids[2], agentId: b.id, reason: 'agent_busy' },
    ]);
    const users = await kefu.app.prisma.user.findMany({ where: { id: { in: [a.id, b.id] } }, orderBy: { name: 'asc' } });
    expect(users.map((u) => u.activeCount)).toEqual([1, 0]);
  });

  it('stays within the limits and assigns once under concurrent batches and manual picks', async () => {
    const agents = await onlyAgents(kefu, Array.from({ length: 6 }, (_, i) => ({ name: `bc${i}`, limit: 1 + (i % 3) })));
    const slots = agents.reduce((n, a) => n + a.autoAcceptLimit, 0);
    const ids = await queue(40);
    const plan = (offset: number) => ids.map((id, i) => ({ conversationId: id, agentId: agents[(i + offset) % agents.length].id }));
    const picks = ids.slice(0, 20).map((id, i) => {
      const agent = agents[(i * 5) % agents.length];
      return kefu.app.conversations.assign(id, agent.id, { type: 'agent', id: agent.id, role: 'agent' }, 'pick').then(
        () => 1,
        () => 0,
      );
    });
    const [one, two, three] = await Promise.all([
      store.assignBatch(plan(0), { from: ['queued'], records }),
      store.assignBatch(plan(1), { from: ['queued'], records }),
      store.assignBatch(plan(2), { from: ['queued'], records }),
    ]);
    const picked = (await Promise.all(picks)).reduce((n, x) => n + x, 0);
    const applied = [...one.applied, ...two.applied, ...three.applied].map((x) => x.conversation.id);
    expect(new Set(applied).size).toBe(applied.length);
    expect(applied.length + picked).toBeLessThanOrEqual(slots);

    const perConversation = await kefu.app.prisma.conversationEvent.groupBy({ by: ['conversationId'], where: { conversationId: { in: ids }, type: 'assigned' }, _count: true });
    expect(perConversation.filter((g) => g._count > 1)).toEqual([]);
    expect(perConversation).toHaveLength(applied.length + picked);
    const users = await kefu.app.prisma.user.findMany({ where: { id: { in: agents.map((a) => a.id) } } });
    const open = await kefu.app.prisma.conversation.groupBy({ by: ['assigneeId'], where: { id: { in: ids }, status: 'assigned' }, _count: true });
    const openOf = new Map(open.map((g) => [g.assigneeId, g._count]));
    for (const user of users) {
      expect(user.activeCount).toBeLessThanOrEqual(user.autoAcceptLimit);
      expect(user.activeCount).toBe(openOf.get(user.id) ?? 0);
    }
  });

  it('emits conversation.assigned and message.created for each applied conversation only', async () => {
    const [a] = await onlyAgents(kefu, [{ name: 'be', limit: 2 }]);
    const ids = await queue(3);
    const seen: { name: DomainEvent['name']; conversationId: string }[] = [];
    const unsubscribe = kefu.app.bus.subscribe((event) => {
      if ('conversation' in event && ids.includes(event.conversation.id)) seen.push({ name: event.name, conversationId: event.conversation.id });
    });
    try {
      const outcome = await kefu.app.conversations.assignMany(
        ids.map((id) => ({ conversationId: id, agentId: a.id })),
        { type: 'system', reason: 'assignment' },
        'auto',
      );
      await outcome.published;
      expect(outcome.applied.map((x) => x.conversation.id)).toEqual(ids.slice(0, 2));
      expect(outcome.refused.map((r) => r.reason)).toEqual(['over_limit']);
      await eventually(async () => seen.length >= 4);
      const names = (id: string) => seen.filter((e) => e.conversationId === id).map((e) => e.name);
      expect(names(ids[0])).toEqual(['conversation.assigned', 'message.created']);
      expect(names(ids[1])).toEqual(['conversation.assigned', 'message.created']);
      expect(names(ids[2])).toEqual([]);
    } finally {
      unsubscribe();
    }
  });
});

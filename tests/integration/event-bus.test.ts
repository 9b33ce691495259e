import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../core/conversation/events.ts';
import { RedisEventBus } from '../../infra/event-bus.ts';
import { testRedisUrl } from '../support/harness.ts';

const redisUrl = testRedisUrl;

describe.skipIf(!redisUrl)('the Redis event bus', () => {
  const prefix = `bus-${crypto.randomBytes(4).toString('hex')}`;
  const buses: RedisEventBus[] = [];
  const open = (options?: { conversationEvents?: boolean }) => {
    const bus = new RedisEventBus(redisUrl!, prefix, options);
    buses.push(bus);
    return bus;
  };
  afterAll(async () => {
    for (const bus of buses) await bus.close();
  });

  const notice = (n: number): DomainEvent => ({ name: 'notice', audience: 'admins', kind: 'test', payload: { n } });
  const typing = (n: number) => ({ name: 'conversation.typing', conversation: { id: `c${n}` }, from: 'agent' }) as unknown as DomainEvent;
  const message = (n: number) => ({ name: 'message.created', conversation: { id: `c${n}` }, message: { id: `m${n}`, seq: n } }) as unknown as DomainEvent;

  function collect(bus: RedisEventBus): DomainEvent[] {
    const seen: DomainEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    return seen;
  }

  async function until(check: () => boolean) {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  }

  it('delivers a burst published in one turn, in order, to every process', async () => {
    const api = open();
    const other = open();
    const seen = collect(other);
    await Promise.all([api.publish(notice(0)), other.publish(notice(-1))]);
    await until(() => seen.length >= 2);
    seen.length = 0;
    await Promise.all(Array.from({ length: 600 }, (_, n) => api.publish(message(n))));
    await until(() => seen.length >= 600);
    expect(seen.map((e) => (e as { message: { seq: number } }).message.seq)).toEqual(Array.from({ length: 600 }, (_, n) => n));
  });

  it('spares a worker conversation and message traffic but not control events', async () => {
    const api = open();
    const worker = open({ conversationEvents: false });
    const seen = collect(worker);
    await api.publish(notice(0));
    await until(() => seen.length >= 1);
    seen.length = 0;
    await Promise.all([api.publish(message(1)), api.publish(typing(2)), api.publish(notice(3)), api.publish({ name: 'agent.updated', agentId: 'a', status: 'online', activeCount: 0, autoAcceptLimit: 3 })]);
    await until(() => seen.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.map((e) => e.name).sort()).toEqual(['agent.updated', 'conversation.typing', 'notice']);
  });

  it('hands a process its own events directly and once, in publish order, as JSON', async () => {
    const api = open();
    const other = open();
    const own = collect(api);
    const theirs = collect(other);
    const sentAt = new Date('2026-01-02T03:04:05.000Z');
    const events = Array.from({ length: 300 }, (_, n) => ({ ...message(n), at: sentAt }) as unknown as DomainEvent);
    await Promise.all(events.map((event) => api.publish(event)));
    // Already there when the publish is done: no wait for Redis to send them back.
    expect(own.map((e) => (e as { message: { seq: number } }).message.seq)).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect((own[0] as unknown as { at: unknown }).at).toBe('2026-01-02T03:04:05.000Z');
    await until(() => theirs.length >= 300);
    // Redis sent them back too; they are not handed over a second time.
    await new Promise((r) => setTimeout(r, 100));
    expect(own).toHaveLength(300);
    expect(theirs).toHaveLength(300);
  });

  it('hands a worker its own control events but not its own message events', async () => {
    const worker = open({ conversationEvents: false });
    const seen = collect(worker);
    await Promise.all([worker.publish(message(1)), worker.publish(notice(2))]);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.map((e) => e.name)).toEqual(['notice']);
  });
});

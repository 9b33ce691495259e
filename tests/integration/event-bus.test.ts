import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../core/conversation/bus-events.ts';
import type { DomainEvent } from '../../core/conversation/events.ts';
import { InProcessEventBus, RedisEventBus } from '../../infra/event-bus.ts';
import { onPath, ThrowawayRedis } from '../chaos/services.ts';
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

  function collect(bus: RedisEventBus): BusEvent[] {
    const seen: BusEvent[] = [];
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
    const events = Array.from({ length: 300 }, (_, n) => {
      const event = message(n) as unknown as { message: Record<string, unknown> };
      return { ...event, message: { ...event.message, createdAt: sentAt } } as unknown as DomainEvent;
    });
    await Promise.all(events.map((event) => api.publish(event)));
    // Already there when the publish is done: no wait for Redis to send them back.
    expect(own.map((e) => (e as { message: { seq: number } }).message.seq)).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect((own[0] as unknown as { message: { createdAt: unknown } }).message.createdAt).toBe('2026-01-02T03:04:05.000Z');
    await until(() => theirs.length >= 300);
    // Redis sent them back too; they are not handed over a second time.
    await new Promise((r) => setTimeout(r, 100));
    expect(own).toHaveLength(300);
    expect(theirs).toHaveLength(300);
  });

  it('sends an event as it was when published, whatever its objects become afterwards', async () => {
    const api = open();
    const other = open();
    const own = collect(api);
    const theirs = collect(other);
    const event = notice(1) as { payload: Record<string, unknown> };
    const published = api.publish(event as DomainEvent);
    event.payload.n = 2;
    await published;
    await until(() => theirs.length >= 1);
    expect((own[0] as { payload: unknown }).payload).toEqual({ n: 1 });
    expect((theirs[0] as { payload: unknown }).payload).toEqual({ n: 1 });
  });

  it('hands a worker its own control events but not its own message events', async () => {
    const worker = open({ conversationEvents: false });
    const seen = collect(worker);
    await Promise.all([worker.publish(message(1)), worker.publish(notice(2))]);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.map((e) => e.name)).toEqual(['notice']);
  });
});

describe.skipIf(!onPath('redis-server'))('the Redis event bus across Redis outages', () => {
  it('tells its subscribers each time it connects, the first time included', async () => {
    const redis = await ThrowawayRedis.start();
    await redis.down();
    // A process started while Redis is away: sockets may connect before the bus hears anything.
    const bus = new RedisEventBus(redis.url, 'outage');
    let connects = 0;
    bus.onReconnect(() => connects++);
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(connects).toBe(0);
      await redis.up();
      for (let i = 0; i < 300 && connects < 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(connects).toBe(1);
      await redis.restart(100);
      for (let i = 0; i < 300 && connects < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(connects).toBe(2);
    } finally {
      await bus.close();
      await redis.stop();
    }
  });
});

/** A message event as the conversation service emits it: the whole conversation, visitor included. */
function fullMessageEvent(): DomainEvent {
  const visitor = { id: 'v1', channelId: 'ch1', externalId: 'x', name: '张三', avatarUrl: null, profile: { ip: '127.0.0.1' }, contact: {}, firstSeenAt: new Date(0), lastAgentId: null, lastAgentAt: null };
  const conversation = {
    id: 'c1', channelId: 'ch1', channelType: 'web', visitorId: 'v1', visitor, status: 'assigned', assigneeId: 'a1', assigneeName: '客服一',
    priority: 0, queuedAt: new Date(1000), assignedAt: new Date(2000), closedAt: null, lastVisitorMessageAt: null, lastAgentMessageAt: null,
    lastMessageAt: null, lastMessagePreview: '你好', closeReason: null, reachedHuman: true, botMisses: 0, sentSinceVisitor: 0, unreadCount: 1,
    state: {}, createdAt: new Date(0),
  };
  const message = { id: 'm1', seq: 7, conversationId: 'c1', channelId: 'ch1', sender: 'visitor', senderId: 'v1', senderName: null, kind: 'text', content: '你好', mediaUrl: null };
  return { name: 'message.created', conversation, message } as unknown as DomainEvent;
}

const routingFields = { id: 'c1', channelId: 'ch1', channelType: 'web', visitorId: 'v1', status: 'assigned', assigneeId: 'a1', queuedAt: new Date(1000).toISOString() };

describe('message events on the bus', () => {
  it('carry the message whole and of the conversation what routes it, in process', async () => {
    const bus = new InProcessEventBus();
    const seen: BusEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    await bus.publish(fullMessageEvent());
    expect(seen).toEqual([{ name: 'message.created', conversation: routingFields, message: (fullMessageEvent() as { message: unknown }).message }]);
  });

  it.skipIf(!redisUrl)('carry the same between processes', async () => {
    const prefix = `bus-${crypto.randomBytes(4).toString('hex')}`;
    const [api, other] = [new RedisEventBus(redisUrl!, prefix), new RedisEventBus(redisUrl!, prefix)];
    try {
      const seen: BusEvent[] = [];
      other.subscribe((event) => seen.push(event));
      await other.publish({ name: 'notice', audience: 'admins', kind: 'ready', payload: {} });
      await api.publish(fullMessageEvent());
      for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen[1]).toEqual({ name: 'message.created', conversation: routingFields, message: (fullMessageEvent() as { message: unknown }).message });
    } finally {
      await api.close();
      await other.close();
    }
  });
});

import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { toBusEvent, type BusEvent } from '../core/conversation/bus-events.ts';
import type { DomainEvent } from '../core/conversation/events.ts';
import type { EventBus } from '../core/ports.ts';

/** Events stay in this process: the embedded, single-process mode. */
export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(event: DomainEvent): Promise<void> {
    // A JSON round trip gives subscribers the same shape they would get over Redis.
    this.emitter.emit('event', JSON.parse(JSON.stringify(toBusEvent(event))));
  }

  subscribe(handler: (event: BusEvent) => void): () => void {
    this.emitter.on('event', handler);
    return () => this.emitter.off('event', handler);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** Events published in one turn of the event loop go out as one PUBLISH (a JSON array), at most this many. */
const EVENTS_PER_PUBLISH = 256;

/** Each process tags what it publishes, so it can skip its own events when Redis sends them back. */
const ORIGIN_BYTES = 12;

interface Outgoing {
  channel: string;
  /** The event as it was when published (later changes to the objects do not travel). */
  json: string;
  resolve(): void;
  reject(error: unknown): void;
}

/** Events every process reacts to (settings and agent changes, typing forwarded to channels). */
const isControlEvent = (event: DomainEvent) => event.name === 'notice' || event.name === 'agent.updated' || event.name === 'conversation.typing';

export interface RedisEventBusOptions {
  /**
   * Receive conversation and message events (what sockets are told). Worker processes hold no
   * sockets and say false: they then only receive control events, not every message's traffic.
   */
  conversationEvents?: boolean;
}

/**
 * Events fan out to every process through Redis pub/sub: conversation and message events on one
 * channel, control events on another. The events one turn of the event loop publishes travel
 * together, in order, as one message per channel: a busy process sends a few PUBLISH commands a
 * turn instead of one per event.
 *
 * The publishing process hands its own events to its subscribers directly, in publish order and
 * in the shape they have after the trip through Redis (a JSON round trip), and skips them when
 * Redis sends them back: its sockets hear of a message without waiting for Redis, even when Redis
 * is away.
 */
export class RedisEventBus implements EventBus {
  private outgoing: Outgoing[] = [];
  private flushScheduled = false;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly eventsChannel: string;
  private readonly controlChannel: string;
  private readonly subscribed: Set<string>;
  private readonly origin = Buffer.from(crypto.randomBytes(ORIGIN_BYTES / 2).toString('hex'));
  private ready: Promise<unknown>;
  private readonly reconnectHandlers = new Set<() => void>();

  constructor(redisUrl: string, prefix: string, options: RedisEventBusOptions = {}) {
    this.eventsChannel = `${prefix}:events`;
    this.controlChannel = `${prefix}:control`;
    this.subscribed = new Set(options.conversationEvents === false ? [this.controlChannel] : [this.controlChannel, this.eventsChannel]);
    // Auto-pipelining: the events of one busy moment go to Redis in one write, in publish order.
    this.publisher = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false, enableAutoPipelining: true });
    this.subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
    // Buffers, not strings: what this process published itself is recognised by its first bytes and never decoded.
    this.subscriber.on('messageBuffer', (_channel: Buffer, payload: Buffer) => {
      if (payload.length < ORIGIN_BYTES || this.origin.compare(payload, 0, ORIGIN_BYTES) === 0) return;
      let parsed: BusEvent | BusEvent[];
      try {
        parsed = JSON.parse(payload.toString('utf8', ORIGIN_BYTES)) as BusEvent | BusEvent[];
      } catch {
        return; // Not an event of ours.
      }
      this.deliver(parsed);
    });
    this.publisher.on('error', () => undefined);
    this.subscriber.on('error', () => undefined);
    this.ready = this.subscriber.subscribe(...this.subscribed);
    // ioredis subscribes again on every reconnection; what was published in between is gone. The first
    // connection counts too: a process started while Redis was away may hold sockets before it hears anything.
    this.subscriber.on('ready', () => {
      for (const handler of this.reconnectHandlers) handler();
    });
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  async publish(event: DomainEvent): Promise<void> {
    const json = JSON.stringify(toBusEvent(event));
    await this.ready;
    return new Promise<void>((resolve, reject) => {
      this.outgoing.push({ channel: isControlEvent(event) ? this.controlChannel : this.eventsChannel, json, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const all = this.outgoing;
    this.outgoing = [];
    for (const channel of [this.controlChannel, this.eventsChannel]) {
      const mine = all.filter((o) => o.channel === channel);
      for (let at = 0; at < mine.length; at += EVENTS_PER_PUBLISH) this.send(channel, mine.slice(at, at + EVENTS_PER_PUBLISH));
    }
  }

  private send(channel: string, batch: Outgoing[]): void {
    const json = batch.length === 1 ? batch[0].json : `[${batch.map((o) => o.json).join(',')}]`;
    // One encoding to bytes, used for the PUBLISH as it is.
    const payload = Buffer.allocUnsafe(ORIGIN_BYTES + Buffer.byteLength(json));
    this.origin.copy(payload, 0);
    payload.write(json, ORIGIN_BYTES);
    this.publisher.publish(channel, payload).then(
      () => batch.forEach((o) => o.resolve()),
      (error: unknown) => batch.forEach((o) => o.reject(error)),
    );
    if (this.subscribed.has(channel)) this.deliver(JSON.parse(json) as BusEvent | BusEvent[]);
  }

  private deliver(parsed: BusEvent | BusEvent[]): void {
    if (Array.isArray(parsed)) for (const event of parsed) this.emitter.emit('event', event);
    else this.emitter.emit('event', parsed);
  }

  subscribe(handler: (event: BusEvent) => void): () => void {
    this.emitter.on('event', handler);
    return () => this.emitter.off('event', handler);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
    this.reconnectHandlers.clear();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}

import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { DomainEvent } from '../core/conversation/events.ts';
import type { EventBus } from '../core/ports.ts';

/** Events stay in this process: the embedded, single-process mode. */
export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(event: DomainEvent): Promise<void> {
    // A JSON round trip gives subscribers the same shape they would get over Redis.
    this.emitter.emit('event', JSON.parse(JSON.stringify(event)));
  }

  subscribe(handler: (event: DomainEvent) => void): () => void {
    this.emitter.on('event', handler);
    return () => this.emitter.off('event', handler);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** Events fan out to every process through one Redis pub/sub channel. */
export class RedisEventBus implements EventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly channel: string;
  private ready: Promise<unknown>;
  private readonly reconnectHandlers = new Set<() => void>();

  constructor(redisUrl: string, prefix: string) {
    this.channel = `${prefix}:events`;
    // Auto-pipelining: the events of one busy moment go to Redis in one write, in publish order.
    this.publisher = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false, enableAutoPipelining: true });
    this.subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.subscriber.on('message', (_channel: string, payload: string) => {
      this.emitter.emit('event', JSON.parse(payload));
    });
    this.publisher.on('error', () => undefined);
    this.subscriber.on('error', () => undefined);
    this.ready = this.subscriber.subscribe(this.channel);
    // ioredis subscribes again on every reconnection; what was published in between is gone.
    let connectedBefore = false;
    this.subscriber.on('ready', () => {
      if (connectedBefore) for (const handler of this.reconnectHandlers) handler();
      connectedBefore = true;
    });
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  async publish(event: DomainEvent): Promise<void> {
    await this.ready;
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  subscribe(handler: (event: DomainEvent) => void): () => void {
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

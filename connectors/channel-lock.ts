import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A named lease held by one process at a time: Redis `SET NX PX` renewed while held (so a dead holder
 * loses it after `ttlMs`), or an in-process table when Kefu runs as one embedded process.
 */
export interface ChannelLock {
  /**
   * Takes the lease if free; returns a release function, or null when someone else holds it.
   * `onLost` runs if a renewal finds the lease gone or taken over (the holder must stop its work).
   */
  tryAcquire(name: string, ttlMs?: number, onLost?: () => void): Promise<(() => Promise<void>) | null>;
}

/** Runs `work` under the lease, waiting up to `waitMs` for it; throws when it stays taken (the job retries). */
export async function withLock<T>(lock: ChannelLock, name: string, work: () => Promise<T>, waitMs = 20_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const release = await lock.tryAcquire(name);
    if (release) {
      try {
        return await work();
      } finally {
        await release();
      }
    }
    if (Date.now() > deadline) throw new Error(`lock ${name} is busy`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class MemoryChannelLock implements ChannelLock {
  readonly #held = new Set<string>();

  async tryAcquire(name: string): Promise<(() => Promise<void>) | null> {
    if (this.#held.has(name)) return null;
    this.#held.add(name);
    return async () => void this.#held.delete(name);
  }
}

const releaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const renewScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

export class RedisChannelLock implements ChannelLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async tryAcquire(name: string, ttlMs = 30_000, onLost?: () => void): Promise<(() => Promise<void>) | null> {
    const key = `${this.prefix}:lock:${name}`;
    const owner = randomUUID();
    if ((await this.redis.set(key, owner, 'PX', ttlMs, 'NX')) !== 'OK') return null;
    const timer = setInterval(() => {
      this.redis
        .eval(renewScript, 1, key, owner, String(ttlMs))
        .then((renewed) => {
          if (renewed === 0) {
            clearInterval(timer);
            onLost?.();
          }
        })
        // A failed renewal is retried on the next tick; the TTL covers two more tries.
        .catch(() => undefined);
    }, Math.max(1000, Math.floor(ttlMs / 3)));
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.redis.eval(releaseScript, 1, key, owner);
    };
  }

}

import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
import { AppError } from '../core/errors.ts';

export interface RateLimitSpec {
  points: number;
  durationSeconds: number;
}

const specs = {
  login: { points: 10, durationSeconds: 60 },
  widgetSession: { points: 30, durationSeconds: 60 },
  visitorMessage: { points: 60, durationSeconds: 10 },
} satisfies Record<string, RateLimitSpec>;

export type RateLimitName = keyof typeof specs;

/** Abuse limits, shared across processes through Redis when configured. */
export class RateLimits {
  private readonly limiters = new Map<RateLimitName, RateLimiterAbstract>();
  private readonly redis?: Redis;

  constructor(options: { redisUrl?: string; prefix: string; multiplier?: number; overrides?: Partial<Record<RateLimitName, RateLimitSpec>> }) {
    if (options.redisUrl) {
      // Auto-pipelining: the checks of one busy moment go to Redis in one write.
      this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true });
      this.redis.on('error', () => undefined);
    }
    for (const [name, base] of Object.entries(specs) as [RateLimitName, RateLimitSpec][]) {
      const spec = options.overrides?.[name] ?? base;
      const opts = { points: Math.ceil(spec.points * (options.multiplier ?? 1)), duration: spec.durationSeconds, keyPrefix: `${options.prefix}-rl-${name}` };
      this.limiters.set(name, this.redis ? new RateLimiterRedis({ ...opts, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(opts) }) : new RateLimiterMemory(opts));
    }
  }

  /** Consumes one point; over the limit → AppError rate_limited with retryAfter seconds. */
  async consume(name: RateLimitName, key: string): Promise<void> {
    try {
      await this.limiters.get(name)!.consume(key);
    } catch (result) {
      if (result instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
        throw new AppError('rate_limited', { userMessage: `Too many requests; try again in ${retryAfter} s.`, details: { retryAfter } });
      }
      throw result;
    }
  }

  async reset(name: RateLimitName, key: string): Promise<void> {
    await this.limiters.get(name)!.delete(key);
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }
}

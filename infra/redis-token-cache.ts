import type { Redis } from 'ioredis';
import type { TokenCache } from '../connectors/wechat-common/token-cache.ts';

/**
 * Access tokens in Redis, so every api and worker process uses the one token per app: WeChat
 * rate-limits issuance and the Official Account invalidates the previous token on a new one.
 */
export class RedisTokenCache implements TokenCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}:token:${key}`)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(`${this.prefix}:token:${key}`, value, 'EX', Math.max(1, Math.floor(ttlSeconds)));
  }
}

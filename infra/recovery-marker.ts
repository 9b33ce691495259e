import crypto from 'node:crypto';
import { Redis } from 'ioredis';

/** Sets the marker only if the re-arm that began with this token is still the latest one and Redis kept it. */
const finishScript = `if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('set', KEYS[2], ARGV[2])
  redis.call('del', KEYS[1])
  return 1
end
return 0`;

/**
 * The layout of the timers the marker vouches for. A release that arms them differently gets a new
 * one, so its first sweep finds no marker and re-arms every conversation once (2: the 自动结单 timer
 * runs through the queue, so a conversation queued under an older release gets one before it is
 * assigned).
 */
const TIMER_LAYOUT = 2;

/** The marker's key under a deployment's prefix. */
export const markerKeyOf = (prefix: string) => `${prefix}:recovery:marker:${TIMER_LAYOUT}`;

/**
 * Tells whether Redis lost its data since the job queue was last known complete. A marker key under
 * the deployment's prefix is written once the timers have been re-armed from the database; when it
 * is missing (a Redis restart without persistence, a flush, a fail-over to an empty replica) the
 * queue's jobs are gone too. The marker is written only if Redis kept the re-arm's own token through
 * the whole re-arm, so data lost again half-way makes the next sweep start over.
 */
export class RedisDataMarker {
  private readonly redis: Redis;
  private readonly markerKey: string;
  private readonly rearmKey: string;

  constructor(redisUrl: string, prefix: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    this.redis.on('error', () => undefined);
    this.markerKey = markerKeyOf(prefix);
    this.rearmKey = `${prefix}:recovery:rearming`;
  }

  async present(): Promise<boolean> {
    await this.connected();
    return (await this.redis.exists(this.markerKey)) === 1;
  }

  /** Starts a re-arm; returns its token for `finish`. */
  async begin(): Promise<string> {
    await this.connected();
    const token = crypto.randomUUID();
    await this.redis.set(this.rearmKey, token);
    return token;
  }

  /** True when the marker was written (Redis kept everything since `begin`). */
  async finish(token: string): Promise<boolean> {
    await this.connected();
    return (await this.redis.eval(finishScript, 2, this.rearmKey, this.markerKey, token, new Date().toISOString())) === 1;
  }

  /** Removes the marker, as a data loss would. */
  async clear(): Promise<void> {
    await this.connected();
    await this.redis.del(this.markerKey);
  }

  private async connected(): Promise<void> {
    if (this.redis.status === 'wait') await this.redis.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

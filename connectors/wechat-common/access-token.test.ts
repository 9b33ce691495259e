import { describe, it, expect } from 'vitest';
import { AccessTokenProvider } from './access-token.ts';
import { WechatApiError } from './errcodes.ts';
import { MemoryTokenCache } from './token-cache.ts';

function counterFetcher() {
  const calls: boolean[] = [];
  const fetcher = async ({ force }: { force: boolean }) => {
    calls.push(force);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { accessToken: `t${calls.length}`, expiresIn: 7200 };
  };
  return { calls, fetcher };
}

describe('AccessTokenProvider', () => {
  it('fetches once for concurrent callers', async () => {
    const { calls, fetcher } = counterFetcher();
    const provider = new AccessTokenProvider(new MemoryTokenCache(), 'k', fetcher);
    const tokens = await Promise.all([provider.get(), provider.get(), provider.get()]);
    expect(tokens).toEqual(['t1', 't1', 't1']);
    expect(calls).toHaveLength(1);
  });

  it('uses a token another process already stored instead of fetching', async () => {
    const cache = new MemoryTokenCache();
    await cache.set('k', 'from-elsewhere', 100);
    const { calls, fetcher } = counterFetcher();
    expect(await new AccessTokenProvider(cache, 'k', fetcher).get()).toBe('from-elsewhere');
    expect(calls).toEqual([]);
  });

  it('on refresh, takes a replacement already in the cache rather than fetching again', async () => {
    const cache = new MemoryTokenCache();
    const { calls, fetcher } = counterFetcher();
    const provider = new AccessTokenProvider(cache, 'k', fetcher);
    await cache.set('k', 'replaced', 100);
    expect(await provider.refresh('stale')).toBe('replaced');
    expect(calls).toEqual([]);
  });

  it('retries a call once with a fresh token on 42001, and not on other errors', async () => {
    const { fetcher } = counterFetcher();
    const provider = new AccessTokenProvider(new MemoryTokenCache(), 'k', fetcher);
    const seen: string[] = [];
    const result = await provider.withToken(async (token) => {
      seen.push(token);
      if (seen.length === 1) throw new WechatApiError('/x', 42001, 'expired');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(seen).toEqual(['t1', 't2']);

    let attempts = 0;
    await expect(
      provider.withToken(async () => {
        attempts += 1;
        throw new WechatApiError('/x', 45015, 'window');
      }),
    ).rejects.toMatchObject({ errcode: 45015 });
    expect(attempts).toBe(1);
  });

  it('forces a new token when the platform hands back the same refused one', async () => {
    const forced: boolean[] = [];
    const provider = new AccessTokenProvider(new MemoryTokenCache(), 'k', async ({ force }) => {
      forced.push(force);
      return { accessToken: force ? 'new' : 'same', expiresIn: 7200 };
    });
    expect(await provider.refresh('same')).toBe('new');
    expect(forced).toEqual([false, true]);
  });
});

describe('MemoryTokenCache', () => {
  it('forgets a value after its TTL', async () => {
    let now = 1_000;
    const cache = new MemoryTokenCache(() => now);
    await cache.set('k', 'v', 10);
    expect(await cache.get('k')).toBe('v');
    now += 10_000;
    expect(await cache.get('k')).toBeUndefined();
  });
});

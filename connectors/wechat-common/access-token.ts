import type { TokenCache } from './token-cache.ts';
import { WechatApiError, isTokenInvalid } from './errcodes.ts';

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

/** Fetches a fresh token from the platform; `force` asks for a new one even if the platform would reuse it. */
export type TokenFetcher = (options: { force: boolean }) => Promise<IssuedToken>;

/** Tokens are refreshed this long before WeChat says they expire. */
const safetyMarginSeconds = 300;

/**
 * Access tokens for one app, shared across processes through a `TokenCache`. Calls made through
 * `withToken` that fail with 40014 / 42001 / 40001 / 41001 get a fresh token and are retried once.
 * When another process has already replaced the failing token, its replacement is used instead of
 * fetching again (WeChat rate-limits token issuance).
 */
export class AccessTokenProvider {
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly cache: TokenCache,
    private readonly key: string,
    private readonly fetchToken: TokenFetcher,
  ) {}

  async get(): Promise<string> {
    return (await this.cache.get(this.key)) ?? this.#issue(false);
  }

  /** A token other than `stale`: the cached one if another caller already replaced it, else a new one. */
  async refresh(stale: string): Promise<string> {
    const cached = await this.cache.get(this.key);
    if (cached && cached !== stale) return cached;
    const fresh = await this.#issue(false);
    return fresh !== stale ? fresh : this.#issue(true);
  }

  async withToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.get();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof WechatApiError) || !isTokenInvalid(error.errcode)) throw error;
      return call(await this.refresh(token));
    }
  }

  #issue(force: boolean): Promise<string> {
    const flightKey = force ? 'force' : 'normal';
    const pending = this.#inFlight.get(flightKey);
    if (pending) return pending;
    const issuing = (async () => {
      const issued = await this.fetchToken({ force });
      const ttl = Math.max(30, Math.min(issued.expiresIn, 7200) - safetyMarginSeconds);
      await this.cache.set(this.key, issued.accessToken, ttl);
      return issued.accessToken;
    })().finally(() => this.#inFlight.delete(flightKey));
    this.#inFlight.set(flightKey, issuing);
    return issuing;
  }
}

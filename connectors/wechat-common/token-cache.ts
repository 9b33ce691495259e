/**
 * Where access tokens live so that every process shares one token per app: WeChat rate-limits
 * token issuance, and on the Official Account a new token can invalidate the previous one.
 * Implementations store opaque strings with a TTL; the in-memory one serves tests and single-process runs.
 */
export interface TokenCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

export class MemoryTokenCache implements TokenCache {
  readonly #entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string): Promise<string | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.#entries.set(key, { value, expiresAt: this.now() + Math.max(0, ttlSeconds) * 1000 });
  }
}

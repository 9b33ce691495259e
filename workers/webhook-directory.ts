import type { SqlExecutor } from '../infra/database.ts';

export interface EnabledWebhook {
  id: string;
  events: string[];
}

/** Bus notice kind that tells every process the webhook list changed. */
export const WEBHOOKS_CHANGED = 'webhooks.changed';

/**
 * The enabled webhooks, read once and kept until a change is announced (`invalidate`, called by the
 * webhook routes here and on the `webhooks.changed` notice elsewhere), or for `maxAgeMs` at most in
 * case a notice was missed. Every event consults it, so a busy server does not read the table per
 * message. Calls while a read runs share it; a read that started before a change never fills the
 * cache after it.
 */
export class WebhookDirectory {
  private cached: EnabledWebhook[] | null = null;
  private cachedAt = 0;
  private reading: Promise<EnabledWebhook[]> | null = null;
  private generation = 0;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly maxAgeMs = 10_000,
  ) {}

  async enabled(): Promise<EnabledWebhook[]> {
    if (this.cached && Date.now() - this.cachedAt < this.maxAgeMs) return this.cached;
    if (this.reading) return this.reading;
    const generation = this.generation;
    const read = this.sql
      .query<EnabledWebhook>('SELECT id, events FROM webhooks WHERE enabled', [], 'kefu_enabled_webhooks')
      .then((rows) => {
        if (generation === this.generation) {
          this.cached = rows;
          this.cachedAt = Date.now();
        }
        return rows;
      })
      .finally(() => {
        if (this.reading === read) this.reading = null;
      });
    this.reading = read;
    return read;
  }

  /** The list as last read when it is still fresh, without reading; null when a read is due. */
  cachedEnabled(): EnabledWebhook[] | null {
    return this.cached && Date.now() - this.cachedAt < this.maxAgeMs ? this.cached : null;
  }

  invalidate(): void {
    this.generation++;
    this.cached = null;
    this.reading = null;
  }
}

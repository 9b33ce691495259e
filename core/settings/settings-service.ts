import { AppError } from '../errors.ts';
import { defaultSettings, settingsSchemas, type Settings, type SettingsKey } from './settings-schema.ts';

/** Where settings are kept: one JSON value per key. */
export interface SettingsStore {
  read(key: string): Promise<unknown>;
  readAll(): Promise<Map<string, unknown>>;
  write(key: string, value: unknown, updatedBy: string | null): Promise<void>;
}

export interface SettingsServiceOptions {
  /** How long a value read from the store is trusted; bounds how stale another process can be. */
  ttlMs?: number;
  now?: () => number;
  /** Told after an update so other processes can drop their copy (see `invalidate`). */
  onUpdated?: (key: SettingsKey) => Promise<void>;
}

export function isSettingsKey(key: string): key is SettingsKey {
  return Object.hasOwn(settingsSchemas, key);
}

/**
 * Admin settings by key, with the schema defaults filled in. Reads are cached for `ttlMs`; an update
 * is validated, stored, and announced through `onUpdated` so every process invalidates at once; the
 * TTL is the fallback when such an announcement is lost. A stored value that no longer validates
 * (an older shape) is read as the default rather than failing every conversation.
 */
export class SettingsService {
  private readonly cache = new Map<SettingsKey, { value: unknown; at: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: SettingsStore,
    private readonly options: SettingsServiceOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  async get<K extends SettingsKey>(key: K): Promise<Settings[K]> {
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.value as Settings[K];
    const value = parseStored(key, await this.store.read(key));
    this.cache.set(key, { value, at: this.now() });
    return value;
  }

  async getAll(): Promise<Settings> {
    const stored = await this.store.readAll();
    const all = {} as Record<SettingsKey, unknown>;
    for (const key of Object.keys(settingsSchemas) as SettingsKey[]) all[key] = parseStored(key, stored.get(key));
    return all as Settings;
  }

  /** Validates (defaults fill omitted fields), stores and announces; throws validation_failed naming the field. */
  async update<K extends SettingsKey>(key: K, value: unknown, updatedBy: string | null = null): Promise<Settings[K]> {
    const result = settingsSchemas[key].safeParse(value ?? {});
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue.path.join('.') || key;
      throw new AppError('validation_failed', { userMessage: `${field}: ${issue.message}`, details: { field } });
    }
    await this.store.write(key, result.data, updatedBy);
    this.invalidate(key);
    await this.options.onUpdated?.(key);
    return result.data as Settings[K];
  }

  /** Drops the cached value of one key (or all): the next read goes to the store. */
  invalidate(key?: SettingsKey): void {
    if (key) this.cache.delete(key);
    else this.cache.clear();
  }
}

function parseStored<K extends SettingsKey>(key: K, raw: unknown): Settings[K] {
  if (raw === undefined || raw === null) return defaultSettings(key);
  const result = settingsSchemas[key].safeParse(raw);
  return (result.success ? result.data : defaultSettings(key)) as Settings[K];
}

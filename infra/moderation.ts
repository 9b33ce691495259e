import type { TextModerator } from '../core/conversation/conversation-service.ts';
import { SensitiveWordFilter } from '../core/moderation/sensitive-words.ts';
import { settingsSchemas, type Settings } from '../core/settings/settings-schema.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';

export type SensitiveWordSettings = Settings['sensitiveWords'];

/** Reads the `sensitiveWords` setting with its defaults applied. */
export async function loadSensitiveWords(prisma: PrismaClient): Promise<SensitiveWordSettings> {
  const row = await prisma.setting.findUnique({ where: { key: 'sensitiveWords' } });
  const parsed = settingsSchemas.sensitiveWords.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : settingsSchemas.sensitiveWords.parse({});
}

/** Stores the `sensitiveWords` setting (validated by the caller). */
export async function saveSensitiveWords(prisma: PrismaClient, value: SensitiveWordSettings, updatedBy: string | null): Promise<void> {
  await prisma.setting.upsert({
    where: { key: 'sensitiveWords' },
    create: { key: 'sensitiveWords', value: value as never, updatedBy },
    update: { value: value as never, updatedBy },
  });
}

export interface SensitiveWordModeratorOptions {
  load: () => Promise<SensitiveWordSettings>;
  /** A filter older than this is rebuilt in the background on the next message. */
  ttlMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * The TextModerator of the conversation service, built from the `sensitiveWords` setting.
 * `mask` is synchronous, so it uses the filter built last and, when that is older than the TTL,
 * starts a rebuild for the next messages; `refresh()` rebuilds at once (after an admin saves the
 * list, or when another process says it changed). Until the first load, nothing is masked, which
 * is why `refresh()` runs before the service takes traffic.
 */
export class SensitiveWordModerator implements TextModerator {
  private filter: SensitiveWordFilter = new SensitiveWordFilter([]);
  private keepOriginal = false;
  private loadedAt = 0;
  private pending: Promise<void> | null = null;
  private readonly ttlMs: number;

  constructor(private readonly options: SensitiveWordModeratorOptions) {
    this.ttlMs = options.ttlMs ?? 10_000;
  }

  mask(text: string): { text: string; changed: boolean; keepOriginal: boolean } {
    if (Date.now() - this.loadedAt > this.ttlMs && !this.pending) void this.refresh().catch((error) => this.options.onError?.(error));
    const result = this.filter.mask(text);
    return { text: result.text, changed: result.changed, keepOriginal: this.keepOriginal };
  }

  /** Rebuilds the filter from the stored setting; concurrent calls share one load. */
  refresh(): Promise<void> {
    this.pending ??= (async () => {
      try {
        const settings = await this.options.load();
        this.filter = new SensitiveWordFilter(settings.words, { maskChar: settings.maskChar });
        this.keepOriginal = settings.keepOriginal;
        this.loadedAt = Date.now();
      } finally {
        this.pending = null;
      }
    })();
    return this.pending;
  }

  /** Installs settings just saved in this process without a round trip. */
  apply(settings: SensitiveWordSettings): void {
    this.filter = new SensitiveWordFilter(settings.words, { maskChar: settings.maskChar });
    this.keepOriginal = settings.keepOriginal;
    this.loadedAt = Date.now();
  }
}

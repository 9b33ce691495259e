import type { SettingsStore } from '../core/settings/settings-service.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';

/** Settings as rows of the `settings` table (one JSON value per key). */
export class PrismaSettingsStore implements SettingsStore {
  constructor(private readonly prisma: PrismaClient) {}

  async read(key: string): Promise<unknown> {
    const row = await this.prisma.setting.findUnique({ where: { key } });
    return row?.value ?? undefined;
  }

  async readAll(): Promise<Map<string, unknown>> {
    const rows = await this.prisma.setting.findMany();
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  async write(key: string, value: unknown, updatedBy: string | null): Promise<void> {
    await this.prisma.setting.upsert({
      where: { key },
      create: { key, value: value as never, updatedBy },
      update: { value: value as never, updatedBy },
    });
  }
}

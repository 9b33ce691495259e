import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { PrismaClient } from '../prisma/generated/client.ts';

/** The `settings` row holding retention periods; kept apart from the core settings contract. */
export const RETENTION_SETTINGS_KEY = 'retention';

/** Days each kind of personal data is kept; 0 keeps it forever. */
export const retentionSettingsSchema = z.object({
  /** Closed conversations (messages, events, ratings) are deleted this many days after closing. */
  transcriptDays: z.number().int().min(0).max(36500).default(0),
  /** Uploaded images in conversations are deleted (files and links) this many days after sending. */
  imageDays: z.number().int().min(0).max(36500).default(0),
  /** Visitors not seen for this many days, with no open conversation, are deleted with everything of theirs. */
  visitorDays: z.number().int().min(0).max(36500).default(0),
});

export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

export async function readRetentionSettings(prisma: PrismaClient): Promise<RetentionSettings> {
  const row = await prisma.setting.findUnique({ where: { key: RETENTION_SETTINGS_KEY } });
  const parsed = retentionSettingsSchema.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : retentionSettingsSchema.parse({});
}

export async function writeRetentionSettings(prisma: PrismaClient, value: RetentionSettings, updatedBy: string | null): Promise<void> {
  await prisma.setting.upsert({
    where: { key: RETENTION_SETTINGS_KEY },
    create: { key: RETENTION_SETTINGS_KEY, value: value as never, updatedBy },
    update: { value: value as never, updatedBy },
  });
}

export interface SweepResult {
  conversations: number;
  images: number;
  visitors: number;
  files: number;
}

/** The file an `/uploads/…` URL points at, or null for anything else (external URLs, traversal). */
export function uploadPath(uploadDir: string, url: string | null): string | null {
  if (!url?.startsWith('/uploads/')) return null;
  const root = path.resolve(uploadDir);
  const file = path.resolve(root, url.slice('/uploads/'.length));
  return file.startsWith(root + path.sep) ? file : null;
}

function removeFiles(uploadDir: string, urls: (string | null)[]): number {
  let removed = 0;
  for (const url of urls) {
    const file = uploadPath(uploadDir, url);
    if (!file) continue;
    try {
      fs.unlinkSync(file);
      removed += 1;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}

const DAY = 86_400_000;

/**
 * Deletes what is past retention as of `now`: images first (files, then their links), then closed
 * transcripts, then visitors gone quiet. Files go before rows so a crash leaves rows to retry, never
 * orphaned files nobody can find.
 */
export async function sweepRetention(prisma: PrismaClient, uploadDir: string, settings: RetentionSettings, now = new Date()): Promise<SweepResult> {
  const result: SweepResult = { conversations: 0, images: 0, visitors: 0, files: 0 };
  if (settings.imageDays > 0) {
    const cutoff = new Date(now.getTime() - settings.imageDays * DAY);
    const images = await prisma.message.findMany({ where: { kind: 'image', mediaUrl: { not: null }, createdAt: { lt: cutoff } }, select: { id: true, mediaUrl: true } });
    result.files += removeFiles(uploadDir, images.map((m) => m.mediaUrl));
    const updated = await prisma.message.updateMany({ where: { id: { in: images.map((m) => m.id) } }, data: { mediaUrl: null, content: '[图片已过期删除]' } });
    result.images = updated.count;
  }
  if (settings.transcriptDays > 0) {
    const cutoff = new Date(now.getTime() - settings.transcriptDays * DAY);
    const where = { status: 'closed' as const, closedAt: { lt: cutoff } };
    const media = await prisma.message.findMany({ where: { conversation: where, mediaUrl: { not: null } }, select: { mediaUrl: true } });
    result.files += removeFiles(uploadDir, media.map((m) => m.mediaUrl));
    result.conversations = (await prisma.conversation.deleteMany({ where })).count;
  }
  if (settings.visitorDays > 0) {
    const cutoff = new Date(now.getTime() - settings.visitorDays * DAY);
    const visitors = await prisma.visitor.findMany({
      where: { lastSeenAt: { lt: cutoff }, conversations: { none: { status: { not: 'closed' } } } },
      select: { id: true },
    });
    for (const visitor of visitors) {
      const erased = await eraseVisitor(prisma, uploadDir, visitor.id);
      result.files += erased.files;
    }
    result.visitors = visitors.length;
  }
  return result;
}

/** Everything Kefu holds about one visitor (for a PIPL / GDPR access request). */
export async function exportVisitor(prisma: PrismaClient, visitorId: string): Promise<Record<string, unknown> | null> {
  const visitor = await prisma.visitor.findUnique({ where: { id: visitorId } });
  if (!visitor) return null;
  const conversations = await prisma.conversation.findMany({
    where: { visitorId },
    orderBy: { createdAt: 'asc' },
    include: { messages: { orderBy: { seq: 'asc' } }, events: { orderBy: { id: 'asc' } }, rating: true },
  });
  const offlineMessages = await prisma.offlineMessage.findMany({ where: { visitorId }, orderBy: { createdAt: 'asc' } });
  return JSON.parse(
    JSON.stringify({ exportedAt: new Date().toISOString(), visitor, conversations, offlineMessages }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
  ) as Record<string, unknown>;
}

/**
 * Erases one visitor: uploaded files of their conversations, then the visitor row (conversations,
 * messages, events, ratings and 留言 go with it), and webhook deliveries that carried their data.
 */
export async function eraseVisitor(prisma: PrismaClient, uploadDir: string, visitorId: string): Promise<{ found: boolean; files: number; conversations: number }> {
  const visitor = await prisma.visitor.findUnique({ where: { id: visitorId }, select: { id: true } });
  if (!visitor) return { found: false, files: 0, conversations: 0 };
  const media = await prisma.message.findMany({ where: { conversation: { visitorId }, mediaUrl: { not: null } }, select: { mediaUrl: true } });
  const files = removeFiles(uploadDir, media.map((m) => m.mediaUrl));
  const conversations = await prisma.conversation.findMany({ where: { visitorId }, select: { id: true } });
  const ids = [visitorId, ...conversations.map((c) => c.id)];
  await prisma.$transaction([
    prisma.$executeRawUnsafe(
      `DELETE FROM webhook_deliveries WHERE ${ids.map((_, i) => `strpos(payload::text, $${i + 1}) > 0`).join(' OR ')}`,
      ...ids,
    ),
    prisma.visitor.delete({ where: { id: visitorId } }),
  ]);
  return { found: true, files, conversations: conversations.length };
}

import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireUser } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const date = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date');
const listQuery = z.object({
  status: z.enum(['open', 'done']).optional(),
  from: date.optional(),
  to: date.optional(),
  channelId: z.uuid().optional(),
  /** Keyset: ISO time of the last row of the previous page. */
  before: date.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const doneSchema = z.object({ note: z.string().trim().max(1000).optional() });

const include = {
  visitor: { select: { name: true, externalId: true, channel: { select: { name: true, type: true } } } },
  handledBy: { select: { name: true } },
} as const;

type OfflineRow = {
  id: string;
  visitorId: string;
  channelId: string;
  conversationId: string | null;
  phone: string | null;
  email: string | null;
  name: string | null;
  content: string;
  status: 'open' | 'done';
  handledById: string | null;
  note: string | null;
  handledAt: Date | null;
  createdAt: Date;
  visitor: { name: string | null; externalId: string; channel: { name: string; type: string } };
  handledBy: { name: string } | null;
};

function offlineDto(row: OfflineRow) {
  return {
    id: row.id,
    status: row.status,
    name: row.name ?? row.visitor.name,
    phone: row.phone,
    email: row.email,
    content: row.content,
    visitorId: row.visitorId,
    conversationId: row.conversationId,
    channelId: row.channelId,
    channelName: row.visitor.channel.name,
    channelType: row.visitor.channel.type,
    note: row.note,
    handledById: row.handledById,
    handledByName: row.handledBy?.name ?? null,
    handledAt: row.handledAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
export type OfflineMessageDto = ReturnType<typeof offlineDto>;

/** 留言回复: 未接单 (open) and 已结单 (done) lists for agents and admins, the detail, and marking one done with a note. */
export function offlineMessageRoutes(api: ApiRouter, app: AppContext): void {
  const { prisma } = app;

  api.get('/api/offline-messages', { summary: '留言 list: ?status=open|done&from&to&channelId&before&limit', access: 'user', tag: 'offline-messages' }, async (ctx) => {
    requireUser(ctx);
    const q = parseInput(listQuery, ctx.query);
    const createdAt: { gte?: Date; lt?: Date } = {};
    if (q.from) createdAt.gte = new Date(q.from);
    if (q.to) createdAt.lt = new Date(q.to);
    if (q.before && (!createdAt.lt || new Date(q.before) < createdAt.lt)) createdAt.lt = new Date(q.before);
    const rows = await prisma.offlineMessage.findMany({
      where: { ...(q.status ? { status: q.status } : {}), ...(q.channelId ? { channelId: q.channelId } : {}), ...(q.from || q.to || q.before ? { createdAt } : {}) },
      include,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit,
    });
    const items = rows.map((r) => offlineDto(r as OfflineRow));
    const open = await prisma.offlineMessage.count({ where: { status: 'open' } });
    return { items, next: items.length === q.limit ? items.at(-1)!.createdAt : null, openCount: open };
  });

  api.get('/api/offline-messages/:id', { summary: 'One 留言 with contact and message', access: 'user', tag: 'offline-messages' }, async (ctx) => {
    requireUser(ctx);
    return { message: offlineDto(await find(ctx)) };
  });

  api.post('/api/offline-messages/:id/done', { summary: 'Mark a 留言 as done (已结单) with an optional note', access: 'user', tag: 'offline-messages' }, async (ctx) => {
    const user = requireUser(ctx);
    const { note } = parseInput(doneSchema, ctx.request.body);
    const existing = await find(ctx);
    const updated = await prisma.offlineMessage.updateMany({
      where: { id: existing.id, status: 'open' },
      data: { status: 'done', note: note ?? null, handledById: user.id, handledAt: new Date() },
    });
    if (updated.count === 0) throw new AppError('conflict', { userMessage: 'This 留言 is already done.' });
    const row = await find(ctx);
    await audit(app, user, 'offline_message.done', 'offline_message', row.id, { note: note ?? null });
    await app.bus.publish({ name: 'notice', audience: 'agents', kind: 'offline_message.done', payload: { id: row.id, handledById: user.id } });
    return { message: offlineDto(row) };
  });

  async function find(ctx: Context): Promise<OfflineRow> {
    const id = String(ctx.params.id);
    const row = z.uuid().safeParse(id).success ? await prisma.offlineMessage.findUnique({ where: { id }, include }) : null;
    if (!row) throw new AppError('not_found', { userMessage: 'No such 留言.' });
    return row as OfflineRow;
  }
}

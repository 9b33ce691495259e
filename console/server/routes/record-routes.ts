import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { decodeCursor, encodeCursor, recordFilterSchema } from '../../../core/records/record-filter.ts';
import { recordCountQuery, recordPageQuery, type RecordSummary } from '../../../core/records/record-query.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const listQuery = recordFilterSchema.extend({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * 会话记录: bot and human sessions with filters, newest first, keyset-paginated (`next` is the
 * cursor of the following page; `total` comes with the first page only), and one transcript.
 */
export function recordRoutes(api: ApiRouter, app: AppContext): void {
  api.get('/api/records', { summary: 'Admin: 会话记录 (?type=bot|human&from&to&channelId&agentId&status&rating&q&cursor&limit)', access: 'admin', tag: 'records' }, async (ctx) => {
    requireAdmin(ctx);
    const { cursor: rawCursor, limit, ...filter } = parseInput(listQuery, ctx.query);
    const cursor = decodeCursor(rawCursor);
    if (rawCursor && !cursor) throw new AppError('validation_failed', { userMessage: 'cursor: malformed', details: { field: 'cursor' } });
    const page = recordPageQuery(filter, cursor, limit);
    const items = await app.db.sql.query<RecordSummary>(page.sql, page.params);
    const last = items.at(-1);
    let total: number | null = null;
    if (!cursor) {
      const count = recordCountQuery(filter);
      total = (await app.db.sql.query<{ n: number }>(count.sql, count.params))[0]?.n ?? 0;
    }
    return { items, next: items.length === limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null, total };
  });

  api.get('/api/records/:id', { summary: 'Admin: one session with its transcript, events and rating', access: 'admin', tag: 'records' }, async (ctx) => {
    requireAdmin(ctx);
    const id = String(ctx.params.id);
    if (!z.uuid().safeParse(id).success) throw new AppError('not_found', { userMessage: 'No such session.' });
    const row = await app.prisma.conversation.findUnique({
      where: { id },
      include: {
        channel: { select: { id: true, name: true, type: true } },
        visitor: { select: { id: true, name: true, externalId: true, contact: true, profile: true } },
        assignee: { select: { id: true, name: true } },
        rating: true,
        events: { orderBy: { id: 'asc' }, take: 1000 },
        messages: { orderBy: { seq: 'asc' }, take: 5000 },
      },
    });
    if (!row) throw new AppError('not_found', { userMessage: 'No such session.' });
    const agentIds = [...new Set(row.messages.filter((m) => m.sender === 'agent' && m.senderId).map((m) => m.senderId!))];
    const agents = new Map((await app.prisma.user.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]));
    return {
      record: {
        id: row.id,
        status: row.status,
        type: row.reachedHuman ? 'human' : 'bot',
        channel: row.channel,
        visitor: row.visitor,
        agent: row.assignee,
        createdAt: row.createdAt.toISOString(),
        queuedAt: row.queuedAt?.toISOString() ?? null,
        assignedAt: row.assignedAt?.toISOString() ?? null,
        firstResponseAt: row.firstResponseAt?.toISOString() ?? null,
        closedAt: row.closedAt?.toISOString() ?? null,
        closeReason: row.closeReason,
        rating: row.rating ? { score: row.rating.score, tags: row.rating.tags, comment: row.rating.comment, agentId: row.rating.agentId, createdAt: row.rating.createdAt.toISOString() } : null,
        events: row.events.map((e) => ({ id: Number(e.id), type: e.type, fromStatus: e.fromStatus, toStatus: e.toStatus, actorType: e.actorType, actorId: e.actorId, data: e.data, createdAt: e.createdAt.toISOString() })),
        messages: row.messages.map((m) => ({
          id: m.id,
          seq: Number(m.seq),
          sender: m.sender,
          senderName: m.sender === 'agent' && m.senderId ? (agents.get(m.senderId) ?? null) : null,
          kind: m.kind,
          text: m.content,
          originalText: m.originalContent,
          mediaUrl: m.mediaUrl,
          data: m.data,
          createdAt: m.createdAt.toISOString(),
        })),
      },
    };
  });
}

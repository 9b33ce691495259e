import { z } from 'zod';
import type { Prisma } from '../../../prisma/generated/client.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const date = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date');
const query = z.object({
  q: z.string().trim().max(100).optional(),
  from: date.optional(),
  to: date.optional(),
  targetType: z.string().max(40).optional(),
  /** Keyset: id of the last entry of the previous page. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** 审计日志: who changed what and when, newest first; `q` matches the actor, action, target type or target id. */
export function auditRoutes(api: ApiRouter, app: AppContext): void {
  api.get('/api/audit', { summary: 'Admin: search the audit log (?q&from&to&targetType&before&limit)', access: 'admin', tag: 'audit' }, async (ctx) => {
    requireAdmin(ctx);
    const input = parseInput(query, ctx.query);
    const where: Prisma.AuditLogWhereInput = {
      ...(input.from || input.to || input.before
        ? { createdAt: { ...(input.from ? { gte: new Date(input.from) } : {}), ...(input.to ? { lt: new Date(input.to) } : {}) } }
        : {}),
      ...(input.before ? { id: { lt: BigInt(input.before) } } : {}),
      ...(input.targetType ? { targetType: input.targetType } : {}),
      ...(input.q
        ? {
            OR: [
              { actorEmail: { contains: input.q, mode: 'insensitive' } },
              { action: { contains: input.q, mode: 'insensitive' } },
              { targetType: { contains: input.q, mode: 'insensitive' } },
              { targetId: { contains: input.q } },
            ],
          }
        : {}),
    };
    const rows = await app.prisma.auditLog.findMany({ where, orderBy: { id: 'desc' }, take: input.limit });
    const items = rows.map((r) => ({ ...r, id: Number(r.id), createdAt: r.createdAt.toISOString() }));
    return { items, next: items.length === input.limit ? items.at(-1)!.id : null };
  });
}

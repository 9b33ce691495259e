import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { formatQuickRepliesCsv, parseQuickReplyImport, type QuickReplyEntry } from '../../../core/quick-replies/quick-reply-io.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireUser, type SessionUser } from '../sessions.ts';
import { parseInput } from '../validate.ts';
import { readTextBody } from './moderation-routes.ts';

type Scope = 'public' | 'personal';
const scopeSchema = z.enum(['public', 'personal']).default('personal');
const uuid = z.uuid();

const categoryCreate = z.object({ scope: scopeSchema, name: z.string().trim().min(1, 'is required').max(40) });
const categoryUpdate = z.object({ name: z.string().trim().min(1, 'is required').max(40) });
const replyCreate = z.object({
  scope: scopeSchema,
  categoryId: uuid.nullish(),
  keyword: z.string().trim().min(1, 'is required').max(40),
  content: z.string().trim().min(1, 'is required').max(2000),
});
const replyUpdate = z.object({
  categoryId: uuid.nullish(),
  keyword: z.string().trim().min(1, 'is required').max(40).optional(),
  content: z.string().trim().min(1, 'is required').max(2000).optional(),
});
const reorderSchema = z.object({ scope: scopeSchema, ids: z.array(uuid).min(1).max(5000) });
const listQuery = z.object({ scope: scopeSchema, categoryId: uuid.optional(), q: z.string().trim().max(40).optional() });
const ioQuery = z.object({ scope: scopeSchema, format: z.enum(['csv', 'json']).default('csv') });

/** The library a user reads or writes: the public one (owner null; admins edit) or their own. */
function ownerFor(user: SessionUser, scope: Scope, write: boolean): string | null {
  if (scope === 'personal') return user.id;
  if (write && user.role !== 'admin') throw new AppError('forbidden', { userMessage: 'Only admins can edit the public quick replies.' });
  return null;
}

/** Refuses a row the user may not change: someone else's personal entry, or a public one for an agent. */
function assertWritable(user: SessionUser, ownerId: string | null): void {
  if (ownerId === null) ownerFor(user, 'public', true);
  else if (ownerId !== user.id) throw new AppError('not_found', { userMessage: 'No such quick reply.' });
}

const notFound = () => new AppError('not_found', { userMessage: 'No such quick reply.' });

/**
 * 快捷回复语料: the public library (admins edit, agents read) and each user's personal library, each
 * with first-level categories; CRUD, reorder, keyword search, import and export.
 */
export function quickReplyRoutes(api: ApiRouter, app: AppContext): void {
  const { prisma } = app;
  const meta = (summary: string) => ({ summary, access: 'user' as const, tag: 'quick-replies' });

  async function checkCategory(categoryId: string | null | undefined, ownerId: string | null): Promise<void> {
    if (!categoryId) return;
    const category = await prisma.quickReplyCategory.findUnique({ where: { id: categoryId } });
    if (!category || category.ownerId !== ownerId) {
      throw new AppError('validation_failed', { userMessage: 'categoryId: no such category in this library', details: { field: 'categoryId' } });
    }
  }

  api.get('/api/quick-reply-categories', meta('Categories of the public or personal library'), async (ctx) => {
    const user = requireUser(ctx);
    const { scope } = parseInput(listQuery, ctx.query);
    const ownerId = ownerFor(user, scope, false);
    const items = await prisma.quickReplyCategory.findMany({ where: { ownerId }, orderBy: [{ sortOrder: 'asc' }, { createdAt: 'asc' }] });
    return { items: items.map(({ ownerId: _o, ...c }) => ({ ...c, scope })) };
  });

  api.post('/api/quick-reply-categories', meta('Create a category (public: admins only)'), async (ctx) => {
    const user = requireUser(ctx);
    const input = parseInput(categoryCreate, ctx.request.body);
    const ownerId = ownerFor(user, input.scope, true);
    const last = await prisma.quickReplyCategory.aggregate({ where: { ownerId }, _max: { sortOrder: true } });
    const row = await prisma.quickReplyCategory.create({ data: { ownerId, name: input.name, sortOrder: (last._max.sortOrder ?? -1) + 1 } });
    await audit(app, user, 'quick_reply_category.create', 'quick_reply_category', row.id, { scope: input.scope, name: input.name });
    ctx.status = 201;
    return { category: { ...row, scope: input.scope } };
  });

  api.patch('/api/quick-reply-categories/:id', meta('Rename a category'), async (ctx) => {
    const user = requireUser(ctx);
    const input = parseInput(categoryUpdate, ctx.request.body);
    const existing = await findCategory(ctx);
    assertWritable(user, existing.ownerId);
    const row = await prisma.quickReplyCategory.update({ where: { id: existing.id }, data: { name: input.name } });
    await audit(app, user, 'quick_reply_category.update', 'quick_reply_category', row.id, { name: input.name });
    return { category: row };
  });

  api.delete('/api/quick-reply-categories/:id', meta('Delete a category; its replies stay, uncategorized'), async (ctx) => {
    const user = requireUser(ctx);
    const existing = await findCategory(ctx);
    assertWritable(user, existing.ownerId);
    await prisma.quickReplyCategory.delete({ where: { id: existing.id } });
    await audit(app, user, 'quick_reply_category.delete', 'quick_reply_category', existing.id, { name: existing.name });
    ctx.status = 204;
  });

  api.post('/api/quick-reply-categories/reorder', meta('Set the order of categories (ids in the new order)'), async (ctx) => {
    const user = requireUser(ctx);
    const input = parseInput(reorderSchema, ctx.request.body);
    const ownerId = ownerFor(user, input.scope, true);
    await prisma.$transaction(input.ids.map((id, index) => prisma.quickReplyCategory.updateMany({ where: { id, ownerId }, data: { sortOrder: index } })));
    await audit(app, user, 'quick_reply_category.reorder', 'quick_reply_category', null, { scope: input.scope, count: input.ids.length });
    return { ok: true };
  });

  api.get('/api/quick-replies', meta('Quick replies of a library, by category, searchable by keyword'), async (ctx) => {
    const user = requireUser(ctx);
    const query = parseInput(listQuery, ctx.query);
    const ownerId = ownerFor(user, query.scope, false);
    const items = await prisma.quickReply.findMany({
      where: {
        ownerId,
        ...(query.categoryId ? { categoryId: query.categoryId } : {}),
        ...(query.q ? { OR: [{ keyword: { contains: query.q, mode: 'insensitive' } }, { content: { contains: query.q, mode: 'insensitive' } }] } : {}),
      },
      orderBy: [{ sortOrder: 'asc' }, { createdAt: 'asc' }],
      take: 2000,
    });
    return { items: items.map(({ ownerId: _o, ...r }) => ({ ...r, scope: query.scope })) };
  });

  api.post('/api/quick-replies', meta('Create a quick reply (public: admins only)'), async (ctx) => {
    const user = requireUser(ctx);
    const input = parseInput(replyCreate, ctx.request.body);
    const ownerId = ownerFor(user, input.scope, true);
    await checkCategory(input.categoryId, ownerId);
    const last = await prisma.quickReply.aggregate({ where: { ownerId }, _max: { sortOrder: true } });
    const row = await prisma.quickReply.create({
      data: { ownerId, categoryId: input.categoryId ?? null, keyword: input.keyword, content: input.content, sortOrder: (last._max.sortOrder ?? -1) + 1 },
    });
    await audit(app, user, 'quick_reply.create', 'quick_reply', row.id, { scope: input.scope, keyword: input.keyword });
    ctx.status = 201;
    return { reply: { ...row, scope: input.scope } };
  });

  api.patch('/api/quick-replies/:id', meta('Edit a quick reply'), async (ctx) => {
    const user = requireUser(ctx);
    const input = parseInput(replyUpdate, ctx.request.body);
    const existing = await findReply(ctx);
    assertWritable(user, existing.ownerId);
    if (input.categoryId !== undefined) await checkCategory(input.categoryId, existing.ownerId);
    const row = await prisma.quickReply.update({
      where: { id: existing.id },
      data: { keyword: input.keyword, content: input.content, ...(input.categoryId !== undefined ? { categoryId: input.categoryId } : {}) },
    });
    await audit(app, user, 'quick_reply.update', 'quick_reply', row.id, { keyword: row.keyword });
    return { reply: row };
  });

  api.delete('/api/quick-replies/:id', meta('Delete a quick reply'), async (ctx) => {
    const user = requireUser(ctx);
    const existing = await findReply(ctx);
    assertWritable(user, existing.ownerId);
    await prisma.quickReply.delete({ where: { id: existing.id } });
    await audit(app, user, 'quick_reply.delete', 'quick_reply', existing.id, { keyword: existing.keyword });
    ctx.status = 204;
  });

  api.post('/api/quick-replies/reorder', meta('Set the order of quick replies (ids in the new order)'), async (ctx) => {
    const user = requireUser(ctx);
    const input = parseInput(reorderSchema, ctx.request.body);
    const ownerId = ownerFor(user, input.scope, true);
    await prisma.$transaction(input.ids.map((id, index) => prisma.quickReply.updateMany({ where: { id, ownerId }, data: { sortOrder: index } })));
    await audit(app, user, 'quick_reply.reorder', 'quick_reply', null, { scope: input.scope, count: input.ids.length });
    return { ok: true };
  });

  api.post('/api/quick-replies/import', meta('Import quick replies (CSV or JSON body; ?scope&format); categories are created by name'), async (ctx) => {
    const user = requireUser(ctx);
    const query = parseInput(ioQuery, ctx.query);
    const ownerId = ownerFor(user, query.scope, true);
    const entries = parseQuickReplyImport(await readTextBody(ctx), query.format);
    const categories = await prisma.quickReplyCategory.findMany({ where: { ownerId } });
    const byName = new Map(categories.map((c) => [c.name, c.id]));
    let categoryOrder = categories.reduce((max, c) => Math.max(max, c.sortOrder), -1);
    for (const name of new Set(entries.map((e) => e.category).filter((n): n is string => !!n))) {
      if (byName.has(name)) continue;
      const created = await prisma.quickReplyCategory.create({ data: { ownerId, name, sortOrder: ++categoryOrder } });
      byName.set(name, created.id);
    }
    const last = await prisma.quickReply.aggregate({ where: { ownerId }, _max: { sortOrder: true } });
    const start = (last._max.sortOrder ?? -1) + 1;
    await prisma.quickReply.createMany({
      data: entries.map((e, i) => ({ ownerId, categoryId: e.category ? byName.get(e.category)! : null, keyword: e.keyword, content: e.content, sortOrder: start + i })),
    });
    await audit(app, user, 'quick_reply.import', 'quick_reply', null, { scope: query.scope, format: query.format, count: entries.length });
    return { imported: entries.length };
  });

  api.get('/api/quick-replies/export', meta('Download a library as CSV or JSON (?scope&format)'), async (ctx) => {
    const user = requireUser(ctx);
    const query = parseInput(ioQuery, ctx.query);
    const ownerId = ownerFor(user, query.scope, false);
    const rows = await prisma.quickReply.findMany({
      where: { ownerId },
      include: { category: { select: { name: true, sortOrder: true } } },
      orderBy: [{ sortOrder: 'asc' }, { createdAt: 'asc' }],
    });
    const entries: QuickReplyEntry[] = rows.map((r) => ({ category: r.category?.name ?? null, keyword: r.keyword, content: r.content }));
    const name = `quick-replies-${query.scope}.${query.format}`;
    ctx.set('Content-Disposition', `attachment; filename="${name}"`);
    if (query.format === 'json') {
      ctx.set('Content-Type', 'application/json; charset=utf-8');
      ctx.body = JSON.stringify(entries, null, 2);
    } else {
      ctx.set('Content-Type', 'text/csv; charset=utf-8');
      ctx.body = formatQuickRepliesCsv(entries);
    }
  });

  async function findCategory(ctx: Context) {
    const id = String(ctx.params.id);
    const row = uuid.safeParse(id).success ? await prisma.quickReplyCategory.findUnique({ where: { id } }) : null;
    if (!row) throw new AppError('not_found', { userMessage: 'No such category.' });
    return row;
  }

  async function findReply(ctx: Context) {
    const id = String(ctx.params.id);
    const row = uuid.safeParse(id).success ? await prisma.quickReply.findUnique({ where: { id } }) : null;
    if (!row) throw notFound();
    return row;
  }
}

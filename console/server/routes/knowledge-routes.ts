import type { Context } from 'koa';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { knowledgeRows, parseKnowledgeRows } from '../../../core/knowledge/knowledge-io.ts';
import type { KnowledgeItemRecord, KnowledgeService } from '../../../core/knowledge/knowledge-service.ts';
import { parseCsv, formatCsvRow } from '../../../core/records/csv.ts';
import type { PrismaKnowledgeStore } from '../../../infra/knowledge-store.ts';
import type { ApiRouter, RouteMeta } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireAdmin, requireUser } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
const PAGE_SIZE = 20;

const text = (max: number) => z.string().trim().min(1, 'is required').max(max);
const phrasingList = z.array(z.string().trim().max(200)).max(200);
const itemCreate = z.object({
  question: text(200),
  phrasings: phrasingList.default([]),
  answer: text(5000),
  answerImageUrl: z.string().trim().max(1000).nullish(),
  category: z.string().trim().max(40).nullish(),
  enabled: z.boolean().default(true),
});
const itemUpdate = z.object({
  question: text(200).optional(),
  phrasings: phrasingList.optional(),
  answer: text(5000).optional(),
  answerImageUrl: z.string().trim().max(1000).nullish(),
  category: z.string().trim().max(40).nullish(),
  enabled: z.boolean().optional(),
});
const listQuery = z.object({
  q: z.string().trim().max(100).optional(),
  category: z.string().trim().max(40).optional(),
  enabled: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
const bulkInput = z.object({ ids: z.array(z.string()).min(1).max(5000), enabled: z.boolean() });
const searchQuery = z.object({ q: z.string().trim().min(1, 'is required').max(500), limit: z.coerce.number().int().min(1).max(10).default(5) });
const captureInput = z.object({ conversationId: z.uuid(), question: text(200), answer: text(5000), category: z.string().trim().max(40).nullish() });
const phrasingInput = z.object({ phrasing: z.string().trim().min(1).max(200) });
const exportQuery = z.object({ format: z.enum(['csv', 'xlsx']).default('xlsx') });
const importQuery = z.object({ format: z.enum(['csv', 'xlsx']).optional() });
const statsQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });
const vocabularyInput = z.object({
  userWords: z.array(z.string().trim().min(1).max(30)).max(5000),
  synonyms: z.array(z.array(z.string().trim().min(1).max(30)).min(2).max(50)).max(5000),
});

const meta = (summary: string, access: 'admin' | 'user' = 'admin'): RouteMeta => ({
  summary,
  access,
  tag: 'knowledge',
  ...(access === 'admin' ? { scope: 'manage:knowledge' } : {}),
});

function itemDto(row: KnowledgeItemRecord) {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

/**
 * 知识库: admin CRUD, search and filters, bulk enable/disable, CSV/XLSX import with a row-level
 * error report and export, learned-phrasing review, vocabulary and answer-rate statistics; for
 * agents, on-demand search (智能辅助) and 问题收录 from a conversation they serve.
 */
export function knowledgeRoutes(service: KnowledgeService, store: PrismaKnowledgeStore) {
  return (api: ApiRouter, app: AppContext): void => {
    const { prisma } = app;
    const findItem = async (ctx: Context) => {
      const row = await store.get(String(ctx.params.id));
      if (!row) throw new AppError('not_found', { userMessage: 'No such knowledge item.' });
      return row;
    };

    api.get('/api/knowledge', meta('Admin: knowledge items (?q&category&enabled&page), 20 a page'), async (ctx) => {
      requireAdmin(ctx);
      const query = parseInput(listQuery, ctx.query);
      const where = {
        ...(query.category ? { category: query.category } : {}),
        ...(query.enabled ? { enabled: query.enabled === 'true' } : {}),
        ...(query.q
          ? {
              OR: [
                { question: { contains: query.q, mode: 'insensitive' as const } },
                { answer: { contains: query.q, mode: 'insensitive' as const } },
                { phrasings: { has: query.q } },
              ],
            }
          : {}),
      };
      const [items, total, categories] = await Promise.all([
        prisma.knowledgeItem.findMany({ where, orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }], skip: (query.page - 1) * PAGE_SIZE, take: PAGE_SIZE }),
        prisma.knowledgeItem.count({ where }),
        prisma.knowledgeItem.findMany({ where: { category: { not: null } }, distinct: ['category'], select: { category: true }, orderBy: { category: 'asc' } }),
      ]);
      return { items: items.map(itemDto), total, page: query.page, pageSize: PAGE_SIZE, categories: categories.map((c) => c.category) };
    });

    api.post('/api/knowledge', meta('Admin: create a knowledge item'), async (ctx) => {
      const user = requireAdmin(ctx);
      const input = parseInput(itemCreate, ctx.request.body);
      const row = await service.create({ ...input, source: 'written' });
      await audit(app, user, 'knowledge.create', 'knowledge_item', row.id, { question: row.question });
      ctx.status = 201;
      return { item: itemDto(row) };
    });

    // Static paths before /:id so they are not read as ids.
    api.get('/api/knowledge/search', meta('Ranked answers for a question (smart assist on demand)', 'user'), async (ctx) => {
      requireUser(ctx);
      const query = parseInput(searchQuery, ctx.query);
      return { items: service.search(query.q, query.limit) };
    });

    api.post('/api/knowledge/capture', meta('问题收录: save one question and one answer from a conversation you serve', 'user'), async (ctx) => {
      const user = requireUser(ctx);
      const input = parseInput(captureInput, ctx.request.body);
      const conversation = await app.conversations.requireConversation(input.conversationId);
      if (user.role !== 'admin' && conversation.assigneeId !== user.id) {
        throw new AppError('forbidden', { userMessage: 'Only the agent serving this conversation can capture from it.' });
      }
      const messages = await prisma.message.findMany({
        where: { conversationId: conversation.id, kind: 'text' },
        select: { sender: true, content: true },
      });
      const said = (senders: string[], wanted: string) => messages.some((m) => senders.includes(m.sender) && (m.content ?? '').includes(wanted));
      if (!said(['visitor'], input.question)) {
        throw new AppError('validation_failed', { userMessage: 'question: must be what the visitor wrote in this conversation', details: { field: 'question' } });
      }
      if (!said(['agent', 'bot'], input.answer)) {
        throw new AppError('validation_failed', { userMessage: 'answer: must be a reply sent in this conversation', details: { field: 'answer' } });
      }
      const row = await service.create({
        question: input.question,
        answer: input.answer,
        category: input.category ?? null,
        source: 'captured',
        sourceConversationId: conversation.id,
      });
      await audit(app, user, 'knowledge.capture', 'knowledge_item', row.id, { conversationId: conversation.id, question: row.question });
      ctx.status = 201;
      return { item: itemDto(row) };
    });

    api.post('/api/knowledge/bulk', meta('Admin: enable or disable many items ({ids, enabled})'), async (ctx) => {
      const user = requireAdmin(ctx);
      const input = parseInput(bulkInput, ctx.request.body);
      const updated = await service.setEnabled(input.ids, input.enabled);
      await audit(app, user, input.enabled ? 'knowledge.enable' : 'knowledge.disable', 'knowledge_item', null, { ids: updated });
      return { updated: updated.length };
    });

    api.post('/api/knowledge/import', meta('Admin: import items from CSV or XLSX (body is the file; ?format); bad rows are reported as [{row, error}]'), async (ctx) => {
      const user = requireAdmin(ctx);
      const query = parseInput(importQuery, ctx.query);
      const body = await readRawBody(ctx);
      const format = query.format ?? (body[0] === 0x50 && body[1] === 0x4b ? 'xlsx' : 'csv');
      const rows = format === 'xlsx' ? await readXlsxRows(body) : parseCsv(body.toString('utf8'));
      const parsed = parseKnowledgeRows(rows);
      if (parsed.headerError) throw new AppError('validation_failed', { userMessage: parsed.headerError, details: { field: 'file' } });
      const ids = await service.createMany(parsed.items);
      await audit(app, user, 'knowledge.import', 'knowledge_item', null, { format, imported: ids.length, refused: parsed.errors.length });
      return { imported: ids.length, errors: parsed.errors };
    });

    api.get('/api/knowledge/export', meta('Admin: download every item (?format=csv|xlsx)'), async (ctx) => {
      const user = requireAdmin(ctx);
      const { format } = parseInput(exportQuery, ctx.query);
      const rows = knowledgeRows(await store.listAll());
      await audit(app, user, 'knowledge.export', 'knowledge_item', null, { format, count: rows.length - 1 });
      ctx.set('Content-Disposition', `attachment; filename="knowledge.${format}"`);
      if (format === 'csv') {
        ctx.set('Content-Type', 'text/csv; charset=utf-8');
        ctx.body = '\ufeff' + rows.map(formatCsvRow).join('');
        return;
      }
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('知识库');
      for (const row of rows) sheet.addRow(row);
      ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      ctx.body = Buffer.from(await workbook.xlsx.writeBuffer());
    });

    api.get('/api/knowledge/learned', meta('Admin: items with learned phrasings waiting for review'), async (ctx) => {
      requireAdmin(ctx);
      const rows = await prisma.knowledgeItem.findMany({ where: { NOT: { pendingPhrasings: { isEmpty: true } } }, orderBy: { updatedAt: 'desc' }, take: 500 });
      return { items: rows.map(itemDto) };
    });

    api.get('/api/knowledge/stats', meta('Admin: bot answer rate per day (?days)'), async (ctx) => {
      requireAdmin(ctx);
      const { days } = parseInput(statsQuery, ctx.query);
      const since = new Date(Date.now() - days * 86_400_000);
      const byDay = new Map<string, { day: string; answer: number; suggest: number; fallback: number }>();
      for (const { day, kind, count } of await store.botReplyStats(since)) {
        const entry = byDay.get(day) ?? { day, answer: 0, suggest: 0, fallback: 0 };
        if (kind === 'answer' || kind === 'suggest' || kind === 'fallback') entry[kind] += count;
        byDay.set(day, entry);
      }
      const series = [...byDay.values()].map((d) => ({ ...d, total: d.answer + d.suggest + d.fallback, answerRate: rate(d.answer, d.answer + d.suggest + d.fallback) }));
      const totals = series.reduce((t, d) => ({ answer: t.answer + d.answer, total: t.total + d.total }), { answer: 0, total: 0 });
      const [items, enabled, pending] = await Promise.all([
        prisma.knowledgeItem.count(),
        prisma.knowledgeItem.count({ where: { enabled: true } }),
        prisma.knowledgeItem.count({ where: { NOT: { pendingPhrasings: { isEmpty: true } } } }),
      ]);
      return { days, series, answerRate: rate(totals.answer, totals.total), items, enabled, itemsWithPendingPhrasings: pending };
    });

    api.get('/api/knowledge/vocabulary', meta('Admin: product terms and synonym groups added to retrieval'), async (ctx) => {
      requireAdmin(ctx);
      return service.vocabulary();
    });

    api.put('/api/knowledge/vocabulary', meta('Admin: replace product terms and synonym groups (the index is rebuilt everywhere)'), async (ctx) => {
      const user = requireAdmin(ctx);
      const input = parseInput(vocabularyInput, ctx.request.body);
      const saved = await service.setVocabulary(input, user.id);
      await audit(app, user, 'knowledge.vocabulary', 'settings', null, { userWords: saved.userWords.length, synonyms: saved.synonyms.length });
      return saved;
    });

    api.get('/api/knowledge/:id', meta('Admin: one knowledge item'), async (ctx) => {
      requireAdmin(ctx);
      return { item: itemDto(await findItem(ctx)) };
    });

    api.patch('/api/knowledge/:id', meta('Admin: edit a knowledge item'), async (ctx) => {
      const user = requireAdmin(ctx);
      const input = parseInput(itemUpdate, ctx.request.body);
      const existing = await findItem(ctx);
      const row = await service.update(existing.id, input);
      await audit(app, user, 'knowledge.update', 'knowledge_item', row.id, { fields: Object.keys(input) });
      return { item: itemDto(row) };
    });

    api.delete('/api/knowledge/:id', meta('Admin: delete a knowledge item'), async (ctx) => {
      const user = requireAdmin(ctx);
      const existing = await findItem(ctx);
      await service.remove(existing.id);
      await audit(app, user, 'knowledge.delete', 'knowledge_item', existing.id, { question: existing.question });
      ctx.status = 204;
    });

    api.post('/api/knowledge/:id/phrasings/approve', meta('Admin: accept a learned phrasing ({phrasing})'), async (ctx) => {
      const user = requireAdmin(ctx);
      const { phrasing } = parseInput(phrasingInput, ctx.request.body);
      const existing = await findItem(ctx);
      const row = await service.approvePhrasing(existing.id, phrasing);
      await audit(app, user, 'knowledge.phrasing.approve', 'knowledge_item', row.id, { phrasing });
      return { item: itemDto(row) };
    });

    api.post('/api/knowledge/:id/phrasings/reject', meta('Admin: drop a learned phrasing ({phrasing})'), async (ctx) => {
      const user = requireAdmin(ctx);
      const { phrasing } = parseInput(phrasingInput, ctx.request.body);
      const existing = await findItem(ctx);
      const row = await service.rejectPhrasing(existing.id, phrasing);
      await audit(app, user, 'knowledge.phrasing.reject', 'knowledge_item', row.id, { phrasing });
      return { item: itemDto(row) };
    });
  };
}

function rate(part: number, total: number): number | null {
  return total === 0 ? null : Math.round((part / total) * 10_000) / 10_000;
}

async function readRawBody(ctx: Context): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > MAX_IMPORT_BYTES) throw new AppError('payload_too_large', { userMessage: 'The file is too large.' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_IMPORT_BYTES) throw new AppError('payload_too_large', { userMessage: 'The file is too large.' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The first worksheet as rows of cell texts (row numbers kept: empty rows stay as empty rows). */
async function readXlsxRows(body: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
  } catch (error) {
    throw new AppError('validation_failed', { userMessage: 'The file is not a readable XLSX workbook.', details: { field: 'file' }, cause: error });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, number) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      cells[column - 1] = cell.text ?? '';
    });
    rows[number - 1] = Array.from(cells, (c) => c ?? '');
  });
  return Array.from(rows, (r) => r ?? []);
}

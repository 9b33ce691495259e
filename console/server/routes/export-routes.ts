import fs from 'node:fs';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { recordFilterSchema } from '../../../core/records/record-filter.ts';
import { EXPORT_RECORDS_JOB, exportFormatSchema } from '../../../workers/export-records.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const createSchema = z.object({ format: exportFormatSchema.default('xlsx'), filters: recordFilterSchema.default({}) });

type ExportRow = { id: string; format: string; status: string; progress: number; total: number; error: string | null; filters: unknown; createdAt: Date; updatedAt: Date };

function exportDto(row: ExportRow) {
  return {
    id: row.id,
    format: row.format,
    status: row.status as 'pending' | 'running' | 'done' | 'failed',
    progress: row.progress,
    total: row.total,
    percent: row.status === 'done' ? 100 : row.total > 0 ? Math.floor((row.progress / row.total) * 100) : 0,
    error: row.error,
    filters: row.filters,
    downloadUrl: row.status === 'done' ? `/api/exports/${row.id}/download` : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type ExportDto = ReturnType<typeof exportDto>;

/** Batch export of 会话记录 (XLSX or CSV) as a background job: start, poll progress, download. Admins only. */
export function exportRoutes(api: ApiRouter, app: AppContext): void {
  api.post('/api/exports', { summary: 'Admin: start an export of 会话记录 ({format: xlsx|csv, filters})', access: 'admin', scope: 'export', tag: 'exports' }, async (ctx) => {
    const admin = requireAdmin(ctx);
    const input = parseInput(createSchema, ctx.request.body);
    const row = await app.prisma.exportJob.create({ data: { requestedById: admin.id, format: input.format, filters: input.filters as never } });
    await app.jobs.enqueue(EXPORT_RECORDS_JOB, { exportId: row.id }, { jobId: `export-${row.id}`, attempts: 3 });
    await audit(app, admin, 'export.create', 'export', row.id, { format: input.format, filters: input.filters });
    ctx.status = 201;
    return { id: row.id, export: exportDto(row) };
  });

  api.get('/api/exports', { summary: 'Admin: recent exports', access: 'admin', scope: 'export', tag: 'exports' }, async (ctx) => {
    requireAdmin(ctx);
    const rows = await app.prisma.exportJob.findMany({ orderBy: { createdAt: 'desc' }, take: 20 });
    return { items: rows.map(exportDto) };
  });

  api.get('/api/exports/:id', { summary: 'Admin: status and progress of an export', access: 'admin', scope: 'export', tag: 'exports' }, async (ctx) => {
    requireAdmin(ctx);
    return { export: exportDto(await find(ctx)) };
  });

  api.get('/api/exports/:id/download', { summary: 'Admin: download a finished export', access: 'admin', scope: 'export', tag: 'exports' }, async (ctx) => {
    requireAdmin(ctx);
    const row = await find(ctx);
    if (row.status !== 'done' || !row.filePath || !fs.existsSync(row.filePath)) {
      throw new AppError('conflict', { userMessage: 'This export is not ready for download.' });
    }
    const stamp = row.createdAt.toISOString().slice(0, 19).replace(/[-:T]/g, '');
    ctx.set('Content-Type', row.format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="kefu-records-${stamp}.${row.format}"`);
    ctx.set('Content-Length', String(fs.statSync(row.filePath).size));
    ctx.body = fs.createReadStream(row.filePath);
  });

  async function find(ctx: Context) {
    const id = String(ctx.params.id);
    const row = z.uuid().safeParse(id).success ? await app.prisma.exportJob.findUnique({ where: { id } }) : null;
    if (!row) throw new AppError('not_found', { userMessage: 'No such export.' });
    return row;
  }
}

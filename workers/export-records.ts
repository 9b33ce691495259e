import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import type { EventBus } from '../core/ports.ts';
import { formatCsvRow } from '../core/records/csv.ts';
import { formatTranscript, rowValues, summaryColumns, transcriptColumns } from '../core/records/record-export.ts';
import { recordFilterSchema, type RecordCursor, type RecordFilter } from '../core/records/record-filter.ts';
import { recordCountQuery, recordPageQuery, transcriptQuery, type RecordSummary, type TranscriptLine } from '../core/records/record-query.ts';
import type { SqlExecutor } from '../infra/database.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';

export const EXPORT_RECORDS_JOB = 'export-records';
export const exportRecordsPayload = z.object({ exportId: z.uuid() });
export const exportFormatSchema = z.enum(['xlsx', 'csv']);

/** Conversations per page: large enough to keep round trips few, small enough to bound memory. */
const PAGE_SIZE = 500;

export interface ExportDeps {
  prisma: PrismaClient;
  sql: SqlExecutor;
  bus: EventBus;
  exportDir: string;
}

export function exportFilePath(exportDir: string, id: string, format: string): string {
  return path.join(exportDir, `${id}.${format}`);
}

/**
 * Writes one export (ExportJob row) to a file: XLSX with a 会话统计 sheet (one row per conversation)
 * and a 聊天记录 sheet (one row per message), or CSV with one row per conversation and its
 * transcript in a column. Conversations are read page by page with a keyset cursor and rows are
 * streamed out as they are made, so memory stays bounded however many conversations match.
 * Progress is stored on the row and announced to admins as a `notice` (`export.progress`).
 * A finished or failed export is left alone, so a repeated job does nothing.
 */
export async function runRecordExport(deps: ExportDeps, exportId: string): Promise<void> {
  const job = await deps.prisma.exportJob.findUnique({ where: { id: exportId } });
  if (!job) throw new UnrecoverableError(`export ${exportId} does not exist`);
  if (job.status === 'done' || job.status === 'failed') return;
  const format = exportFormatSchema.parse(job.format);
  const filter = recordFilterSchema.parse(job.filters ?? {});
  const count = recordCountQuery(filter);
  const conversations = (await deps.sql.query<{ n: number }>(count.sql, count.params))[0]?.n ?? 0;
  const passes = format === 'xlsx' ? 2 : 1;
  const total = conversations * passes;
  await deps.prisma.exportJob.update({ where: { id: exportId }, data: { status: 'running', progress: 0, total, error: null } });

  fs.mkdirSync(deps.exportDir, { recursive: true });
  const finalPath = exportFilePath(deps.exportDir, exportId, format);
  const partPath = `${finalPath}.part`;
  let done = 0;
  let lastReport = 0;
  const report = async (force = false) => {
    if (!force && Date.now() - lastReport < 500) return;
    lastReport = Date.now();
    await deps.prisma.exportJob.update({ where: { id: exportId }, data: { progress: done } });
    await announce(deps, exportId, 'running', done, total);
  };

  if (format === 'xlsx') {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: partPath, useStyles: false, useSharedStrings: false });
    const summary = workbook.addWorksheet('会话统计');
    summary.columns = summaryColumns.map((c) => ({ header: c.header, width: c.width }));
    for await (const page of pages(deps.sql, filter)) {
      for (const row of page) summary.addRow(rowValues(summaryColumns, row)).commit();
      done += page.length;
      await report();
    }
    summary.commit();
    const transcript = workbook.addWorksheet('聊天记录');
    transcript.columns = transcriptColumns.map((c) => ({ header: c.header, width: c.width }));
    for await (const page of pages(deps.sql, filter)) {
      for (const line of await transcripts(deps.sql, page)) transcript.addRow(rowValues(transcriptColumns, line)).commit();
      done += page.length;
      await report();
    }
    transcript.commit();
    await workbook.commit();
  } else {
    const out = fs.createWriteStream(partPath, { encoding: 'utf8' });
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    await write(`\uFEFF${formatCsvRow([...summaryColumns.map((c) => c.header), '聊天记录'])}`);
    for await (const page of pages(deps.sql, filter)) {
      const lines = await transcripts(deps.sql, page);
      const byConversation = new Map<string, TranscriptLine[]>();
      for (const line of lines) {
        const list = byConversation.get(line.conversationId) ?? [];
        list.push(line);
        byConversation.set(line.conversationId, list);
      }
      let chunk = '';
      for (const row of page) chunk += formatCsvRow([...rowValues(summaryColumns, row), formatTranscript(byConversation.get(row.id) ?? [])]);
      await write(chunk);
      done += page.length;
      await report();
    }
    out.end();
    await once(out, 'finish');
  }
  fs.renameSync(partPath, finalPath);
  await deps.prisma.exportJob.update({ where: { id: exportId }, data: { status: 'done', progress: total, total, filePath: finalPath } });
  await announce(deps, exportId, 'done', total, total);
}

/** Marks an export failed for good (after the last retry) and tells admins. */
export async function failRecordExport(deps: ExportDeps, exportId: string, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await deps.prisma.exportJob.updateMany({ where: { id: exportId }, data: { status: 'failed', error: message.slice(0, 500) } });
  await announce(deps, exportId, 'failed', 0, 0);
}

async function announce(deps: ExportDeps, id: string, status: string, progress: number, total: number): Promise<void> {
  await deps.bus.publish({ name: 'notice', audience: 'admins', kind: 'export.progress', payload: { id, status, progress, total } });
}

async function* pages(sql: SqlExecutor, filter: RecordFilter): AsyncGenerator<RecordSummary[]> {
  let cursor: RecordCursor | null = null;
  for (;;) {
    const query = recordPageQuery(filter, cursor, PAGE_SIZE);
    const rows = await sql.query<RecordSummary>(query.sql, query.params);
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE_SIZE) return;
    const last = rows[rows.length - 1];
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}

async function transcripts(sql: SqlExecutor, page: RecordSummary[]): Promise<TranscriptLine[]> {
  if (page.length === 0) return [];
  const lines = await sql.query<TranscriptLine>(transcriptQuery, [page.map((r) => r.id)]);
  // Keep the page's order (newest conversation first); within a conversation the query orders by seq.
  const order = new Map(page.map((r, i) => [r.id, i]));
  return lines.sort((a, b) => order.get(a.conversationId)! - order.get(b.conversationId)!);
}

import { z } from 'zod';
import { AppError } from '../errors.ts';
import { formatCsvRow, parseCsv } from '../records/csv.ts';

/** One quick reply as imported and exported: category name (first level only), keyword, content. */
export interface QuickReplyEntry {
  category: string | null;
  keyword: string;
  content: string;
}

export const MAX_IMPORT_ENTRIES = 5000;

const entrySchema = z.object({
  category: z.string().trim().max(40).nullish().transform((v) => (v ? v : null)),
  keyword: z.string().trim().min(1, 'is required').max(40),
  content: z.string().trim().min(1, 'is required').max(2000),
});

const headerAliases: Record<string, keyof QuickReplyEntry> = {
  category: 'category',
  分类: 'category',
  keyword: 'keyword',
  关键词: 'keyword',
  content: 'content',
  内容: 'content',
};

/**
 * Reads an import file. JSON: an array of `{category, keyword, content}`. CSV: a header row naming
 * the columns (分类/关键词/内容 or category/keyword/content) in any order. Refuses the whole file,
 * naming the entry, when one entry is invalid, so an import never half-applies.
 */
export function parseQuickReplyImport(text: string, format: 'csv' | 'json'): QuickReplyEntry[] {
  const raw = format === 'json' ? readJson(text) : readCsv(text);
  if (raw.length > MAX_IMPORT_ENTRIES) {
    throw new AppError('validation_failed', { userMessage: `An import can hold at most ${MAX_IMPORT_ENTRIES} quick replies.` });
  }
  return raw.map((item, index) => {
    const result = entrySchema.safeParse(item);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new AppError('validation_failed', {
        userMessage: `Entry ${index + 1}: ${issue.path.join('.') || 'entry'} ${issue.message}`,
        details: { entry: index + 1 },
      });
    }
    return result.data;
  });
}

function readJson(text: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new AppError('validation_failed', { userMessage: 'The file is not valid JSON.' });
  }
  if (!Array.isArray(data)) throw new AppError('validation_failed', { userMessage: 'The JSON file must hold an array of quick replies.' });
  return data;
}

function readCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  const fields = (header ?? []).map((h) => headerAliases[h.trim().toLowerCase()] ?? headerAliases[h.trim()]);
  if (!fields.includes('keyword') || !fields.includes('content')) {
    throw new AppError('validation_failed', { userMessage: 'The CSV needs a header row with 关键词 (keyword) and 内容 (content).' });
  }
  return rows.map((row) => {
    const item: Record<string, string> = {};
    fields.forEach((field, i) => {
      if (field) item[field] = row[i] ?? '';
    });
    return item;
  });
}

/** CSV export with a BOM so Excel opens the Chinese text as UTF-8; `parseQuickReplyImport` reads it back. */
export function formatQuickRepliesCsv(entries: QuickReplyEntry[]): string {
  return `\uFEFF${formatCsvRow(['分类', '关键词', '内容'])}${entries.map((e) => formatCsvRow([e.category ?? '', e.keyword, e.content])).join('')}`;
}

import type { KnowledgeItemInput } from './knowledge-service.ts';

/** Columns of the import and export sheets, in export order: zh-CN header, accepted aliases. */
export const KNOWLEDGE_COLUMNS = [
  { field: 'question', header: '标准问题', aliases: ['question', '问题'] },
  { field: 'phrasings', header: '相似问法', aliases: ['phrasings', '相似问题'] },
  { field: 'answer', header: '答案', aliases: ['answer', '回答'] },
  { field: 'category', header: '分类', aliases: ['category'] },
  { field: 'enabled', header: '启用', aliases: ['enabled', '状态'] },
  { field: 'answerImageUrl', header: '答案图片', aliases: ['answerImageUrl', 'image', '图片'] },
] as const;

type Field = (typeof KNOWLEDGE_COLUMNS)[number]['field'];

export const MAX_IMPORT_ROWS = 10_000;
const LIMITS = { question: 200, phrasing: 200, answer: 5000, category: 40, answerImageUrl: 1000 };

/** One row that could not be imported: its 1-based sheet row number (the header is row 1) and why. */
export interface ImportRowError {
  row: number;
  error: string;
}

/** Phrasings in one cell: one per line, or separated by `|` / `；`. */
export function splitPhrasings(cell: string): string[] {
  return cell
    .split(/\r?\n|\||；/u)
    .map((p) => p.trim())
    .filter(Boolean);
}

const TRUE_WORDS = new Set(['', '1', 'true', 'yes', 'y', '是', '启用', '开启']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'n', '否', '停用', '禁用', '关闭']);

/**
 * Reads sheet rows (the first is the header, matched by the zh-CN header or an alias, in any order)
 * into items to create, and a row-level report of the rows refused: a missing question or answer,
 * a value too long, an unreadable 启用 cell. Good rows are imported even when others are refused.
 * A sheet without the question and answer columns is refused as a whole (`headerError`).
 */
export function parseKnowledgeRows(rows: string[][]): { items: KnowledgeItemInput[]; errors: ImportRowError[]; headerError?: string } {
  const [header, ...body] = rows;
  if (!header) return { items: [], errors: [], headerError: 'The file is empty.' };
  const columnOf = new Map<Field, number>();
  header.forEach((cell, index) => {
    const name = cell.trim().toLowerCase();
    const column = KNOWLEDGE_COLUMNS.find((c) => c.header === name || c.aliases.some((a) => a.toLowerCase() === name));
    if (column && !columnOf.has(column.field)) columnOf.set(column.field, index);
  });
  if (!columnOf.has('question') || !columnOf.has('answer')) {
    return { items: [], errors: [], headerError: 'The first row must name the columns 标准问题 and 答案.' };
  }
  if (body.length > MAX_IMPORT_ROWS) return { items: [], errors: [], headerError: `At most ${MAX_IMPORT_ROWS} rows can be imported at once.` };
  const items: KnowledgeItemInput[] = [];
  const errors: ImportRowError[] = [];
  body.forEach((cells, index) => {
    const row = index + 2;
    const cell = (field: Field) => (columnOf.has(field) ? (cells[columnOf.get(field)!] ?? '').trim() : '');
    if (cells.every((c) => !c.trim())) return;
    const result = readRow(cell);
    if (typeof result === 'string') errors.push({ row, error: result });
    else items.push(result);
  });
  return { items, errors };
}

function readRow(cell: (field: Field) => string): KnowledgeItemInput | string {
  const question = cell('question');
  const answer = cell('answer');
  if (!question) return '标准问题 is empty';
  if (!answer) return '答案 is empty';
  if (question.length > LIMITS.question) return `标准问题 is longer than ${LIMITS.question} characters`;
  if (answer.length > LIMITS.answer) return `答案 is longer than ${LIMITS.answer} characters`;
  const phrasings = splitPhrasings(cell('phrasings'));
  if (phrasings.some((p) => p.length > LIMITS.phrasing)) return `a 相似问法 is longer than ${LIMITS.phrasing} characters`;
  const category = cell('category');
  if (category.length > LIMITS.category) return `分类 is longer than ${LIMITS.category} characters`;
  const enabledText = cell('enabled').toLowerCase();
  if (!TRUE_WORDS.has(enabledText) && !FALSE_WORDS.has(enabledText)) return `启用 must be 是 or 否, not "${cell('enabled')}"`;
  const answerImageUrl = cell('answerImageUrl');
  if (answerImageUrl && !/^(https?:\/\/|\/)/.test(answerImageUrl)) return '答案图片 must be a URL';
  return {
    question,
    answer,
    phrasings,
    category: category || null,
    enabled: TRUE_WORDS.has(enabledText),
    answerImageUrl: answerImageUrl || null,
    source: 'imported',
  };
}

/** Sheet rows (header first) for export; `parseKnowledgeRows` reads them back. */
export function knowledgeRows(
  items: { question: string; phrasings: string[]; answer: string; category: string | null; enabled: boolean; answerImageUrl: string | null }[],
): string[][] {
  return [
    KNOWLEDGE_COLUMNS.map((c) => c.header),
    ...items.map((item) => [item.question, item.phrasings.join('\n'), item.answer, item.category ?? '', item.enabled ? '是' : '否', item.answerImageUrl ?? '']),
  ];
}

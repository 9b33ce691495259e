import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { formatWordList, parseWordList } from '../../../core/moderation/sensitive-words.ts';
import { settingsSchemas } from '../../../core/settings/settings-schema.ts';
import { loadSensitiveWords, saveSensitiveWords, type SensitiveWordModerator, type SensitiveWordSettings } from '../../../infra/moderation.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const MAX_TEXT_BODY = 4 * 1024 * 1024;

/**
 * Reads a text request body (an imported file) up to `limit` bytes as UTF-8. A JSON body
 * `{ "text": "…" }` carries the file as a string; any other JSON body is the (JSON) file itself,
 * within the JSON parser's size limit.
 */
export async function readTextBody(ctx: Context, limit = MAX_TEXT_BODY): Promise<string> {
  if (ctx.is('application/json')) {
    // Already parsed by the JSON body parser: `{ text }` wraps a file; any other JSON is the file itself.
    const parsed = ctx.request.body as { text?: unknown } | undefined;
    return parsed && typeof parsed === 'object' && typeof parsed.text === 'string' ? parsed.text : JSON.stringify(parsed ?? null);
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new AppError('payload_too_large', { userMessage: 'The file is too large.' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AppError('payload_too_large', { userMessage: 'The file is too large.' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const updateSchema = z.object({
  words: z.array(z.string()).optional(),
  maskChar: z.string().optional(),
  keepOriginal: z.boolean().optional(),
});

/** The kind of `notice` bus event that tells every process a setting changed. */
export const SETTINGS_UPDATED_NOTICE = 'settings.updated';

/** 敏感词 (会话设置): list, mask character and retention; import and export of the list. Admins only. */
export function moderationRoutes(api: ApiRouter, app: AppContext, moderator: SensitiveWordModerator): void {
  const view = (s: SensitiveWordSettings) => ({ words: s.words, maskChar: s.maskChar, keepOriginal: s.keepOriginal, count: s.words.length });

  async function store(ctx: Context, next: SensitiveWordSettings, action: string, data: Record<string, unknown>) {
    const admin = requireAdmin(ctx);
    const result = settingsSchemas.sensitiveWords.safeParse({ ...next, words: parseWordList(next.words.join('\n')) });
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new AppError('validation_failed', { userMessage: `${issue.path.join('.')}: ${issue.message}`, details: { field: issue.path.join('.') } });
    }
    moderator.apply(result.data);
    await saveSensitiveWords(app.prisma, result.data, admin.id);
    await audit(app, admin, action, 'setting', 'sensitiveWords', { ...data, count: result.data.words.length });
    await app.bus.publish({ name: 'notice', audience: 'admins', kind: SETTINGS_UPDATED_NOTICE, payload: { key: 'sensitiveWords' } });
    return view(result.data);
  }

  api.get('/api/sensitive-words', { summary: 'Admin: the sensitive-word list, mask character and retention', access: 'admin', tag: 'moderation' }, async (ctx) => {
    requireAdmin(ctx);
    return view(await loadSensitiveWords(app.prisma));
  });

  api.put('/api/sensitive-words', { summary: 'Admin: replace the sensitive-word list and options', access: 'admin', tag: 'moderation' }, async (ctx) => {
    requireAdmin(ctx);
    const input = parseInput(updateSchema, ctx.request.body);
    const current = await loadSensitiveWords(app.prisma);
    const next = { words: input.words ?? current.words, maskChar: input.maskChar ?? current.maskChar, keepOriginal: input.keepOriginal ?? current.keepOriginal };
    return store(ctx, next, 'sensitive_words.update', { maskChar: next.maskChar, keepOriginal: next.keepOriginal });
  });

  api.post('/api/sensitive-words/import', { summary: 'Admin: import a word list (text, one per line); ?mode=append|replace', access: 'admin', tag: 'moderation' }, async (ctx) => {
    requireAdmin(ctx);
    const mode = ctx.query.mode === 'replace' ? 'replace' : 'append';
    const imported = parseWordList(await readTextBody(ctx));
    const current = await loadSensitiveWords(app.prisma);
    const words = mode === 'replace' ? imported : [...current.words, ...imported];
    const result = await store(ctx, { ...current, words }, 'sensitive_words.import', { mode, imported: imported.length });
    return { ...result, imported: imported.length };
  });

  api.get('/api/sensitive-words/export', { summary: 'Admin: download the word list as text, one word per line', access: 'admin', tag: 'moderation' }, async (ctx) => {
    requireAdmin(ctx);
    const current = await loadSensitiveWords(app.prisma);
    ctx.set('Content-Type', 'text/plain; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="sensitive-words.txt"`);
    ctx.body = formatWordList(current.words);
  });
}

import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { eraseVisitor, exportVisitor, readRetentionSettings, retentionSettingsSchema, writeRetentionSettings } from '../../../infra/retention.ts';
import { runRetentionSweep } from '../../../workers/retention-sweep.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

function visitorId(value: string | undefined): string {
  const parsed = z.string().uuid().safeParse(value);
  if (!parsed.success) throw new AppError('not_found', { userMessage: 'No such visitor.' });
  return parsed.data;
}

/** Retention periods and personal-data requests (PIPL / GDPR): export or erase one visitor. Admins only. */
export function privacyRoutes(api: ApiRouter, app: AppContext): void {
  api.get('/api/admin/retention', { summary: 'Admin: how many days transcripts, images and visitor profiles are kept (0 = forever)', access: 'admin', tag: 'privacy' }, async (ctx) => {
    requireAdmin(ctx);
    return { retention: await readRetentionSettings(app.prisma) };
  });

  api.put('/api/admin/retention', { summary: 'Admin: set retention ({transcriptDays, imageDays, visitorDays})', access: 'admin', tag: 'privacy' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const value = parseInput(retentionSettingsSchema, ctx.request.body);
    await writeRetentionSettings(app.prisma, value, user.id);
    await audit(app, user, 'retention.update', 'settings', 'retention', value);
    return { retention: value };
  });

  api.post('/api/admin/retention/run', { summary: 'Admin: delete what is past retention now (the daily job, on demand)', access: 'admin', tag: 'privacy' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const result = await runRetentionSweep({ prisma: app.prisma, uploadDir: app.config.uploadDir, logger: app.logger });
    await audit(app, user, 'retention.run', 'settings', 'retention', { ...result });
    return { result };
  });

  api.get('/api/admin/visitors/:id/export', { summary: 'Admin: everything stored about one visitor, as JSON', access: 'admin', tag: 'privacy' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const id = visitorId(ctx.params.id);
    const data = await exportVisitor(app.prisma, id);
    if (!data) throw new AppError('not_found', { userMessage: 'No such visitor.' });
    await audit(app, user, 'visitor.export', 'visitor', id);
    ctx.set('Content-Disposition', `attachment; filename="visitor-${id}.json"`);
    return data;
  });

  api.delete('/api/admin/visitors/:id', { summary: 'Admin: erase one visitor: profile, conversations, messages, 留言, ratings and uploaded files', access: 'admin', tag: 'privacy' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const id = visitorId(ctx.params.id);
    const result = await eraseVisitor(app.prisma, app.config.uploadDir, id);
    if (!result.found) throw new AppError('not_found', { userMessage: 'No such visitor.' });
    await audit(app, user, 'visitor.erase', 'visitor', id, { conversations: result.conversations, files: result.files });
    return { ok: true, ...result };
  });
}

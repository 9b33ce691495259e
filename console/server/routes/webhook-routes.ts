import crypto from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { webhookEventNames } from '../../../core/webhooks/webhook-events.ts';
import { replayDelivery, type WebhookDeps } from '../../../workers/webhook-delivery.ts';
import { WEBHOOKS_CHANGED } from '../../../workers/webhook-directory.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const url = z
  .string()
  .trim()
  .url('must be a URL, e.g. https://example.com/kefu-hook')
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
const events = z.array(z.enum([...webhookEventNames, '*'])).min(1, 'needs at least one event');
const createSchema = z.object({ url, events, enabled: z.boolean().default(true), secret: z.string().min(16).max(200).optional() });
const updateSchema = z.object({ url: url.optional(), events: events.optional(), enabled: z.boolean().optional() });
const uuid = z.string().uuid();

type HookRow = { id: string; url: string; events: string[]; enabled: boolean; createdAt: Date };

function webhookDto(row: HookRow) {
  return { id: row.id, url: row.url, events: row.events, enabled: row.enabled, createdAt: row.createdAt.toISOString() };
}

function idParam(value: string | undefined): string {
  const parsed = uuid.safeParse(value);
  if (!parsed.success) throw new AppError('not_found', { userMessage: 'Not found.' });
  return parsed.data;
}

/** Outbound webhooks: register URLs for events, see each delivery with its response, replay one. Admins only. */
export function webhookRoutes(api: ApiRouter, app: AppContext, deps: WebhookDeps): void {
  const find = async (id: string) => {
    const row = await app.prisma.webhook.findUnique({ where: { id: idParam(id) } });
    if (!row) throw new AppError('not_found', { userMessage: 'No such webhook.' });
    return row;
  };
  // This process sees the change at once; the others through the notice.
  const changed = async () => {
    deps.directory.invalidate();
    await app.bus.publish({ name: 'notice', audience: 'admins', kind: WEBHOOKS_CHANGED, payload: {} });
  };

  api.get('/api/admin/webhooks', { summary: 'Admin: webhooks', access: 'admin', tag: 'operations' }, async (ctx) => {
    requireAdmin(ctx);
    const rows = await app.prisma.webhook.findMany({ orderBy: { createdAt: 'asc' } });
    return { webhooks: rows.map(webhookDto), events: webhookEventNames };
  });

  api.post('/api/admin/webhooks', { summary: 'Admin: register a webhook ({url, events}); its signing secret is returned once', access: 'admin', tag: 'operations' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const input = parseInput(createSchema, ctx.request.body);
    const secret = input.secret ?? `whsec_${crypto.randomBytes(24).toString('base64url')}`;
    const row = await app.prisma.webhook.create({ data: { url: input.url, events: [...new Set(input.events)], enabled: input.enabled, secret } });
    await changed();
    await audit(app, user, 'webhook.create', 'webhook', row.id, { url: row.url, events: row.events });
    ctx.status = 201;
    return { webhook: webhookDto(row), secret };
  });

  api.patch('/api/admin/webhooks/:id', { summary: 'Admin: change a webhook (url, events, enabled)', access: 'admin', tag: 'operations' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const row = await find(ctx.params.id);
    const input = parseInput(updateSchema, ctx.request.body);
    const updated = await app.prisma.webhook.update({ where: { id: row.id }, data: { ...input, events: input.events ? [...new Set(input.events)] : undefined } });
    await changed();
    await audit(app, user, 'webhook.update', 'webhook', row.id, input);
    return { webhook: webhookDto(updated) };
  });

  api.delete('/api/admin/webhooks/:id', { summary: 'Admin: delete a webhook and its delivery log', access: 'admin', tag: 'operations' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const row = await find(ctx.params.id);
    await app.prisma.webhook.delete({ where: { id: row.id } });
    await changed();
    await audit(app, user, 'webhook.delete', 'webhook', row.id, { url: row.url });
    return { ok: true };
  });

  api.get('/api/admin/webhooks/:id/deliveries', { summary: 'Admin: recent deliveries of a webhook with their responses', access: 'admin', tag: 'operations' }, async (ctx) => {
    requireAdmin(ctx);
    const row = await find(ctx.params.id);
    const rows = await app.prisma.webhookDelivery.findMany({ where: { webhookId: row.id }, orderBy: { createdAt: 'desc' }, take: 100 });
    return {
      deliveries: rows.map((d) => ({
        id: d.id,
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        responseStatus: d.responseStatus,
        responseBody: d.responseBody,
        payload: d.payload,
        createdAt: d.createdAt.toISOString(),
        updatedAt: d.updatedAt.toISOString(),
      })),
    };
  });

  api.post('/api/admin/webhooks/:id/deliveries/:deliveryId/replay', { summary: 'Admin: deliver a past event again (as a new delivery)', access: 'admin', tag: 'operations' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const row = await find(ctx.params.id);
    const deliveryId = idParam(ctx.params.deliveryId);
    const past = await app.prisma.webhookDelivery.findFirst({ where: { id: deliveryId, webhookId: row.id } });
    if (!past) throw new AppError('not_found', { userMessage: 'No such delivery.' });
    const id = await replayDelivery(deps, past.id);
    await audit(app, user, 'webhook.replay', 'webhook', row.id, { deliveryId: past.id, replayId: id });
    ctx.status = 202;
    return { deliveryId: id };
  });
}

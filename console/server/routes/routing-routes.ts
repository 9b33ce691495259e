import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import type { RoutingStore } from '../../../core/routing/routing-store.ts';
import type { SatisfactionService } from '../../../core/routing/satisfaction-service.ts';
import type { SettingsService } from '../../../core/settings/settings-service.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { parseInput } from '../validate.ts';
import { visitorFromToken } from './widget-routes.ts';
import type { Context } from 'koa';

const offlineSchema = z.object({
  name: z.string().trim().max(60).optional(),
  phone: z.string().trim().regex(/^[+\d][\d\s-]{4,30}$/, 'must be a phone number, e.g. 13800138000').optional(),
  email: z.string().trim().email('must be an email address, e.g. name@example.com').max(200).optional(),
  content: z.string().trim().min(1, 'is required').max(2000, 'at most 2000 characters'),
});
const ratingSchema = z.object({
  score: z.number().int().min(1, 'must be 1–5').max(5, 'must be 1–5'),
  tags: z.array(z.string().max(20)).max(20).optional(),
  comment: z.string().max(1000).optional(),
});

function bearer(ctx: Context): string | undefined {
  const header = ctx.get('authorization');
  return header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/** The visitor's side of routing: 留言 (offline messages) and the satisfaction rating. */
export function routingRoutes(deps: { settings: SettingsService; routing: RoutingStore; satisfaction: SatisfactionService }) {
  return (api: ApiRouter, app: AppContext): void => {
    api.post('/api/widget/offline-messages', { summary: 'Leave a 留言 (contact + content) when nobody can serve', access: 'visitor', tag: 'widget' }, async (ctx) => {
      const { identity, visitor } = await visitorFromToken(app, bearer(ctx));
      const input = parseInput(offlineSchema, ctx.request.body);
      const settings = await deps.settings.get('offlineMessages');
      if (!settings.enabled) throw new AppError('conflict', { userMessage: '留言 is not enabled.' });
      if (settings.channels.length > 0 && !settings.channels.includes(identity.channelId)) {
        throw new AppError('conflict', { userMessage: '留言 is not enabled on this channel.' });
      }
      const missing = settings.requiredFields.find((field) => !input[field]);
      if (missing) throw new AppError('validation_failed', { userMessage: `${missing}: is required`, details: { field: missing } });
      if (!visitor) throw new AppError('conversation_not_found', { userMessage: 'Send a message first.' });
      await app.limits.consume('visitorMessage', identity.visitorKey);
      const open = await app.prisma.conversation.findFirst({ where: { visitorId: visitor.id, status: { not: 'closed' } }, orderBy: { createdAt: 'desc' } });
      const created = await deps.routing.createOfflineMessage({
        visitorId: visitor.id,
        channelId: identity.channelId,
        conversationId: open?.id ?? null,
        name: input.name,
        phone: input.phone,
        email: input.email,
        content: input.content,
      });
      await app.bus.publish({
        name: 'notice',
        audience: 'agents',
        kind: 'offline_message.created',
        payload: { id: created.id, channelId: identity.channelId, visitorId: visitor.id, name: input.name ?? null, content: input.content.slice(0, 200), createdAt: created.createdAt.toISOString() },
      });
      if (open) await app.conversations.sendAutomatic(open.id, 'system', { text: settings.thanks, data: { offlineMessageId: created.id } });
      ctx.status = 201;
      return { offlineMessage: { id: created.id, status: 'open' } };
    });

    api.post('/api/widget/rating', { summary: 'Rate the conversation just closed (1–5, tags, comment); once', access: 'visitor', tag: 'widget' }, async (ctx) => {
      const { visitor } = await visitorFromToken(app, bearer(ctx));
      const input = parseInput(ratingSchema, ctx.request.body);
      const id = visitor ? await deps.routing.findOpenRatingInvitation({ channelId: visitor.channelId, externalId: visitor.externalId }, new Date()) : null;
      if (!id) throw new AppError('conversation_not_found', { userMessage: 'There is no conversation waiting for a rating.' });
      const conversation = await app.conversations.requireConversation(id);
      await deps.satisfaction.rate(conversation, input, { type: 'visitor', id: visitor!.id });
      ctx.status = 201;
      return { ok: true, conversationId: id };
    });
  };
}

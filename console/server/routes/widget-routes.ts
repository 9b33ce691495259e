import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { normalizeWebMessage } from '../../../connectors/web/normalize.ts';
import { newVisitorKey, signVisitorToken, verifyVisitorToken, type VisitorIdentity } from '../../../connectors/web/visitor-token.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { conversationDto, messageDto } from '../dto.ts';
import { receiveImage } from '../uploads.ts';
import { parseInput } from '../validate.ts';
import type { Context } from 'koa';

const sessionSchema = z.object({
  channelId: z.string().uuid('must be the channel id from the embed code'),
  visitorToken: z.string().max(300).optional(),
  profile: z
    .object({
      page: z.string().max(500).optional(),
      title: z.string().max(200).optional(),
      referrer: z.string().max(500).optional(),
      device: z.enum(['pc', 'h5']).optional(),
      language: z.string().max(20).optional(),
      name: z.string().max(60).optional(),
    })
    .optional(),
});
const afterSchema = z.object({ after: z.coerce.number().int().min(0).default(0) });
const sendSchema = z.object({
  clientMessageId: z.string().min(8, 'must be at least 8 characters').max(64),
  kind: z.enum(['text', 'image']).default('text'),
  text: z.string().max(5000, 'a message can have at most 5000 characters').optional(),
  mediaUrl: z.string().regex(/^\/uploads\/[\w/.-]+$/, 'must be a URL returned by an upload').optional(),
});

export interface WidgetSettings {
  title: string;
  greeting?: string;
  handoffButton: boolean;
  offlineMessageForm: boolean;
}

/** Resolves the visitor behind a bearer visitor token. */
export async function visitorFromToken(app: AppContext, token: string | undefined) {
  const identity = verifyVisitorToken(app.secret, token);
  const visitor = await app.prisma.visitor.findUnique({
    where: { channelId_externalId: { channelId: identity.channelId, externalId: identity.visitorKey } },
  });
  return { identity, visitor };
}

function bearer(ctx: Context): string | undefined {
  const header = ctx.get('authorization');
  return header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/** Sends one visitor message from the web: shared by the socket and the HTTP fallback. */
export async function receiveWebMessage(app: AppContext, identity: VisitorIdentity, input: z.infer<typeof sendSchema>) {
  if (input.kind === 'text' && !input.text?.trim()) throw new AppError('validation_failed', { userMessage: 'A text message cannot be empty.' });
  if (input.kind === 'image' && !input.mediaUrl) throw new AppError('validation_failed', { userMessage: 'An image message needs an uploaded image.' });
  await app.limits.consume('visitorMessage', identity.visitorKey);
  return app.conversations.receive(normalizeWebMessage(identity.channelId, identity.visitorKey, input));
}

export function widgetRoutes(api: ApiRouter, app: AppContext): void {
  api.post('/api/widget/session', { summary: 'Start or resume a visitor session; returns the visitor token and history', access: 'public', tag: 'widget' }, async (ctx) => {
    const input = parseInput(sessionSchema, ctx.request.body);
    const channel = await app.prisma.channel.findUnique({ where: { id: input.channelId } });
    if (!channel || channel.type !== 'web') throw new AppError('channel_not_found', { userMessage: 'This chat channel does not exist.' });
    if (!channel.enabled) throw new AppError('channel_disabled', { userMessage: 'This chat channel is disabled.' });
    let identity: VisitorIdentity | null = null;
    if (input.visitorToken) {
      try {
        const parsed = verifyVisitorToken(app.secret, input.visitorToken);
        if (parsed.channelId === channel.id) identity = parsed;
      } catch {
        identity = null; // A stale or foreign token starts a fresh visitor instead of failing the widget.
      }
    }
    if (!identity) {
      await app.limits.consume('widgetSession', ctx.ip);
      identity = { channelId: channel.id, visitorKey: newVisitorKey() };
    }
    const profile = { ...(input.profile ?? {}), ip: ctx.ip, userAgent: ctx.get('user-agent').slice(0, 300) };
    const record = await app.prisma.visitor.upsert({
      where: { channelId_externalId: { channelId: channel.id, externalId: identity.visitorKey } },
      create: { channelId: channel.id, externalId: identity.visitorKey, profile, name: input.profile?.name ?? null },
      update: { lastSeenAt: new Date(), profile },
    });
    const open = await app.prisma.conversation.findFirst({ where: { visitorId: record.id, status: { not: 'closed' } }, orderBy: { createdAt: 'desc' } });
    const conversation = open ? await app.conversations.requireConversation(open.id) : null;
    const messages = await app.queries.latestMessagesForVisitor(record.id, 200);
    const settings = (channel.settings ?? {}) as Record<string, unknown>;
    const widget: WidgetSettings = {
      title: typeof settings.title === 'string' ? settings.title : channel.name,
      greeting: typeof settings.greeting === 'string' ? settings.greeting : undefined,
      handoffButton: settings.handoffButton !== false,
      offlineMessageForm: false,
    };
    return {
      visitorToken: signVisitorToken(app.secret, identity),
      visitorId: record.id,
      conversation: conversation ? conversationDto(conversation, { queuePosition: await app.queries.queuePosition(conversation) }) : null,
      messages: messages.map(messageDto),
      settings: widget,
    };
  });

  api.get('/api/widget/messages', { summary: 'Visitor history after a cursor', access: 'visitor', tag: 'widget' }, async (ctx) => {
    const { visitor } = await visitorFromToken(app, bearer(ctx));
    const { after } = parseInput(afterSchema, ctx.query);
    if (!visitor) return { items: [] };
    const items = await app.queries.messagesForVisitorAfter(visitor.id, after);
    return { items: items.map(messageDto) };
  });

  api.post('/api/widget/messages', { summary: 'Send a visitor message (HTTP fallback; idempotent by clientMessageId)', access: 'visitor', tag: 'widget' }, async (ctx) => {
    const { identity } = await visitorFromToken(app, bearer(ctx));
    const input = parseInput(sendSchema, ctx.request.body);
    const result = await receiveWebMessage(app, identity, input);
    ctx.status = result.duplicate ? 200 : 201;
    return { message: messageDto(result.message), duplicate: result.duplicate };
  });

  api.post('/api/widget/uploads', { summary: 'Upload an image (PNG, JPEG, GIF, WebP; ≤ 10 MB)', access: 'visitor', tag: 'widget' }, async (ctx) => {
    await visitorFromToken(app, bearer(ctx));
    ctx.status = 201;
    return receiveImage(ctx, app.config.uploadDir);
  });

  api.post('/api/widget/handoff', { summary: 'The visitor presses 转人工', access: 'visitor', tag: 'widget' }, async (ctx) => {
    const { visitor } = await visitorFromToken(app, bearer(ctx));
    const open = visitor
      ? await app.prisma.conversation.findFirst({ where: { visitorId: visitor.id, status: { not: 'closed' } }, orderBy: { createdAt: 'desc' } })
      : null;
    if (!open) throw new AppError('conversation_not_found', { userMessage: 'Send a message first.' });
    const conversation = await app.conversations.handOff(open.id, { type: 'visitor', id: visitor!.id }, 'button');
    return { conversation: conversationDto(conversation, { queuePosition: await app.queries.queuePosition(conversation) }) };
  });

  api.post('/api/widget/close', { summary: 'The visitor leaves and ends the conversation', access: 'visitor', tag: 'widget' }, async (ctx) => {
    const { visitor } = await visitorFromToken(app, bearer(ctx));
    const open = visitor
      ? await app.prisma.conversation.findFirst({ where: { visitorId: visitor.id, status: { not: 'closed' } }, orderBy: { createdAt: 'desc' } })
      : null;
    if (!open) return { ok: true };
    await app.conversations.close(open.id, { type: 'visitor', id: visitor!.id }, 'visitor_left');
    return { ok: true };
  });
}

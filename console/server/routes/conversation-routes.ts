import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { conversationDto, messageDto } from '../dto.ts';
import { requireAdmin, requireUser, type SessionUser } from '../sessions.ts';
import { parseInput } from '../validate.ts';
import type { ConversationRecord } from '../../../core/conversation/records.ts';

const listSchema = z.object({ view: z.enum(['mine', 'queue', 'all']).default('mine') });
const pageSchema = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const sendSchema = z.object({
  clientMessageId: z.string().min(8, 'must be at least 8 characters').max(64),
  kind: z.enum(['text', 'image']).default('text'),
  text: z.string().max(5000, 'a message can have at most 5000 characters').optional(),
  mediaUrl: z.string().regex(/^\/uploads\/[\w/.-]+$/, 'must be a URL returned by an upload').optional(),
});
const transferSchema = z.object({ agentId: z.string().uuid('must be an agent id'), note: z.string().max(500).optional() });
const assignSchema = z.object({ agentId: z.string().uuid('must be an agent id') });

/** Agents see their own and queued conversations; admins see all (seed: 会话列表). */
export function canSee(user: SessionUser, conversation: ConversationRecord): boolean {
  return user.role === 'admin' || conversation.assigneeId === user.id || conversation.status === 'queued';
}

export function conversationRoutes(api: ApiRouter, app: AppContext): void {
  const load = async (user: SessionUser, id: string) => {
    const conversation = await app.conversations.requireConversation(id);
    if (!canSee(user, conversation)) throw new AppError('conversation_not_found', { userMessage: 'This conversation does not exist.' });
    return conversation;
  };
  const actor = (user: SessionUser) => ({ type: 'agent' as const, id: user.id, role: user.role, name: user.name });

  api.get('/api/conversations', { summary: 'Conversation list: mine, queue, or all (admins)', access: 'user', scope: 'read:conversations', tag: 'conversations' }, async (ctx) => {
    const user = requireUser(ctx);
    const { view } = parseInput(listSchema, ctx.query);
    if (view === 'all' && user.role !== 'admin') throw new AppError('forbidden', { userMessage: 'Only admins see all conversations.' });
    const items = await app.queries.listConversations(view, user.id);
    return { items: items.map((c) => conversationDto(c)) };
  });

  api.get('/api/conversations/:id', { summary: 'One conversation', access: 'user', scope: 'read:conversations', tag: 'conversations' }, async (ctx) => {
    const conversation = await load(requireUser(ctx), ctx.params.id);
    return { conversation: conversationDto(conversation, { queuePosition: await app.queries.queuePosition(conversation) }) };
  });

  api.get('/api/conversations/:id/messages', { summary: 'History page, oldest first; `before` loads older', access: 'user', scope: 'read:conversations', tag: 'conversations' }, async (ctx) => {
    const conversation = await load(requireUser(ctx), ctx.params.id);
    const { before, limit } = parseInput(pageSchema, ctx.query);
    const items = await app.queries.listMessages(conversation.id, before, limit);
    return { items: items.map(messageDto) };
  });

  api.post('/api/conversations/:id/messages', { summary: 'Send a reply (idempotent by clientMessageId)', access: 'user', scope: 'send:messages', tag: 'conversations' }, async (ctx) => {
    const user = requireUser(ctx);
    const input = parseInput(sendSchema, ctx.request.body);
    const result = await app.conversations.sendAgentMessage(actor(user), ctx.params.id, input);
    ctx.status = result.duplicate ? 200 : 201;
    return { message: messageDto(result.message), duplicate: result.duplicate };
  });

  api.post('/api/conversations/:id/pick', { summary: 'Take a queued conversation (接入)', access: 'user', tag: 'conversations' }, async (ctx) => {
    const user = requireUser(ctx);
    const conversation = await app.conversations.assign(ctx.params.id, user.id, actor(user), 'pick');
    return { conversation: conversationDto(conversation) };
  });

  api.post('/api/conversations/:id/assign', { summary: 'Admin: assign a queued conversation to an online agent', access: 'admin', tag: 'conversations' }, async (ctx) => {
    const admin = requireAdmin(ctx);
    const { agentId } = parseInput(assignSchema, ctx.request.body);
    const conversation = await app.conversations.assign(ctx.params.id, agentId, actor(admin), 'admin');
    return { conversation: conversationDto(conversation) };
  });

  api.post('/api/conversations/:id/transfer', { summary: 'Transfer to another online agent (转接)', access: 'user', tag: 'conversations' }, async (ctx) => {
    const user = requireUser(ctx);
    const { agentId, note } = parseInput(transferSchema, ctx.request.body);
    await load(user, ctx.params.id);
    const conversation = await app.conversations.transfer(ctx.params.id, agentId, actor(user), note);
    return { conversation: conversationDto(conversation) };
  });

  api.post('/api/conversations/:id/close', { summary: 'Close the conversation (结束会话)', access: 'user', tag: 'conversations' }, async (ctx) => {
    const user = requireUser(ctx);
    await load(user, ctx.params.id);
    const conversation = await app.conversations.close(ctx.params.id, actor(user), 'agent');
    return { conversation: conversationDto(conversation) };
  });

  api.post('/api/conversations/:id/read', { summary: 'Mark as read', access: 'user', tag: 'conversations' }, async (ctx) => {
    const conversation = await load(requireUser(ctx), ctx.params.id);
    await app.prisma.conversation.update({ where: { id: conversation.id }, data: { unreadCount: 0 } });
    return { ok: true };
  });
}

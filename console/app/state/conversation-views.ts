import type { ConversationDto, MessageDto, Role } from '../../shared/protocol.ts';
import type { ConversationView } from '../data/conversations.ts';

/** The list tabs a role sees: admins 所有客户 / 我的客户 / 排队客户, agents 我的客户 / 排队客户. */
export function viewsFor(role: Role): ConversationView[] {
  return role === 'admin' ? ['all', 'mine', 'queue'] : ['mine', 'queue'];
}

/**
 * Whether a live conversation update belongs in a tab. Mirrors the server's `view` filter so rows
 * appear and leave without a reload; a reload after reconnect corrects any drift.
 */
export function belongsToView(conversation: ConversationDto, view: ConversationView, userId: string): boolean {
  switch (view) {
    case 'mine':
      return conversation.status === 'assigned' && conversation.assigneeId === userId;
    case 'queue':
      return conversation.status === 'queued';
    case 'all':
      return conversation.status !== 'closed';
  }
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) || 0 : 0);

/** Queue rows longest-waiting first; other tabs most recent activity first. */
export function sortForView(list: readonly ConversationDto[], view: ConversationView): ConversationDto[] {
  const sorted = [...list];
  if (view === 'queue') sorted.sort((a, b) => time(a.queuedAt ?? a.createdAt) - time(b.queuedAt ?? b.createdAt));
  else sorted.sort((a, b) => time(b.lastMessageAt ?? b.createdAt) - time(a.lastMessageAt ?? a.createdAt));
  return sorted;
}

/** Inserts, replaces or removes `conversation` in a tab's rows, keeping the tab's order. */
export function applyConversation(
  list: readonly ConversationDto[],
  conversation: ConversationDto,
  view: ConversationView,
  userId: string,
): ConversationDto[] {
  const rest = list.filter((row) => row.id !== conversation.id);
  if (!belongsToView(conversation, view, userId)) return rest.length === list.length ? [...list] : rest;
  return sortForView([...rest, conversation], view);
}

/**
 * Reflects a new message in its row: preview, time, and one more unread for a visitor message in a
 * conversation that is not open. Rows of other tabs are left alone.
 */
export function applyMessage(
  list: readonly ConversationDto[],
  message: MessageDto,
  view: ConversationView,
  options: { openConversationId: string | null; preview: string | null },
): ConversationDto[] {
  const index = list.findIndex((row) => row.id === message.conversationId);
  if (index < 0) return [...list];
  const row = list[index]!;
  if (row.lastMessageAt && time(row.lastMessageAt) > time(message.createdAt)) return [...list];
  const unread = message.sender === 'visitor' && row.id !== options.openConversationId;
  const updated: ConversationDto = {
    ...row,
    lastMessageAt: message.createdAt,
    lastMessagePreview: options.preview ?? row.lastMessagePreview,
    unreadCount: unread ? row.unreadCount + 1 : row.unreadCount,
  };
  const next = [...list];
  next[index] = updated;
  return sortForView(next, view);
}

import { describe, it, expect } from 'vitest';
import type { ConversationDto, MessageDto } from '../../shared/protocol.ts';
import { applyConversation, applyMessage, belongsToView, sortForView, viewsFor } from './conversation-views.ts';

function conversation(id: string, extra: Partial<ConversationDto> = {}): ConversationDto {
  return {
    id, status: 'assigned', channelId: 'ch1', channelType: 'web',
    visitor: { id: `v-${id}`, name: `Visitor ${id}`, channelType: 'web', firstSeenAt: '2024-01-01T00:00:00Z' },
    assigneeId: 'me', reachedHuman: true, queuedAt: null, assignedAt: null, closedAt: null,
    lastMessageAt: '2024-01-01T10:00:00Z', lastMessagePreview: null, unreadCount: 0, createdAt: '2024-01-01T09:00:00Z',
    ...extra,
  };
}

function visitorMessage(conversationId: string, createdAt: string): MessageDto {
  return {
    id: 'm1', seq: 1, conversationId, sender: 'visitor', senderId: null, kind: 'text', text: 'hello', mediaUrl: null,
    clientMessageId: null, deliveryStatus: 'sent', failureReason: null, createdAt,
  };
}

describe('viewsFor()', () => {
  it('gives admins three tabs and agents two', () => {
    expect(viewsFor('admin')).toEqual(['all', 'mine', 'queue']);
    expect(viewsFor('agent')).toEqual(['mine', 'queue']);
  });
});

describe('belongsToView()', () => {
  it('puts only my assigned conversations in mine and only queued ones in the queue', () => {
    expect(belongsToView(conversation('a'), 'mine', 'me')).toBe(true);
    expect(belongsToView(conversation('a', { assigneeId: 'other' }), 'mine', 'me')).toBe(false);
    expect(belongsToView(conversation('a', { status: 'queued', assigneeId: null }), 'queue', 'me')).toBe(true);
    expect(belongsToView(conversation('a'), 'queue', 'me')).toBe(false);
    expect(belongsToView(conversation('a', { status: 'closed' }), 'all', 'me')).toBe(false);
  });
});

describe('sortForView()', () => {
  it('orders the queue by longest wait and other tabs by latest activity', () => {
    const a = conversation('a', { queuedAt: '2024-01-01T10:05:00Z', lastMessageAt: '2024-01-01T11:00:00Z' });
    const b = conversation('b', { queuedAt: '2024-01-01T10:01:00Z', lastMessageAt: '2024-01-01T10:30:00Z' });
    expect(sortForView([a, b], 'queue').map((c) => c.id)).toEqual(['b', 'a']);
    expect(sortForView([b, a], 'mine').map((c) => c.id)).toEqual(['a', 'b']);
  });
});

describe('applyConversation()', () => {
  it('removes a row that leaves the tab and adds one that joins it', () => {
    const rows = [conversation('a', { status: 'queued', assigneeId: null })];
    expect(applyConversation(rows, conversation('a'), 'queue', 'me')).toEqual([]);
    const added = applyConversation(rows, conversation('b', { status: 'queued', assigneeId: null }), 'queue', 'me');
    expect(added.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('replaces a row in place of duplicating it', () => {
    const rows = [conversation('a')];
    const updated = applyConversation(rows, conversation('a', { unreadCount: 4 }), 'mine', 'me');
    expect(updated).toHaveLength(1);
    expect(updated[0]?.unreadCount).toBe(4);
  });
});

describe('applyMessage()', () => {
  it('updates the preview and counts a visitor message as unread unless the conversation is open', () => {
    const rows = [conversation('a'), conversation('b')];
    const message = visitorMessage('b', '2024-01-01T12:00:00Z');
    const closed = applyMessage(rows, message, 'mine', { openConversationId: null, preview: 'hello' });
    expect(closed.map((c) => c.id)).toEqual(['b', 'a']);
    expect(closed[0]).toMatchObject({ lastMessagePreview: 'hello', unreadCount: 1 });
    const open = applyMessage(rows, message, 'mine', { openConversationId: 'b', preview: 'hello' });
    expect(open.find((c) => c.id === 'b')?.unreadCount).toBe(0);
  });

  it('ignores a replayed message older than the row', () => {
    const rows = [conversation('a', { lastMessagePreview: 'newer' })];
    const next = applyMessage(rows, visitorMessage('a', '2024-01-01T08:00:00Z'), 'mine', { openConversationId: null, preview: 'old' });
    expect(next[0]).toMatchObject({ lastMessagePreview: 'newer', unreadCount: 0 });
  });
});

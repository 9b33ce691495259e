import { describe, expect, it } from 'vitest';
import type { ConversationRecord, MessageRecord } from '../conversation/records.ts';
import { deliveryIdFor, isSubscribed, toWebhookEvent } from './webhook-events.ts';

const conversation = {
  id: '11111111-1111-4111-8111-111111111111',
  channelId: 'c1',
  channelType: 'web',
  visitorId: 'v1',
  visitor: { id: 'v1', name: '访客' },
  status: 'closed',
  assigneeId: 'a1',
  assigneeName: 'agent',
  closeReason: 'agent',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  assignedAt: new Date('2026-01-01T00:01:00Z'),
  closedAt: new Date('2026-01-01T00:05:00Z'),
} as unknown as ConversationRecord;

function message(over: Partial<MessageRecord>): MessageRecord {
  return { id: 'm1', conversationId: conversation.id, sender: 'visitor', senderId: null, senderName: null, kind: 'text', content: 'hi', mediaUrl: null, data: null, createdAt: new Date('2026-01-01T00:02:00Z'), ...over } as MessageRecord;
}

describe('toWebhookEvent', () => {
  it('reports visitor and agent messages as message.created', () => {
    const hook = toWebhookEvent({ name: 'message.created', conversation, message: message({}) });
    expect(hook?.event).toBe('message.created');
    expect((hook?.data.message as { text: string }).text).toBe('hi');
  });

  it('turns the rating system message into rating.created and drops other system events', () => {
    const rating = toWebhookEvent({ name: 'message.created', conversation, message: message({ kind: 'event', sender: 'system', data: { event: 'rating.created', score: 5, tags: [] } }) });
    expect(rating).toMatchObject({ event: 'rating.created', data: { rating: { score: 5, tags: [] } } });
    expect(toWebhookEvent({ name: 'message.created', conversation, message: message({ kind: 'event', data: { event: 'handoff' } }) })).toBeNull();
  });

  it('reports a transfer as conversation.assigned and ignores typing', () => {
    expect(toWebhookEvent({ name: 'conversation.transferred', conversation, previousAssigneeId: 'a0' })).toMatchObject({ event: 'conversation.assigned', data: { transfer: true, previousAssigneeId: 'a0' } });
    expect(toWebhookEvent({ name: 'conversation.typing', conversation, from: 'visitor' })).toBeNull();
  });

  it('maps the 留言 notice and ignores other notices', () => {
    expect(toWebhookEvent({ name: 'notice', audience: 'agents', kind: 'offline_message.created', payload: { id: 'o1' } })?.key).toBe('offline_message.created-o1');
    expect(toWebhookEvent({ name: 'notice', audience: 'agents', kind: 'offline_message.done', payload: { id: 'o1' } })).toBeNull();
  });
});

describe('subscriptions and delivery ids', () => {
  it('matches listed events and the wildcard only', () => {
    expect(isSubscribed(['message.created'], 'message.created')).toBe(true);
    expect(isSubscribed(['message.created'], 'conversation.closed')).toBe(false);
    expect(isSubscribed(['*'], 'conversation.closed')).toBe(true);
  });

  it('derives the same uuid for the same webhook and event, and different ones otherwise', () => {
    const id = deliveryIdFor('w1', 'message.created-m1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deliveryIdFor('w1', 'message.created-m1')).toBe(id);
    expect(deliveryIdFor('w2', 'message.created-m1')).not.toBe(id);
  });
});

import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeKnownBatch, type KnownIntake } from '../../infra/intake-batch.ts';
import { PrismaConversationStore } from '../../infra/conversation-store.ts';
import { startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

describe('known-visitor intake in batches', () => {
  let kefu: TestKefu;

  beforeAll(async () => {
    kefu = await startTestKefu({ role: 'api' });
  }, 60_000);
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  /** A visitor with an open conversation, made through the full intake path. */
  async function openVisitor(): Promise<{ externalId: string; conversationId: string }> {
    const externalId = `v-${crypto.randomUUID()}`;
    const { conversation } = await kefu.app.conversations.receive({
      channelId: kefu.webChannelId,
      channelType: 'web',
      channelMessageId: `first-${externalId}`,
      visitor: { externalId },
      kind: 'text',
      text: '你好',
      origin: 'visitor',
      sentAt: new Date(),
    });
    return { externalId, conversationId: conversation.id };
  }

  const item = (externalId: string, text: string, over: Partial<KnownIntake> = {}): KnownIntake => ({
    channelId: kefu.webChannelId,
    externalId,
    sender: 'visitor',
    kind: 'text',
    content: text,
    originalContent: null,
    mediaUrl: null,
    channelMessageId: `m-${crypto.randomUUID()}`,
    ...over,
  });

  it('stores each known visitor message once with its conversation as it now is, and leaves the rest to the full path', async () => {
    const a = await openVisitor();
    const b = await openVisitor();
    const stored = item(b.externalId, 'before');
    await intakeKnownBatch(kefu.app.db.sql, [stored]);

    const items = [
      item(a.externalId, '第一条'),
      item(b.externalId, '', { kind: 'image', content: null, mediaUrl: '/uploads/x.png' }),
      item(`nobody-${crypto.randomUUID()}`, 'unknown visitor'),
      { ...stored, content: 'resent' },
      item(a.externalId, '客服回复', { sender: 'agent' }),
    ];
    // One per visitor in a batch (the batcher's rule): a's agent reply goes in a second batch.
    const first = await intakeKnownBatch(kefu.app.db.sql, items.slice(0, 4));
    const second = await intakeKnownBatch(kefu.app.db.sql, items.slice(4));

    expect(first.map((r) => r?.message.content ?? r?.message.kind ?? null)).toEqual(['第一条', 'image', null, null]);
    expect(first[0]!.conversation.id).toBe(a.conversationId);
    expect(first[0]!.conversation.unreadCount).toBe(2);
    expect(first[0]!.conversation.lastMessagePreview).toBe('第一条');
    expect(first[0]!.message.senderId).toBe(first[0]!.conversation.visitorId);
    expect(first[1]!.conversation.lastMessagePreview).toBe('[图片]');
    expect(first[1]!.conversation.unreadCount).toBe(3);
    expect(first[0]!.message.seq).toBeLessThan(first[1]!.message.seq);

    expect(second[0]!.message.sender).toBe('agent');
    expect(second[0]!.message.senderId).toBeNull();
    expect(second[0]!.conversation.unreadCount).toBe(0);
    expect(second[0]!.conversation.lastAgentMessageAt).not.toBeNull();

    const count = await kefu.app.prisma.message.count({
      where: { conversationId: { in: [a.conversationId, b.conversationId] }, sender: { in: ['visitor', 'agent'] } },
    });
    expect(count).toBe(6);
  });

  it('keeps one visitor’s concurrent messages in the order they came, each once', async () => {
    const { externalId, conversationId } = await openVisitor();
    const others = await Promise.all([openVisitor(), openVisitor()]);
    const store = new PrismaConversationStore(kefu.app.prisma, kefu.app.db.sql);
    const texts = Array.from({ length: 30 }, (_, i) => `msg ${i}`);
    const results = await Promise.all(
      texts.flatMap((text, i) => [
        store.intakeKnown(item(externalId, text)),
        store.intakeKnown(item(others[i % 2].externalId, `other ${i}`)),
      ]),
    );
    expect(results.every((r) => r !== null)).toBe(true);
    const rows = await kefu.app.prisma.message.findMany({ where: { conversationId, sender: 'visitor' }, orderBy: { seq: 'asc' }, select: { content: true } });
    expect(rows.map((r) => r.content)).toEqual(['你好', ...texts]);
    const conversation = await kefu.app.conversations.requireConversation(conversationId);
    expect(conversation.unreadCount).toBe(31);
    expect(conversation.lastMessagePreview).toBe('msg 29');
  });
});

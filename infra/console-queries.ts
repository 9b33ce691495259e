import type { ConversationRef } from '../core/conversation/bus-events.ts';
import type { ConversationRecord, MessageRecord } from '../core/conversation/records.ts';
import type { Prisma, PrismaClient } from '../prisma/generated/client.ts';
import { toConversation, toMessage } from './conversation-rows.ts';

export type ConversationView = 'mine' | 'queue' | 'all';

const include = { visitor: true, channel: { select: { type: true } }, assignee: { select: { name: true } } } as const;

/** Read models for the console and widget: lists, history pages and resume replays. */
export class ConsoleQueries {
  constructor(private readonly prisma: PrismaClient) {}

  async listConversations(view: ConversationView, userId: string, limit = 500): Promise<ConversationRecord[]> {
    const where: Prisma.ConversationWhereInput =
      view === 'mine'
        ? { assigneeId: userId, status: 'assigned' }
        : view === 'queue'
          ? { status: 'queued' }
          : { status: { not: 'closed' } };
    const rows = await this.prisma.conversation.findMany({
      where,
      include,
      orderBy: view === 'queue' ? [{ priority: 'asc' }, { queuedAt: 'asc' }] : [{ lastMessageAt: { sort: 'desc', nulls: 'last' } }],
      take: limit,
    });
    return rows.map(toConversation);
  }

  async queuePosition(conversation: Pick<ConversationRecord, 'id' | 'status' | 'priority' | 'queuedAt'>): Promise<number | null> {
    if (conversation.status !== 'queued' || !conversation.queuedAt) return null;
    const queuedAt = new Date(conversation.queuedAt);
    const ahead = await this.prisma.conversation.count({
      where: {
        status: 'queued',
        OR: [{ priority: { lt: conversation.priority } }, { priority: conversation.priority, queuedAt: { lt: queuedAt } }],
      },
    });
    return ahead + 1;
  }

  /** A page of history, oldest first; `before` is a seq cursor for loading older messages. */
  async listMessages(conversationId: string, before: number | undefined, limit: number): Promise<MessageRecord[]> {
    const rows = await this.prisma.message.findMany({
      where: { conversationId, ...(before ? { seq: { lt: BigInt(before) } } : {}) },
      orderBy: { seq: 'desc' },
      take: limit,
    });
    return this.named(rows.reverse().map(toMessage));
  }

  /** The newest `limit` messages of one visitor (all of their conversations), oldest first. */
  async latestMessagesForVisitor(visitorId: string, limit: number): Promise<MessageRecord[]> {
    const rows = await this.prisma.message.findMany({
      where: { conversation: { visitorId } },
      orderBy: { seq: 'desc' },
      take: limit,
    });
    return this.named(rows.reverse().map(toMessage));
  }

  /** Messages after a cursor for one visitor (all of their conversations), for resume. */
  async messagesForVisitorAfter(visitorId: string, after: number, limit = 500): Promise<MessageRecord[]> {
    const rows = await this.prisma.message.findMany({
      where: { seq: { gt: BigInt(after) }, conversation: { visitorId } },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return this.named(rows.map(toMessage));
  }

  /** Messages after a cursor that an agent may see: its own and queued conversations, or all for admins. */
  async messagesForAgentAfter(userId: string, admin: boolean, after: number, limit = 1000): Promise<MessageRecord[]> {
    const rows = await this.prisma.message.findMany({
      where: {
        seq: { gt: BigInt(after) },
        ...(admin ? {} : { conversation: { OR: [{ assigneeId: userId }, { status: 'queued' }] } }),
      },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return this.named(rows.map(toMessage));
  }

  /** The messages among these seqs that exist, each with what routes it to sockets, in seq order. */
  async messagesWithRoutes(seqs: number[]): Promise<{ message: MessageRecord; conversation: ConversationRef }[]> {
    if (seqs.length === 0) return [];
    const rows = await this.prisma.message.findMany({
      where: { seq: { in: seqs.map((seq) => BigInt(seq)) } },
      include: {
        conversation: { select: { id: true, channelId: true, visitorId: true, status: true, assigneeId: true, queuedAt: true, channel: { select: { type: true } } } },
      },
      orderBy: { seq: 'asc' },
    });
    const messages = await this.named(rows.map(toMessage));
    return rows.map(({ conversation: c }, i) => ({
      message: messages[i]!,
      conversation: { id: c.id, channelId: c.channelId, channelType: c.channel.type, visitorId: c.visitorId, status: c.status, assigneeId: c.assigneeId, queuedAt: c.queuedAt },
    }));
  }

  async latestSeq(): Promise<number> {
    const row = await this.prisma.message.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    return row ? Number(row.seq) : 0;
  }

  async visitorConversations(visitorId: string, limit = 20): Promise<ConversationRecord[]> {
    const rows = await this.prisma.conversation.findMany({ where: { visitorId }, include, orderBy: { createdAt: 'desc' }, take: limit });
    return rows.map(toConversation);
  }

  private async named(messages: MessageRecord[]): Promise<MessageRecord[]> {
    const ids = [...new Set(messages.filter((m) => m.sender === 'agent' && m.senderId).map((m) => m.senderId!))].filter((id) =>
      /^[0-9a-f-]{36}$/i.test(id),
    );
    if (ids.length === 0) return messages;
    const users = await this.prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
    const names = new Map(users.map((u) => [u.id, u.name]));
    return messages.map((m) => (m.senderId && names.has(m.senderId) ? { ...m, senderName: names.get(m.senderId)! } : m));
  }
}

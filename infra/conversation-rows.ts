import type { AgentRecord, ConversationRecord, MessageRecord, VisitorRecord } from '../core/conversation/records.ts';

/** Rows as PostgreSQL returns them (snake_case from raw SQL, camelCase from Prisma). */
export type Row = Record<string, any>;

/** The joined conversation read: the row, its channel type, its assignee's name and its visitor as JSON. */
export const conversationColumns = `SELECT c.*, ch.type::text AS channel_type, u.name AS assignee_name, to_jsonb(v) AS visitor_json`;
export const conversationJoins = `JOIN channels ch ON ch.id = c.channel_id JOIN visitors v ON v.id = c.visitor_id LEFT JOIN users u ON u.id = c.assignee_id`;
export const conversationSelect = `${conversationColumns} FROM conversations c ${conversationJoins}`;

/** The joined read of the conversation rows a CTE named `t` updated, as one JSON value (null when none). */
export const updatedConversationJson = `(SELECT to_jsonb(x) FROM (
    SELECT t.*, ch.type::text AS channel_type, u.name AS assignee_name, to_jsonb(vv) AS visitor_json
    FROM t JOIN channels ch ON ch.id = t.channel_id JOIN visitors vv ON vv.id = t.visitor_id
    LEFT JOIN users u ON u.id = t.assignee_id) x)`;

/**
 * The SET list of a conversation's last-message fields after a message from `sender` at `at` (both SQL
 * expressions): a visitor message counts as unread and restarts the sent-since-visitor budget; an agent
 * message clears unread and, like a bot message, spends the budget.
 */
export function lastMessageSet(at: string, preview: string, sender: string): string {
  return `last_message_at = ${at},
    last_message_preview = ${preview},
    last_visitor_message_at = CASE WHEN ${sender} = 'visitor' THEN ${at} ELSE last_visitor_message_at END,
    last_agent_message_at = CASE WHEN ${sender} = 'agent' THEN ${at} ELSE last_agent_message_at END,
    first_response_at = CASE WHEN ${sender} = 'agent' THEN COALESCE(first_response_at, ${at}) ELSE first_response_at END,
    unread_count = CASE WHEN ${sender} = 'visitor' THEN unread_count + 1 WHEN ${sender} = 'agent' THEN 0 ELSE unread_count END,
    sent_since_visitor = CASE WHEN ${sender} = 'visitor' THEN 0 WHEN ${sender} IN ('agent', 'bot') THEN sent_since_visitor + 1 ELSE sent_since_visitor END,
    updated_at = now()`;
}

/** The preview of the message row `m`: its text, or [图片] for an image. */
export const messagePreview = `CASE WHEN m.kind = 'image' THEN '[图片]' ELSE left(coalesce(m.content, ''), 120) END`;

/** A raw joined row (snake_case, visitor as JSON) → ConversationRecord. */
export function toConversationRow(row: Row): ConversationRecord {
  return {
    id: row.id,
    channelId: row.channel_id,
    channelType: row.channel_type,
    visitorId: row.visitor_id,
    visitor: toVisitor(row.visitor_json),
    status: row.status,
    assigneeId: row.assignee_id ?? null,
    assigneeName: row.assignee_name ?? null,
    priority: row.priority,
    queuedAt: date(row.queued_at),
    assignedAt: date(row.assigned_at),
    closedAt: date(row.closed_at),
    lastVisitorMessageAt: date(row.last_visitor_message_at),
    lastAgentMessageAt: date(row.last_agent_message_at),
    lastMessageAt: date(row.last_message_at),
    lastMessagePreview: row.last_message_preview ?? null,
    closeReason: row.close_reason ?? null,
    reachedHuman: row.reached_human,
    botMisses: row.bot_misses,
    sentSinceVisitor: row.sent_since_visitor,
    unreadCount: row.unread_count,
    state: (row.state ?? {}) as Record<string, unknown>,
    createdAt: date(row.created_at)!,
  };
}


function pick(row: Row, camel: string, snake: string): any {
  return row[camel] !== undefined ? row[camel] : row[snake];
}

/** A timestamp from a row or from to_jsonb (which writes TIMESTAMP values without a zone: they are UTC). */
function date(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/(?:Z|[+-]\d\d(?::?\d\d)?)$/.test(text) ? text : `${text}Z`);
}

export function toVisitor(row: Row): VisitorRecord {
  return {
    id: row.id,
    channelId: pick(row, 'channelId', 'channel_id'),
    externalId: pick(row, 'externalId', 'external_id'),
    name: row.name ?? null,
    avatarUrl: pick(row, 'avatarUrl', 'avatar_url') ?? null,
    profile: (row.profile ?? {}) as Record<string, unknown>,
    contact: (row.contact ?? {}) as Record<string, string>,
    firstSeenAt: date(pick(row, 'firstSeenAt', 'first_seen_at'))!,
    lastAgentId: pick(row, 'lastAgentId', 'last_agent_id') ?? null,
    lastAgentAt: date(pick(row, 'lastAgentAt', 'last_agent_at')),
  };
}

export function toConversation(row: Row): ConversationRecord {
  return {
    id: row.id,
    channelId: row.channelId,
    channelType: row.channel.type,
    visitorId: row.visitorId,
    visitor: toVisitor(row.visitor),
    status: row.status,
    assigneeId: row.assigneeId ?? null,
    assigneeName: row.assignee?.name ?? null,
    priority: row.priority,
    queuedAt: row.queuedAt,
    assignedAt: row.assignedAt,
    closedAt: row.closedAt,
    lastVisitorMessageAt: row.lastVisitorMessageAt,
    lastAgentMessageAt: row.lastAgentMessageAt,
    lastMessageAt: row.lastMessageAt,
    lastMessagePreview: row.lastMessagePreview,
    closeReason: row.closeReason,
    reachedHuman: row.reachedHuman,
    botMisses: row.botMisses,
    sentSinceVisitor: row.sentSinceVisitor,
    unreadCount: row.unreadCount,
    state: (row.state ?? {}) as Record<string, unknown>,
    createdAt: row.createdAt,
  };
}

export function toMessage(row: Row): MessageRecord {
  return {
    id: row.id,
    seq: Number(row.seq),
    conversationId: pick(row, 'conversationId', 'conversation_id'),
    channelId: pick(row, 'channelId', 'channel_id'),
    sender: row.sender,
    senderId: pick(row, 'senderId', 'sender_id') ?? null,
    senderName: null,
    kind: row.kind,
    content: row.content ?? null,
    mediaUrl: pick(row, 'mediaUrl', 'media_url') ?? null,
    data: (row.data ?? null) as Record<string, unknown> | null,
    channelMessageId: pick(row, 'channelMessageId', 'channel_message_id') ?? null,
    clientMessageId: pick(row, 'clientMessageId', 'client_message_id') ?? null,
    deliveryStatus: pick(row, 'deliveryStatus', 'delivery_status'),
    failureReason: pick(row, 'failureReason', 'failure_reason') ?? null,
    createdAt: date(pick(row, 'createdAt', 'created_at'))!,
  };
}

export function toAgent(row: Row): AgentRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    autoAcceptLimit: row.autoAcceptLimit,
    activeCount: row.activeCount,
    disabled: row.disabled,
  };
}

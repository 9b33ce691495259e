import crypto from 'node:crypto';
import type { InboundVisitor } from '../connectors/connector.ts';
import type {
  ConversationStore,
  AssignOptions,
  AssignOutcome,
  BatchAssignment,
  BatchAssignOptions,
  BatchAssignResult,
  ConversationPatch,
  NewMessage,
  ConversationEventInput,
} from '../core/conversation/store.ts';
import type {
  AgentRecord,
  ChannelRecord,
  ConversationRecord,
  DeliveryStatus,
  MessageRecord,
  VisitorRecord,
} from '../core/conversation/records.ts';
import type { ConversationStatus } from '../core/conversation/transitions.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';
import { isUuid } from '../core/ids.ts';
import { applyAssignmentBatch } from './assignment-batch.ts';
import { intakeKnownBatch, type KnownIntake, type KnownIntakeResult } from './intake-batch.ts';
import { MicroBatcher } from './micro-batcher.ts';
import type { SqlExecutor } from './database.ts';
import {
  conversationColumns,
  conversationJoins,
  conversationSelect,
  lastMessageSet,
  messagePreview,
  toAgent,
  toConversationRow,
  toMessage,
  toVisitor,
  updatedConversationJson,
  type Row,
} from './conversation-rows.ts';

/** The conversation store on PostgreSQL (or PGlite) through Prisma; atomic paths in raw SQL. */
export class PrismaConversationStore implements ConversationStore {
  /** Known-visitor intakes arriving together share one statement (see `MicroBatcher`). */
  private readonly intake: MicroBatcher<KnownIntake, KnownIntakeResult>;

  /** `sql` runs the hot intake path directly on the driver: one round trip per step. */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlExecutor,
    private readonly transact?: <T>(fn: (sql: SqlExecutor) => Promise<T>) => Promise<T>,
  ) {
    this.intake = new MicroBatcher({
      runBatch: (items) => intakeKnownBatch(this.sql, items),
      runOne: async (item) => (await intakeKnownBatch(this.sql, [item]))[0],
      keyOf: (item) => `${item.channelId}\u0000${item.externalId}`,
    });
  }

  async inTransaction<T>(fn: (store: ConversationStore) => Promise<T>): Promise<T> {
    if (!this.transact) return fn(this);
    return this.transact((tx) => fn(new PrismaConversationStore(this.prisma, tx)));
  }

  /** `where` is a constant of its call site (`name` prepares it). */
  private async selectConversation(where: string, params: unknown[], name: string): Promise<ConversationRecord | null> {
    const rows = await this.sql.query<Row>(`${conversationSelect} WHERE ${where} ORDER BY c.created_at DESC LIMIT 1`, params, name);
    return rows[0] ? toConversationRow(rows[0]) : null;
  }

  async getChannel(id: string): Promise<ChannelRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.prisma.channel.findUnique({ where: { id } });
    return row ? { id: row.id, type: row.type, name: row.name, enabled: row.enabled, settings: (row.settings ?? {}) as Record<string, unknown> } : null;
  }

  async upsertVisitor(channelId: string, visitor: InboundVisitor): Promise<VisitorRecord> {
    const profile = visitor.profile ?? {};
    const rows = await this.sql.query<Row>(
      `INSERT INTO visitors (id, channel_id, external_id, name, avatar_url, profile)
       VALUES (gen_random_uuid(), $1::uuid, $2, $3, $4, $5::jsonb)
       ON CONFLICT (channel_id, external_id) DO UPDATE SET
         last_seen_at = now(),
         name = COALESCE(EXCLUDED.name, visitors.name),
         avatar_url = COALESCE(EXCLUDED.avatar_url, visitors.avatar_url),
         profile = visitors.profile || EXCLUDED.profile
       RETURNING *`,
      [channelId, visitor.externalId, visitor.name ?? null, visitor.avatarUrl ?? null, JSON.stringify(profile)],
    );
    return toVisitor(rows[0]);
  }

  /**
   * The common case in one statement: a known visitor with an open conversation sends text or an
   * image. Returns null when the slow path must run (new visitor, no open conversation, duplicate).
   */
  async intakeKnown(input: KnownIntake): Promise<KnownIntakeResult> {
    return this.intake.submit(input);
  }

  async getVisitor(id: string): Promise<VisitorRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.prisma.visitor.findUnique({ where: { id } });
    return row ? toVisitor(row) : null;
  }

  async findOpenConversation(visitorId: string): Promise<ConversationRecord | null> {
    return this.selectConversation(`c.visitor_id = $1::uuid AND c.status <> 'closed'`, [visitorId], 'kefu_open_conversation_of_visitor');
  }

  async createConversation(input: { channelId: string; visitorId: string; status: ConversationStatus }): Promise<ConversationRecord> {
    const rows = await this.sql.query<Row>(
      `WITH c AS (INSERT INTO conversations (id, channel_id, visitor_id, status, queued_at, updated_at)
         VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::"ConversationStatus", CASE WHEN $3 = 'queued' THEN now() END, now())
         ON CONFLICT (visitor_id) WHERE status <> 'closed' DO NOTHING
         RETURNING *)
       ${conversationColumns} FROM c ${conversationJoins}`,
      [input.channelId, input.visitorId, input.status],
    );
    if (rows[0]) return toConversationRow(rows[0]);
    // Another message of this visitor opened it a moment ago.
    const open = await this.findOpenConversation(input.visitorId);
    if (!open) throw new Error('conversation insert conflicted but no open conversation was found');
    return open;
  }

  async getConversation(id: string): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    return this.selectConversation('c.id = $1::uuid', [id], 'kefu_conversation_by_id');
  }

  async insertMessage(input: NewMessage): Promise<{ message: MessageRecord; duplicate: boolean }> {
    const rows = await this.sql.query<Row>(
      insertMessageSql,
      messageParams(input),
    );
    if (rows.length > 0) return { message: await this.withSenderName(toMessage(rows[0])), duplicate: false };
    // Through `sql`, not Prisma: inside an embedded (single-session) transaction Prisma would wait on it.
    const [existing] = input.channelMessageId
      ? await this.sql.query<Row>('SELECT * FROM messages WHERE channel_id = $1::uuid AND channel_message_id = $2', [input.channelId, input.channelMessageId])
      : await this.sql.query<Row>('SELECT * FROM messages WHERE conversation_id = $1::uuid AND client_message_id = $2', [input.conversationId, input.clientMessageId ?? '']);
    if (!existing) throw new Error('message insert conflicted but no existing message was found');
    return { message: await this.withSenderName(toMessage(existing)), duplicate: true };
  }

  async appendMessage(
    input: NewMessage,
    statePatch?: Record<string, unknown>,
  ): Promise<{ message: MessageRecord; conversation: ConversationRecord | null } | null> {
    const rows = await this.sql.query<Row>(appendMessageSql, [...messageParams(input), statePatch ? JSON.stringify(statePatch) : null], 'kefu_append_message');
    const row = rows[0];
    if (!row?.message) return null;
    const message = toMessage(row.message);
    return {
      message: message.sender === 'agent' ? { ...message, senderName: row.sender_name ?? null } : message,
      conversation: row.conversation ? toConversationRow(row.conversation) : null,
    };
  }

  private async withSenderName(message: MessageRecord): Promise<MessageRecord> {
    if (message.sender !== 'agent' || !message.senderId || !isUuid(message.senderId)) return message;
    const [user] = await this.sql.query<{ name: string }>('SELECT name FROM users WHERE id = $1::uuid', [message.senderId]);
    return { ...message, senderName: user?.name ?? null };
  }

  async touchConversation(
    id: string,
    message: Pick<MessageRecord, 'sender' | 'kind' | 'content' | 'createdAt'>,
  ): Promise<ConversationRecord> {
    const preview = message.kind === 'image' ? '[图片]' : (message.content ?? '').slice(0, 120);
    const rows = await this.sql.query<Row>(
      `WITH c AS (UPDATE conversations SET ${lastMessageSet('$2::timestamp', '$3', '$4')}
       WHERE id = $1::uuid RETURNING *)
       ${conversationColumns} FROM c ${conversationJoins}`,
      [id, message.createdAt, preview, message.sender],
    );
    return toConversationRow(rows[0]);
  }

  async updateConversation(id: string, from: ConversationStatus[], patch: ConversationPatch): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    const params: unknown[] = [id, from];
    const sets: string[] = [];
    const columns: string[] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const column = patchColumns[key as keyof ConversationPatch];
      params.push(key === 'state' ? JSON.stringify(value) : value);
      sets.push(`${column.name} = $${params.length}${column.cast}`);
      columns.push(column.name);
    }
    sets.push('updated_at = now()');
    // One statement: the compare-and-set and the read of the conversation as it now is.
    // Prepared per set of columns: a handful of shapes, each planned once per connection.
    const rows = await this.sql.query<Row>(
      `WITH c AS (UPDATE conversations SET ${sets.join(', ')}
         WHERE id = $1::uuid AND status::text = ANY($2::text[]) RETURNING *)
       ${conversationColumns} FROM c ${conversationJoins}`,
      params,
      updateStatementName(columns),
    );
    return rows.length ? toConversationRow(rows[0]) : null;
  }


  async assign(conversationId: string, agentId: string, options: AssignOptions): Promise<AssignOutcome> {
    if (!isUuid(conversationId) || !isUuid(agentId)) return { ok: false, reason: 'conversation_state' };
    const outcome = await this.prisma.$transaction(async (tx) => {
      const [conv] = await tx.$queryRawUnsafe<Row[]>(
        `SELECT status::text AS status, assignee_id, visitor_id FROM conversations WHERE id = $1::uuid FOR UPDATE`,
        conversationId,
      );
      if (!conv || !options.from.includes(conv.status)) return { ok: false as const, reason: 'conversation_state' as const };
      if (options.expectedAssigneeId !== undefined && (conv.assignee_id ?? null) !== options.expectedAssigneeId) {
        return { ok: false as const, reason: 'conversation_state' as const };
      }
      const claimed = await tx.$queryRawUnsafe<Row[]>(
        `UPDATE users SET active_count = active_count + 1, last_assigned_at = now()
         WHERE id = $1::uuid AND status = 'online' AND NOT disabled AND (NOT $2 OR active_count < auto_accept_limit)
         RETURNING id`,
        agentId,
        options.enforceLimit,
      );
      if (claimed.length === 0) {
        const [agent] = await tx.$queryRawUnsafe<Row[]>(`SELECT status::text AS status, disabled FROM users WHERE id = $1::uuid`, agentId);
        const reason = !agent || agent.status !== 'online' || agent.disabled ? 'agent_unavailable' : 'over_limit';
        return { ok: false as const, reason: reason as 'agent_unavailable' | 'over_limit' };
      }
      const previous: string | null = conv.assignee_id ?? null;
      if (previous) {
        await tx.$executeRawUnsafe(`UPDATE users SET active_count = GREATEST(active_count - 1, 0) WHERE id = $1::uuid`, previous);
      }
      await tx.$executeRawUnsafe(
        `UPDATE conversations SET status = 'assigned', assignee_id = $2::uuid, assigned_at = now(), reached_human = true,
           priority = 0, updated_at = now() WHERE id = $1::uuid`,
        conversationId,
        agentId,
      );
      await tx.$executeRawUnsafe(
        `UPDATE visitors SET last_agent_id = $2::uuid, last_agent_at = now() WHERE id = $1::uuid`,
        conv.visitor_id,
        agentId,
      );
      return { ok: true as const, previousAssigneeId: previous };
    });
    if (!outcome.ok) return outcome;
    return { ok: true, previousAssigneeId: outcome.previousAssigneeId, conversation: (await this.getConversation(conversationId))! };
  }

  async assignBatch(pairs: BatchAssignment[], options: BatchAssignOptions): Promise<BatchAssignResult> {
    const valid: BatchAssignment[] = [];
    const invalid: BatchAssignResult['refused'] = [];
    for (const pair of pairs) {
      if (isUuid(pair.conversationId) && isUuid(pair.agentId)) valid.push(pair);
      else invalid.push({ ...pair, reason: 'conversation_state' });
    }
    if (valid.length === 0) return { applied: [], refused: invalid };
    const result = this.transact
      ? await this.transact((tx) => applyAssignmentBatch(tx, valid, options))
      : await applyAssignmentBatch(this.sql, valid, options);
    return { applied: result.applied, refused: [...invalid, ...result.refused] };
  }

  async release(
    conversationId: string,
    to: 'closed' | 'queued' | 'bot',
    patch: ConversationPatch,
  ): Promise<{ conversation: ConversationRecord; previousAssigneeId: string | null } | null> {
    const previous = await this.prisma.$transaction(async (tx) => {
      const [conv] = await tx.$queryRawUnsafe<Row[]>(
        `SELECT status::text AS status, assignee_id FROM conversations WHERE id = $1::uuid FOR UPDATE`,
        conversationId,
      );
      if (!conv || conv.status === 'closed') return undefined;
      if (to === 'queued' && conv.status !== 'assigned') return undefined;
      const assignee: string | null = conv.assignee_id ?? null;
      if (assignee && conv.status === 'assigned') {
        await tx.$executeRawUnsafe(`UPDATE users SET active_count = GREATEST(active_count - 1, 0) WHERE id = $1::uuid`, assignee);
      }
      await tx.conversation.update({
        where: { id: conversationId },
        data: { ...patchData(patch), status: to, assigneeId: to === 'closed' ? assignee : null },
      });
      return assignee;
    });
    if (previous === undefined) return null;
    return { conversation: (await this.getConversation(conversationId))!, previousAssigneeId: previous };
  }

  async recordEvent(event: ConversationEventInput): Promise<void> {
    await this.prisma.conversationEvent.create({
      data: {
        conversationId: event.conversationId,
        type: event.type,
        fromStatus: event.fromStatus ?? null,
        toStatus: event.toStatus ?? null,
        actorType: event.actorType,
        actorId: event.actorId ?? null,
        data: (event.data ?? undefined) as never,
      },
    });
  }

  async getMessage(id: string): Promise<MessageRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.prisma.message.findUnique({ where: { id } });
    return row ? this.withSenderName(toMessage(row)) : null;
  }

  async updateDelivery(messageId: string, status: DeliveryStatus, failureReason?: string | null): Promise<MessageRecord | null> {
    if (!isUuid(messageId)) return null;
    const result = await this.prisma.message.updateMany({
      where: { id: messageId },
      data: { deliveryStatus: status, failureReason: failureReason ?? null },
    });
    return result.count ? this.getMessage(messageId) : null;
  }

  async getAgent(id: string): Promise<AgentRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.prisma.user.findUnique({ where: { id } });
    return row ? toAgent(row) : null;
  }
}

/** Inserts one message ($1–$12 from `messageParams`) unless its channel or client id exists. */
const insertMessageSql = `INSERT INTO messages (id, conversation_id, channel_id, sender, sender_id, kind, content, original_content,
    media_url, data, channel_message_id, client_message_id, delivery_status)
  VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::"SenderType", $4, $5::"MessageKind", $6, $7, $8, $9::jsonb, $10, $11, $12::"DeliveryStatus")
  ON CONFLICT DO NOTHING
  RETURNING *`;

function messageParams(input: NewMessage): unknown[] {
  return [
    input.conversationId,
    input.channelId,
    input.sender,
    input.senderId ?? null,
    input.kind,
    input.content ?? null,
    input.originalContent ?? null,
    input.mediaUrl ?? null,
    input.data ? JSON.stringify(input.data) : null,
    input.channelMessageId ?? null,
    input.clientMessageId ?? null,
    input.deliveryStatus,
  ];
}

/** A message and, unless it is a timeline event, its conversation's last-message fields (and a state patch, $13). */
const appendMessageSql = `WITH m AS (${insertMessageSql}), t AS (
     UPDATE conversations SET ${lastMessageSet('m.created_at', messagePreview, '$3')},
       state = CASE WHEN $13::jsonb IS NULL THEN state ELSE state || $13::jsonb END
     FROM m WHERE conversations.id = m.conversation_id AND m.kind <> 'event'
     RETURNING conversations.*
   )
   SELECT to_jsonb(m) AS message,
     (SELECT u.name FROM users u WHERE m.sender = 'agent' AND u.id::text = m.sender_id) AS sender_name,
     ${updatedConversationJson} AS conversation
   FROM m`;

const updateStatementNames = new Map<string, string>();

/** The prepared name of an update of these columns, hashed to stay within PostgreSQL's 63 characters. */
function updateStatementName(columns: string[]): string {
  const key = columns.join(',');
  let name = updateStatementNames.get(key);
  if (!name) updateStatementNames.set(key, (name = `kefu_update_conversation_${crypto.createHash('sha1').update(key).digest('hex').slice(0, 12)}`));
  return name;
}

/** Each patchable field's column and the cast its parameter needs. */
const patchColumns: Record<keyof ConversationPatch, { name: string; cast: string }> = {
  status: { name: 'status', cast: '::"ConversationStatus"' },
  assigneeId: { name: 'assignee_id', cast: '::uuid' },
  queuedAt: { name: 'queued_at', cast: '::timestamp' },
  assignedAt: { name: 'assigned_at', cast: '::timestamp' },
  closedAt: { name: 'closed_at', cast: '::timestamp' },
  closeReason: { name: 'close_reason', cast: '::text' },
  reachedHuman: { name: 'reached_human', cast: '::boolean' },
  botMisses: { name: 'bot_misses', cast: '::int' },
  priority: { name: 'priority', cast: '::int' },
  state: { name: 'state', cast: '::jsonb' },
};

function patchData(patch: ConversationPatch): Record<string, unknown> {
  const data: Record<string, unknown> = { ...patch };
  if (patch.state) data.state = patch.state as never;
  return data;
}

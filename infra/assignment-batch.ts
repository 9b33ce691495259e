import type { BatchAssignment, BatchAssignOptions, BatchAssignResult, BatchRefusal } from '../core/conversation/store.ts';
import type { ConversationRecord } from '../core/conversation/records.ts';
import type { SqlExecutor } from './database.ts';
import { toConversationRow, toMessage, type Row } from './conversation-rows.ts';

interface Claimed {
  conversationId: string;
  agentId: string;
  visitorId: string;
  channelId: string;
  channelType: ConversationRecord['channelType'];
  agentName: string | null;
}

/**
 * Applies a planned batch of assignments inside one transaction (`sql` is its session).
 *
 * It never waits for a lock, so it cannot deadlock with the single-conversation paths (pick,
 * transfer, close, intake) or another batch: it locks, skipping rows someone else holds,
 * 1. the planned conversations still in `from` (a held one is being picked, closed or touched by an
 *    intake): refused as `conversation_state`;
 * 2. the visitors of the conversations just locked (an intake holds its visitor first): the same;
 * 3. the agents (a held one is changing its load counter): refused as `agent_busy`.
 * Refused pairs come round again in the next drain. With everything locked the pairs are walked in
 * plan order against each agent's room left, and the applied ones are written set-based in one
 * statement: load counters, visitors' last agent, conversations, timeline events and system
 * messages (their `seq` follows the plan order).
 */
export async function applyAssignmentBatch(sql: SqlExecutor, pairs: BatchAssignment[], options: BatchAssignOptions): Promise<BatchAssignResult> {
  const conversationIds = [...new Set(pairs.map((p) => p.conversationId))];
  const agentIds = [...new Set(pairs.map((p) => p.agentId))];
  const conversations = new Map(
    (
      await sql.query<Row>(
        `SELECT c.id, c.visitor_id, c.channel_id, ch.type::text AS channel_type
         FROM conversations c JOIN channels ch ON ch.id = c.channel_id
         WHERE c.id = ANY($1::uuid[]) AND c.status::text = ANY($2::text[])
         FOR UPDATE OF c SKIP LOCKED`,
        [conversationIds, options.from],
      )
    ).map((r) => [r.id as string, r]),
  );
  const visitorIds = [...conversations.values()].map((r) => r.visitor_id as string);
  const visitors = new Set(
    visitorIds.length === 0
      ? []
      : (await sql.query<Row>(`SELECT id FROM visitors WHERE id = ANY($1::uuid[]) FOR UPDATE SKIP LOCKED`, [visitorIds])).map((r) => r.id as string),
  );
  const agents = new Map(
    (
      await sql.query<Row>(
        `SELECT id, name, status::text AS status, disabled, active_count, auto_accept_limit FROM users
         WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE SKIP LOCKED`,
        [agentIds],
      )
    ).map((r) => [r.id as string, r]),
  );
  const missing = agentIds.filter((id) => !agents.has(id));
  const busy = new Set(
    missing.length === 0 ? [] : (await sql.query<Row>(`SELECT id FROM users WHERE id = ANY($1::uuid[])`, [missing])).map((r) => r.id as string),
  );

  // Room left of each available agent (online, enabled, locked here).
  const room = new Map<string, number>();
  for (const agent of agents.values()) {
    if (agent.status === 'online' && !agent.disabled) room.set(agent.id, Number(agent.auto_accept_limit) - Number(agent.active_count));
  }
  const claimed: Claimed[] = [];
  const refused: BatchAssignResult['refused'] = [];
  const taken = new Set<string>();
  for (const pair of pairs) {
    const conversation = conversations.get(pair.conversationId);
    const left = room.get(pair.agentId);
    let reason: BatchRefusal | null = null;
    if (!conversation || taken.has(pair.conversationId) || !visitors.has(conversation.visitor_id)) reason = 'conversation_state';
    else if (busy.has(pair.agentId)) reason = 'agent_busy';
    else if (left === undefined) reason = 'agent_unavailable';
    else if (left <= 0) reason = 'over_limit';
    if (reason) {
      refused.push({ ...pair, reason });
      continue;
    }
    taken.add(pair.conversationId);
    room.set(pair.agentId, left! - 1);
    claimed.push({
      conversationId: pair.conversationId,
      agentId: pair.agentId,
      visitorId: conversation!.visitor_id,
      channelId: conversation!.channel_id,
      channelType: conversation!.channel_type,
      agentName: agents.get(pair.agentId)?.name ?? null,
    });
  }
  if (claimed.length === 0) return { applied: [], refused };

  const load = new Map<string, number>();
  for (const c of claimed) load.set(c.agentId, (load.get(c.agentId) ?? 0) + 1);
  const records = claimed.map((c) => options.records(c));
  // One statement for every write; the conversations come back as the joined read, built from the
  // rows the statement wrote (its snapshot of the tables predates them).
  const rows = await sql.query<Row>(
    `WITH p AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[]) WITH ORDINALITY AS p(conversation_id, agent_id, visitor_id, channel_id, ord)
     ), load AS (
       UPDATE users u SET active_count = u.active_count + l.n, last_assigned_at = now()
       FROM unnest($5::uuid[], $6::int[]) AS l(id, n) WHERE u.id = l.id
       RETURNING u.id, u.name
     ), vis AS (
       UPDATE visitors t SET last_agent_id = p.agent_id, last_agent_at = now() FROM p WHERE t.id = p.visitor_id
       RETURNING t.*
     ), c AS (
       UPDATE conversations t SET status = 'assigned', assignee_id = p.agent_id, assigned_at = now(), reached_human = true,
         priority = 0, updated_at = now()
       FROM p WHERE t.id = p.conversation_id
       RETURNING t.*
     ), ev AS (
       INSERT INTO conversation_events (conversation_id, type, from_status, to_status, actor_type, actor_id, data, created_at)
       SELECT p.conversation_id, e.type, e.from_status::"ConversationStatus", e.to_status::"ConversationStatus", e.actor_type,
         e.actor_id, e.data::jsonb, clock_timestamp()
       FROM p JOIN unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
         WITH ORDINALITY AS e(type, from_status, to_status, actor_type, actor_id, data, ord) ON e.ord = p.ord
       ORDER BY p.ord
     ), m AS (
       INSERT INTO messages (id, conversation_id, channel_id, sender, sender_id, kind, content, original_content, media_url, data,
         client_message_id, delivery_status, created_at)
       SELECT gen_random_uuid(), p.conversation_id, p.channel_id, x.sender::"SenderType", x.sender_id, x.kind::"MessageKind", x.content,
         x.original_content, x.media_url, x.data::jsonb, x.client_message_id, x.delivery_status::"DeliveryStatus", clock_timestamp()
       FROM p JOIN unnest($13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[])
         WITH ORDINALITY AS x(sender, sender_id, kind, content, original_content, media_url, data, client_message_id, delivery_status, ord)
         ON x.ord = p.ord
       ORDER BY p.ord
       RETURNING *
     )
     SELECT c.*, ch.type::text AS channel_type, load.name AS assignee_name, to_jsonb(vis) AS visitor_json, to_jsonb(m) AS message_json
     FROM c JOIN m ON m.conversation_id = c.id JOIN vis ON vis.id = c.visitor_id JOIN load ON load.id = c.assignee_id
       JOIN channels ch ON ch.id = c.channel_id`,
    [
      claimed.map((c) => c.conversationId),
      claimed.map((c) => c.agentId),
      claimed.map((c) => c.visitorId),
      claimed.map((c) => c.channelId),
      [...load.keys()],
      [...load.values()],
      records.map((r) => r.event.type),
      records.map((r) => r.event.fromStatus ?? null),
      records.map((r) => r.event.toStatus ?? null),
      records.map((r) => r.event.actorType),
      records.map((r) => r.event.actorId ?? null),
      records.map((r) => json(r.event.data)),
      records.map((r) => r.message.sender),
      records.map((r) => r.message.senderId ?? null),
      records.map((r) => r.message.kind),
      records.map((r) => r.message.content ?? null),
      records.map((r) => r.message.originalContent ?? null),
      records.map((r) => r.message.mediaUrl ?? null),
      records.map((r) => json(r.message.data)),
      records.map((r) => r.message.clientMessageId ?? null),
      records.map((r) => r.message.deliveryStatus),
    ],
  );
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  return {
    applied: claimed.map(({ conversationId }) => {
      const row = byId.get(conversationId)!;
      return { conversation: toConversationRow(row), message: toMessage(row.message_json) };
    }),
    refused,
  };
}

function json(value: Record<string, unknown> | null | undefined): string | null {
  return value ? JSON.stringify(value) : null;
}

import type { KnownIntake, KnownIntakeResult } from '../core/conversation/store.ts';
import type { SqlExecutor } from './database.ts';
import { lastMessageSet, messagePreview, toConversationRow, toMessage, type Row } from './conversation-rows.ts';

export type { KnownIntake, KnownIntakeResult };

/** See `intakeKnownBatch`. Prepared once per connection: planning it cost about as much as running it. */
const intakeBatchSql = `WITH i AS (
     SELECT * FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
       AS i(ord, channel_id, external_id, sender, kind, content, original_content, media_url, channel_message_id)
   ), r AS (
     SELECT i.*, v.id AS visitor_id, c.id AS conversation_id
     FROM i
     JOIN visitors v ON v.channel_id = i.channel_id AND v.external_id = i.external_id
     JOIN LATERAL (SELECT id FROM conversations WHERE visitor_id = v.id AND status <> 'closed' LIMIT 1) c ON true
   ), m AS (
     INSERT INTO messages (id, conversation_id, channel_id, sender, sender_id, kind, content, original_content,
       media_url, channel_message_id, delivery_status)
     SELECT gen_random_uuid(), r.conversation_id, r.channel_id, r.sender::"SenderType",
       CASE WHEN r.sender = 'visitor' THEN r.visitor_id::text END, r.kind::"MessageKind", r.content,
       r.original_content, r.media_url, r.channel_message_id, 'delivered'
     FROM r ORDER BY r.ord
     ON CONFLICT DO NOTHING
     RETURNING *
   ), t AS (
     UPDATE conversations SET ${lastMessageSet('m.created_at', messagePreview, 'm.sender')}
     FROM m WHERE conversations.id = m.conversation_id
     RETURNING conversations.*
   )
   SELECT m.channel_id, m.channel_message_id, to_jsonb(m) AS message, to_jsonb(x) AS conversation
   FROM m JOIN (
     SELECT t.*, ch.type::text AS channel_type, u.name AS assignee_name, to_jsonb(vv) AS visitor_json
     FROM t JOIN channels ch ON ch.id = t.channel_id JOIN visitors vv ON vv.id = t.visitor_id
     LEFT JOIN users u ON u.id = t.assignee_id
   ) x ON x.id = m.conversation_id`;

/**
 * Many known-visitor intakes in one statement: each found visitor's open conversation gets its
 * message (in the items' order, so `seq` follows arrival) and its last-message fields. A batch holds
 * at most one item per visitor (the batcher's key), so each conversation row is updated once.
 * An item whose visitor or open conversation is missing, or whose channel message id is already
 * stored, gets null: the caller takes the full path for it.
 */
export async function intakeKnownBatch(sql: SqlExecutor, items: KnownIntake[]): Promise<KnownIntakeResult[]> {
  const rows = await sql.query<Row>(
    intakeBatchSql,
    [
      items.map((_, i) => i),
      items.map((item) => item.channelId),
      items.map((item) => item.externalId),
      items.map((item) => item.sender),
      items.map((item) => item.kind),
      items.map((item) => item.content),
      items.map((item) => item.originalContent),
      items.map((item) => item.mediaUrl),
      items.map((item) => item.channelMessageId),
    ],
    'kefu_intake_known_batch',
  );
  const byMessageId = new Map<string, KnownIntakeResult>();
  for (const row of rows) {
    byMessageId.set(`${row.channel_id}\u0000${row.channel_message_id}`, {
      conversation: toConversationRow(row.conversation),
      message: toMessage(row.message),
    });
  }
  return items.map((item) => byMessageId.get(`${item.channelId}\u0000${item.channelMessageId}`) ?? null);
}

import { buildRecordWhere, type RecordCursor, type RecordFilter, type SqlFragment } from './record-filter.ts';

const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** One row of 会话记录: the conversation with its channel, visitor, agent and rating. Times are ISO strings (UTC). */
export interface RecordSummary {
  id: string;
  createdAt: string;
  closedAt: string | null;
  queuedAt: string | null;
  assignedAt: string | null;
  firstResponseAt: string | null;
  status: 'bot' | 'queued' | 'assigned' | 'closed';
  type: 'bot' | 'human';
  closeReason: string | null;
  channelId: string;
  channelName: string;
  channelType: string;
  visitorId: string;
  visitorName: string | null;
  agentId: string | null;
  agentName: string | null;
  rating: number | null;
  ratingComment: string | null;
  messageCount: number;
}

/**
 * Newest-first page of record summaries after `cursor`, with bound parameters. Keyset pagination on
 * (created_at, id) keeps every page as cheap as the first, which is what lets an export walk
 * 100,000 conversations without OFFSET.
 */
export function recordPageQuery(filter: RecordFilter, cursor: RecordCursor | null, limit: number): SqlFragment {
  const where = buildRecordWhere(filter, cursor);
  const sql = `
    SELECT c.id, ${iso('c.created_at')} AS "createdAt", ${iso('c.closed_at')} AS "closedAt",
           ${iso('c.queued_at')} AS "queuedAt", ${iso('c.assigned_at')} AS "assignedAt",
           ${iso('c.first_response_at')} AS "firstResponseAt", c.status::text AS status,
           CASE WHEN c.reached_human THEN 'human' ELSE 'bot' END AS type, c.close_reason AS "closeReason",
           c.channel_id AS "channelId", ch.name AS "channelName", ch.type::text AS "channelType",
           c.visitor_id AS "visitorId", v.name AS "visitorName", c.assignee_id AS "agentId", u.name AS "agentName",
           r.score AS rating, r.comment AS "ratingComment",
           (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.kind <> 'event')::int AS "messageCount"
      FROM conversations c
      JOIN channels ch ON ch.id = c.channel_id
      JOIN visitors v ON v.id = c.visitor_id
      LEFT JOIN users u ON u.id = c.assignee_id
      LEFT JOIN satisfaction_ratings r ON r.conversation_id = c.id
      ${where.sql}
     ORDER BY c.created_at DESC, c.id DESC
     LIMIT ${Math.max(1, Math.min(5000, Math.floor(limit)))}`;
  return { sql, params: where.params };
}

/** Number of conversations matching the filter. */
export function recordCountQuery(filter: RecordFilter): SqlFragment {
  const where = buildRecordWhere(filter);
  return {
    sql: `SELECT count(*)::int AS n FROM conversations c JOIN visitors v ON v.id = c.visitor_id
          LEFT JOIN satisfaction_ratings r ON r.conversation_id = c.id ${where.sql}`,
    params: where.params,
  };
}

/** A transcript line of the export. */
export interface TranscriptLine {
  conversationId: string;
  createdAt: string;
  sender: 'visitor' | 'bot' | 'agent' | 'system';
  senderName: string | null;
  kind: string;
  content: string | null;
  mediaUrl: string | null;
}

/** Every message of the given conversations, grouped by conversation, in order (`$1` is a uuid[]). */
export const transcriptQuery = `
  SELECT m.conversation_id AS "conversationId", ${iso('m.created_at')} AS "createdAt", m.sender::text AS sender,
         u.name AS "senderName", m.kind::text AS kind, m.content, m.media_url AS "mediaUrl"
    FROM messages m
    LEFT JOIN users u ON m.sender = 'agent' AND u.id::text = m.sender_id
   WHERE m.conversation_id = ANY($1::uuid[])
   ORDER BY m.conversation_id, m.seq`;

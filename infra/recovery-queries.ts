import type { TimerSnapshot } from '../core/routing/routing-timers.ts';
import type { SqlExecutor } from './database.ts';

/** A message whose outbound delivery has not been recorded yet. */
export interface PendingDelivery {
  id: string;
  channelType: string;
}

/** Outbound messages (not timeline events) still `pending`, stored more than `olderThanMs` ago (partial index messages_pending_delivery). */
export async function pendingDeliveries(sql: SqlExecutor, olderThanMs: number, limit: number, after?: Date): Promise<(PendingDelivery & { createdAt: Date })[]> {
  return sql.query<PendingDelivery & { createdAt: Date }>(
    `SELECT m.id, c.type::text AS "channelType", m.created_at AS "createdAt"
       FROM messages m JOIN channels c ON c.id = m.channel_id
      WHERE m.delivery_status = 'pending' AND m.kind <> 'event'
        AND m.created_at < now() - make_interval(secs => $1::double precision / 1000)
        AND ($3::timestamptz IS NULL OR m.created_at > $3::timestamptz)
      ORDER BY m.created_at
      LIMIT $2`,
    [olderThanMs, limit, after ?? null],
  );
}

interface SnapshotRow {
  id: string;
  status: TimerSnapshot['status'];
  assigneeId: string | null;
  queuedAt: Date | null;
  assignedAt: Date | null;
  lastMessageAt: Date | null;
  unansweredSince: Date | null;
  ratingExpiresAt: string | null;
}

/**
 * One page (keyset on id) of the conversations that may have timers: every open one, and closed ones
 * with an open satisfaction invitation. `unansweredSince` is the first visitor message after the
 * assignee's last reply (or the assignment), which is when the no-reply timer started.
 */
export async function timerSnapshots(sql: SqlExecutor, afterId: string | null, limit: number): Promise<TimerSnapshot[]> {
  const rows = await sql.query<SnapshotRow>(
    `SELECT c.id, c.status::text AS status, c.assignee_id AS "assigneeId", c.queued_at AS "queuedAt",
            c.assigned_at AS "assignedAt", c.last_message_at AS "lastMessageAt",
            CASE WHEN c.status = 'assigned' THEN (
              SELECT min(m.created_at) FROM messages m
               WHERE m.conversation_id = c.id AND m.sender = 'visitor' AND m.kind <> 'event'
                 AND m.created_at > GREATEST(c.assigned_at, c.last_agent_message_at)
            ) END AS "unansweredSince",
            CASE WHEN c.status = 'closed' THEN c.state->>'ratingExpiresAt' END AS "ratingExpiresAt"
       FROM conversations c
      WHERE (c.status IN ('bot', 'queued', 'assigned') OR (c.status = 'closed' AND c.state ? 'ratingExpiresAt'))
        AND ($1::uuid IS NULL OR c.id > $1::uuid)
      ORDER BY c.id
      LIMIT $2`,
    [afterId, limit],
  );
  return rows;
}

/** Enabled WeCom channels, whose kf/sync_msg pulls are re-requested after the job queue lost its data. */
export async function enabledChannelIds(sql: SqlExecutor, type: string): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(`SELECT id FROM channels WHERE type::text = $1 AND enabled ORDER BY id`, [type]);
  return rows.map((r) => r.id);
}

/**
 * WeCom conversations Kefu closed within the last `withinHours` that are still their visitor's latest:
 * their \`wecom-close\` job (end the WeCom session, send the end message or rating menu) may have been lost.
 * The handler asks WeCom for the session state first, so one already ended is left alone.
 */
export async function recentlyClosedWecom(sql: SqlExecutor, withinHours: number): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `SELECT c.id FROM conversations c JOIN channels ch ON ch.id = c.channel_id
      WHERE ch.type = 'wecom' AND ch.enabled AND c.status = 'closed'
        AND c.closed_at > (now() AT TIME ZONE 'UTC') - make_interval(hours => $1::int)
        AND NOT EXISTS (SELECT 1 FROM conversations n WHERE n.visitor_id = c.visitor_id AND n.created_at > c.created_at)
      ORDER BY c.closed_at`,
    [withinHours],
  );
  return rows.map((r) => r.id);
}

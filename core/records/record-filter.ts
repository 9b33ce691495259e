import { z } from 'zod';

const isoDate = z
  .string()
  .trim()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date (YYYY-MM-DD or ISO 8601)');

/**
 * Filters of 会话记录 and its export. `type=human` is every conversation that ever reached a human
 * (a bot session that was handed off counts as human); `type=bot` is the rest. `from`/`to` bound the
 * creation time (`to` is exclusive); a bare date means midnight UTC.
 */
export const recordFilterSchema = z.object({
  type: z.enum(['bot', 'human']).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  channelId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  status: z.enum(['bot', 'queued', 'assigned', 'closed']).optional(),
  rating: z.coerce.number().int().min(1).max(5).optional(),
  /** Keyword in the visitor's name or in any message of the transcript. */
  q: z.string().trim().min(1).max(100).optional(),
});
export type RecordFilter = z.infer<typeof recordFilterSchema>;

/** Keyset position in the newest-first order: the last row of the previous page. */
export interface RecordCursor {
  createdAt: string;
  id: string;
}

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/**
 * The WHERE clause of a records query over `conversations c` left-joined to
 * `satisfaction_ratings r` and `visitors v`. Values are bound parameters numbered from
 * `firstParam`; timestamps are compared in UTC, as they are stored.
 */
export function buildRecordWhere(filter: RecordFilter, cursor?: RecordCursor | null, firstParam = 1): SqlFragment {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const utc = (value: string) => `(${bind(new Date(value).toISOString())}::timestamptz AT TIME ZONE 'UTC')`;
  if (filter.type) clauses.push(`c.reached_human = ${filter.type === 'human' ? 'true' : 'false'}`);
  if (filter.from) clauses.push(`c.created_at >= ${utc(filter.from)}`);
  if (filter.to) clauses.push(`c.created_at < ${utc(filter.to)}`);
  if (filter.channelId) clauses.push(`c.channel_id = ${bind(filter.channelId)}::uuid`);
  if (filter.agentId) clauses.push(`c.assignee_id = ${bind(filter.agentId)}::uuid`);
  if (filter.status) clauses.push(`c.status = ${bind(filter.status)}::"ConversationStatus"`);
  if (filter.rating) clauses.push(`r.score = ${bind(filter.rating)}::int`);
  if (filter.q) {
    const pattern = bind(`%${escapeLike(filter.q)}%`);
    clauses.push(
      `(v.name ILIKE ${pattern} OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content ILIKE ${pattern}))`,
    );
  }
  if (cursor) {
    const at = utc(cursor.createdAt);
    const id = bind(cursor.id);
    clauses.push(`(c.created_at, c.id) < (${at}, ${id}::uuid)`);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** Opaque page cursor for the API. */
export function encodeCursor(cursor: RecordCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string | undefined | null): RecordCursor | null {
  if (!text) return null;
  const [createdAt, id] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  return { createdAt, id };
}

import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const date = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date');
const timeZone = z
  .string()
  .max(64)
  .refine((v) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: v });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone, e.g. Asia/Shanghai');
const query = z.object({ from: date.optional(), to: date.optional(), tz: timeZone.optional() });
const MAX_DAYS = 366;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A range bound as a wall-clock time and its zone: a date alone (2026-11-19) is that day's midnight
 * in the viewer's zone; a full timestamp is its own instant.
 */
function bound(input: string | undefined, fallback: Date, tz: string): { at: Date; wall: string; zone: string } {
  if (input && DATE_ONLY.test(input)) return { at: new Date(`${input}T00:00:00Z`), wall: `${input}T00:00:00`, zone: tz };
  const at = input ? new Date(input) : fallback;
  return { at, wall: at.toISOString().slice(0, -1), zone: 'UTC' };
}

// Columns hold UTC wall-clock time; bounds are converted from their zone to UTC in SQL.
const utc = (wall: number, zone: number) => `(($${wall}::timestamp AT TIME ZONE $${zone}) AT TIME ZONE 'UTC')`;
const range = (column: string) => `${column} >= ${utc(1, 2)} AND ${column} < ${utc(3, 4)}`;

const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

/**
 * Dashboard figures for a time range (`to` exclusive; default the last 7 days; at most a year; dates
 * and day buckets in the viewer's `tz`, default UTC):
 * conversations per day by channel, bot-resolved vs handed-off, queue wait and first response
 * percentiles in seconds, the satisfaction distribution, per-agent load and ratings, and live
 * counters. Every figure is one SQL aggregate bounded by the creation-time index.
 */
export function dashboardRoutes(api: ApiRouter, app: AppContext): void {
  api.get('/api/dashboard', { summary: 'Admin: dashboard aggregates (?from&to)', access: 'admin', tag: 'dashboard' }, async (ctx) => {
    requireAdmin(ctx);
    const input = parseInput(query, ctx.query);
    const tz = input.tz ?? 'UTC';
    const to = bound(input.to, new Date(), tz);
    const from = bound(input.from, new Date(to.at.getTime() - 7 * 86400_000), tz);
    if (from.at >= to.at) throw new AppError('validation_failed', { userMessage: 'from: must be before to', details: { field: 'from' } });
    if (to.at.getTime() - from.at.getTime() > MAX_DAYS * 86400_000) {
      throw new AppError('validation_failed', { userMessage: `to: the range can span at most ${MAX_DAYS} days`, details: { field: 'to' } });
    }
    const params = [from.wall, from.zone, to.wall, to.zone];
    const q = <T>(sql: string, p: unknown[] = params) => app.db.sql.query<T>(sql, p);

    const [perDay, outcome, wait, firstResponse, satisfaction, agents, live] = await Promise.all([
      q<{ day: string; channelId: string; channelName: string; channelType: string; count: number }>(`
        SELECT to_char(date_trunc('day', (c.created_at AT TIME ZONE 'UTC') AT TIME ZONE $5), 'YYYY-MM-DD') AS day,
               c.channel_id AS "channelId", ch.name AS "channelName", ch.type::text AS "channelType", count(*)::int AS count
          FROM conversations c JOIN channels ch ON ch.id = c.channel_id
         WHERE ${range('c.created_at')}
         GROUP BY 1, 2, 3, 4 ORDER BY 1, 3`, [...params, tz]),
      q<{ total: number; botResolved: number; handedOff: number }>(`
        SELECT count(*)::int AS total, (count(*) FILTER (WHERE NOT c.reached_human))::int AS "botResolved",
               (count(*) FILTER (WHERE c.reached_human))::int AS "handedOff"
          FROM conversations c WHERE ${range('c.created_at')}`),
      // A re-routed conversation is re-queued at the epoch to go first; its wait is not a queue wait.
      q<{ p50: number | null; p90: number | null; avg: number | null; n: number }>(`
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY w) AS p90,
               avg(w) AS avg, count(*)::int AS n
          FROM (SELECT EXTRACT(EPOCH FROM (c.assigned_at - c.queued_at)) AS w FROM conversations c
                 WHERE ${range('c.created_at')} AND c.assigned_at IS NOT NULL AND c.queued_at > timestamp '2000-01-01'
                   AND c.assigned_at >= c.queued_at) s`),
      q<{ p50: number | null; p90: number | null; avg: number | null; n: number }>(`
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY w) AS p90,
               avg(w) AS avg, count(*)::int AS n
          FROM (SELECT EXTRACT(EPOCH FROM (c.first_response_at - COALESCE(c.assigned_at, c.created_at))) AS w FROM conversations c
                 WHERE ${range('c.created_at')} AND c.first_response_at IS NOT NULL
                   AND c.first_response_at >= COALESCE(c.assigned_at, c.created_at)) s`),
      q<{ score: number; count: number }>(`
        SELECT r.score::int AS score, count(*)::int AS count FROM satisfaction_ratings r
         WHERE ${range('r.created_at')} GROUP BY r.score ORDER BY r.score`),
      q<{ id: string; name: string; status: string; activeCount: number; autoAcceptLimit: number; conversations: number; ratings: number; avgRating: number | null }>(`
        SELECT u.id, u.name, u.status::text AS status, u.active_count AS "activeCount", u.auto_accept_limit AS "autoAcceptLimit",
               count(c.id)::int AS conversations, count(r.id)::int AS ratings, avg(r.score) AS "avgRating"
          FROM users u
          LEFT JOIN conversations c ON c.assignee_id = u.id AND ${range('c.created_at')}
          LEFT JOIN satisfaction_ratings r ON r.conversation_id = c.id
         WHERE NOT u.disabled
         GROUP BY u.id ORDER BY conversations DESC, u.name`),
      q<{ agentsOnline: number; queued: number; active: number; bot: number }>(`
        SELECT (SELECT count(*) FROM users WHERE status = 'online' AND NOT disabled)::int AS "agentsOnline",
               (SELECT count(*) FROM conversations WHERE status = 'queued')::int AS queued,
               (SELECT count(*) FROM conversations WHERE status = 'assigned')::int AS active,
               (SELECT count(*) FROM conversations WHERE status = 'bot')::int AS bot`, []),
    ]);
    const stats = (row: { p50: number | null; p90: number | null; avg: number | null; n: number } | undefined) => ({
      p50: num(row?.p50),
      p90: num(row?.p90),
      avg: num(row?.avg),
      count: row?.n ?? 0,
    });
    const distribution = [1, 2, 3, 4, 5].map((score) => ({ score, count: satisfaction.find((s) => Number(s.score) === score)?.count ?? 0 }));
    return {
      from: input.from ?? from.at.toISOString(),
      to: input.to ?? to.at.toISOString(),
      tz,
      perDay,
      outcome: outcome[0] ?? { total: 0, botResolved: 0, handedOff: 0 },
      queueWaitSeconds: stats(wait[0]),
      firstResponseSeconds: stats(firstResponse[0]),
      satisfaction: distribution,
      agents: agents.map((a) => ({ ...a, avgRating: num(a.avgRating) })),
      live: live[0],
    };
  });
}

import type {
  EligibleAgent,
  OfflineMessageInput,
  QueuedConversation,
  RatingInput,
  RoutingStore,
} from '../core/routing/routing-store.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';
import type { SqlExecutor } from './database.ts';

type Row = Record<string, any>;

const date = (value: unknown): Date | null => (value === null || value === undefined ? null : value instanceof Date ? value : new Date(value as string));

/** The routing engine's queries on PostgreSQL (or PGlite). */
export class PrismaRoutingStore implements RoutingStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlExecutor,
  ) {}

  async eligibleAgents(): Promise<EligibleAgent[]> {
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `SELECT id, active_count, auto_accept_limit, last_assigned_at FROM users
       WHERE status = 'online' AND NOT disabled AND active_count < auto_accept_limit`,
    );
    return rows.map((r) => ({
      id: r.id,
      activeCount: Number(r.active_count),
      autoAcceptLimit: Number(r.auto_accept_limit),
      lastAssignedAt: date(r.last_assigned_at),
    }));
  }

  /** Asked on every message while nobody is online: a prepared statement, not a Prisma query. */
  async countOnlineAgents(): Promise<number> {
    const [row] = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE status = 'online' AND NOT disabled`, [], 'kefu_count_online_agents');
    return Number(row?.n ?? 0);
  }

  async queuedConversations(limit: number): Promise<QueuedConversation[]> {
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `SELECT c.id, c.visitor_id, c.priority, v.last_agent_id, v.last_agent_at
       FROM conversations c JOIN visitors v ON v.id = c.visitor_id
       WHERE c.status = 'queued' ORDER BY c.priority, c.queued_at NULLS LAST, c.created_at LIMIT $1`,
      limit,
    );
    return rows.map((r) => ({
      id: r.id,
      visitorId: r.visitor_id,
      priority: Number(r.priority),
      lastAgentId: r.last_agent_id ?? null,
      lastAgentAt: date(r.last_agent_at),
    }));
  }

  async recentAssignmentGapsMs(limit: number): Promise<number[]> {
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `SELECT assigned_at FROM conversations WHERE assigned_at > now() - interval '2 hours' ORDER BY assigned_at DESC LIMIT $1`,
      limit + 1,
    );
    const times = rows.map((r) => date(r.assigned_at)!.getTime());
    return times.slice(1).map((t, i) => times[i] - t);
  }

  async queuePosition(conversationId: string): Promise<number | null> {
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `SELECT (SELECT count(*) FROM conversations o WHERE o.status = 'queued'
                 AND (o.priority < c.priority OR (o.priority = c.priority AND o.queued_at < c.queued_at))) AS ahead
       FROM conversations c WHERE c.id = $1::uuid AND c.status = 'queued'`,
      conversationId,
    );
    return rows.length ? Number(rows[0].ahead) + 1 : null;
  }

  async createOfflineMessage(input: OfflineMessageInput): Promise<{ id: string; createdAt: Date }> {
    const row = await this.prisma.offlineMessage.create({
      data: {
        visitorId: input.visitorId,
        channelId: input.channelId,
        conversationId: input.conversationId,
        phone: input.phone ?? null,
        email: input.email ?? null,
        name: input.name ?? null,
        content: input.content,
      },
    });
    return { id: row.id, createdAt: row.createdAt };
  }

  async createRating(input: RatingInput): Promise<boolean> {
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `INSERT INTO satisfaction_ratings (id, conversation_id, agent_id, score, tags, comment)
       VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3, $4::text[], $5)
       ON CONFLICT (conversation_id) DO NOTHING RETURNING id`,
      input.conversationId,
      input.agentId,
      input.score,
      input.tags,
      input.comment,
    );
    return rows.length === 1;
  }

  async hasRating(conversationId: string): Promise<boolean> {
    return (await this.prisma.satisfactionRating.count({ where: { conversationId } })) > 0;
  }

  async findOpenRatingInvitation(visitor: { channelId: string; externalId: string }, at: Date): Promise<string | null> {
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `SELECT c.id FROM conversations c JOIN visitors v ON v.id = c.visitor_id
       WHERE v.channel_id = $1::uuid AND v.external_id = $2 AND c.status = 'closed'
         AND c.state->>'ratingExpiresAt' IS NOT NULL AND (c.state->>'ratingExpiresAt')::timestamptz > $3::timestamptz
       ORDER BY c.closed_at DESC LIMIT 1`,
      visitor.channelId,
      visitor.externalId,
      at.toISOString(),
    );
    return rows[0]?.id ?? null;
  }
}

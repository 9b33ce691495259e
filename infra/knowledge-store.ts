import type { SqlExecutor } from './database.ts';
import { isUuid } from '../core/ids.ts';
import type {
  KnowledgeItemInput,
  KnowledgeItemPatch,
  KnowledgeItemRecord,
  KnowledgeStore,
  KnowledgeVocabulary,
} from '../core/knowledge/knowledge-service.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';

const USER_WORDS_KEY = 'knowledge.userWords';
const SYNONYMS_KEY = 'knowledge.synonyms';

/** Knowledge items in `knowledge_items`; the admin vocabulary in `settings` (knowledge.userWords / knowledge.synonyms). */
export class PrismaKnowledgeStore implements KnowledgeStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlExecutor,
  ) {}

  listAll(): Promise<KnowledgeItemRecord[]> {
    return this.prisma.knowledgeItem.findMany({ orderBy: { createdAt: 'asc' } });
  }

  async get(id: string): Promise<KnowledgeItemRecord | null> {
    if (!isUuid(id)) return null;
    return this.prisma.knowledgeItem.findUnique({ where: { id } });
  }

  create(input: KnowledgeItemInput): Promise<KnowledgeItemRecord> {
    return this.prisma.knowledgeItem.create({ data: { ...input, phrasings: input.phrasings ?? [] } });
  }

  async createMany(inputs: KnowledgeItemInput[]): Promise<string[]> {
    const rows = await this.prisma.$transaction(inputs.map((input) => this.prisma.knowledgeItem.create({ data: { ...input, phrasings: input.phrasings ?? [] }, select: { id: true } })));
    return rows.map((row) => row.id);
  }

  async update(id: string, patch: KnowledgeItemPatch): Promise<KnowledgeItemRecord | null> {
    if (!isUuid(id)) return null;
    const result = await this.prisma.knowledgeItem.updateMany({ where: { id }, data: patch });
    return result.count === 0 ? null : this.get(id);
  }

  async remove(id: string): Promise<KnowledgeItemRecord | null> {
    const row = await this.get(id);
    if (!row) return null;
    await this.prisma.knowledgeItem.deleteMany({ where: { id } });
    return row;
  }

  async setEnabled(ids: string[], enabled: boolean): Promise<string[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    await this.prisma.knowledgeItem.updateMany({ where: { id: { in: valid } }, data: { enabled } });
    const rows = await this.prisma.knowledgeItem.findMany({ where: { id: { in: valid } }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  async appendPhrasing(id: string, phrasing: string, pending: boolean): Promise<KnowledgeItemRecord | null> {
    if (!isUuid(id)) return null;
    // One statement, so two agents teaching the same item at once cannot overwrite each other.
    const column = pending ? 'pending_phrasings' : 'phrasings';
    const rows = await this.sql.query<{ id: string }>(
      `UPDATE knowledge_items SET ${column} = array_append(${column}, $2::text), updated_at = now()
        WHERE id = $1::uuid AND NOT ($2::text = ANY(phrasings)) AND NOT ($2::text = ANY(pending_phrasings)) RETURNING id`,
      [id, phrasing],
    );
    return rows.length === 0 ? null : this.get(id);
  }

  async readVocabulary(): Promise<KnowledgeVocabulary> {
    const rows = await this.prisma.setting.findMany({ where: { key: { in: [USER_WORDS_KEY, SYNONYMS_KEY] } } });
    const value = (key: string) => rows.find((row) => row.key === key)?.value;
    const words = value(USER_WORDS_KEY);
    const groups = value(SYNONYMS_KEY);
    return {
      userWords: Array.isArray(words) ? words.filter((w): w is string => typeof w === 'string') : [],
      synonyms: Array.isArray(groups)
        ? groups.filter(Array.isArray).map((group) => (group as unknown[]).filter((w): w is string => typeof w === 'string'))
        : [],
    };
  }

  async writeVocabulary(vocabulary: KnowledgeVocabulary, updatedBy: string | null): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.setting.upsert({
        where: { key: USER_WORDS_KEY },
        create: { key: USER_WORDS_KEY, value: vocabulary.userWords, updatedBy },
        update: { value: vocabulary.userWords, updatedBy },
      }),
      this.prisma.setting.upsert({
        where: { key: SYNONYMS_KEY },
        create: { key: SYNONYMS_KEY, value: vocabulary.synonyms, updatedBy },
        update: { value: vocabulary.synonyms, updatedBy },
      }),
    ]);
  }

  /** Questions offered by the conversation's latest bot message (您是不是想问), or none. */
  async lastSuggestions(conversationId: string): Promise<string[]> {
    if (!isUuid(conversationId)) return [];
    const last = await this.prisma.message.findFirst({
      where: { conversationId, sender: 'bot', kind: { not: 'event' } },
      orderBy: { seq: 'desc' },
      select: { data: true },
    });
    const suggestions = (last?.data as { suggestions?: unknown } | null)?.suggestions;
    if (!Array.isArray(suggestions)) return [];
    return suggestions.map((s) => (typeof s === 'string' ? s : typeof s?.question === 'string' ? s.question : '')).filter(Boolean);
  }

  /** The visitor's latest text message before `beforeSeq` in the conversation. */
  async lastVisitorQuestion(conversationId: string, beforeSeq: number): Promise<string | null> {
    const row = await this.prisma.message.findFirst({
      where: { conversationId, sender: 'visitor', kind: 'text', seq: { lt: BigInt(beforeSeq) } },
      orderBy: { seq: 'desc' },
      select: { content: true },
    });
    return row?.content ?? null;
  }

  /** Records one bot decision as a conversation event (`bot_reply`), read by the answer-rate statistics. */
  async recordBotReply(conversationId: string, data: Record<string, unknown>): Promise<void> {
    await this.prisma.conversationEvent.create({ data: { conversationId, type: 'bot_reply', actorType: 'bot', data: data as never } });
  }

  /** Bot decisions per day and kind since `since`. */
  async botReplyStats(since: Date): Promise<{ day: string; kind: string; count: number }[]> {
    const rows = await this.sql.query<{ day: string; kind: string | null; count: number | string }>(
      `SELECT to_char(date_trunc('day', created_at), 'YYYY-MM-DD') AS day, data->>'kind' AS kind, count(*)::int AS count
         FROM conversation_events WHERE type = 'bot_reply' AND created_at >= $1 GROUP BY 1, 2 ORDER BY 1`,
      [since.toISOString()],
    );
    return rows.map((row) => ({ day: row.day, kind: row.kind ?? 'unknown', count: Number(row.count) }));
  }
}

import type { ConnectorRegistry } from '../app/connectors.ts';
import { channelTypes, type ChannelType } from '../connectors/connector.ts';
import { checkSendAllowed } from '../connectors/send-guard.ts';
import type { ConversationService } from '../core/conversation/conversation-service.ts';
import type { ConversationStore } from '../core/conversation/store.ts';
import { estimateWaitMinutes, renderQueuePrompt } from '../core/routing/queue-estimate.ts';
import type { Settings } from '../core/settings/settings-schema.ts';
import type { PrismaRoutingStore } from '../infra/routing-store.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';
import { countSentSinceVisitor } from './deliver-message.ts';

/** The `queue-updates` job: one walk over the queued conversations of channels without a live position. */
export const queueUpdatesJob = 'queue-updates';

export interface QueueUpdateDeps {
  prisma: PrismaClient;
  store: ConversationStore;
  conversations: ConversationService;
  connectors: ConnectorRegistry;
  routing: Pick<PrismaRoutingStore, 'recentAssignmentGapsMs' | 'countOnlineAgents'>;
  queueSettings: () => Promise<Settings['queue']>;
  /** KEFU_TIMER_SCALE: minutes of `updateIntervalMinutes` become minutes × 60 000 × scale ms. */
  timerScale: number;
  now?: () => Date;
}

/** What the walk knows of one queued conversation. */
export interface QueuedPlace {
  /** 1-based place in the queue now. */
  place: number;
  /** The place last told to the visitor (the routing prompt or an earlier update), if any. */
  lastToldPlace: number | null;
  /** When the visitor was last told (or queued, before any update). */
  lastToldAt: Date | null;
}

/**
 * Whether a queued visitor gets a position update now: the place changed since it was last told, and
 * at least `intervalMs` passed since then.
 */
export function shouldSendQueueUpdate(place: QueuedPlace, intervalMs: number, now: Date): boolean {
  if (place.lastToldPlace === place.place) return false;
  return place.lastToldAt === null || now.getTime() - place.lastToldAt.getTime() >= intervalMs;
}

interface Row {
  id: string;
  place: bigint | number;
  state: Record<string, unknown> | null;
  queued_at: Date | null;
  prompted_place: number | null;
}

/**
 * The `queue-updates` handler: tells visitors of channels whose capabilities lack `liveQueuePosition`
 * their new place (the queue prompt) when it changed, at most every `queue.updateIntervalMinutes`.
 * The place told is kept in the conversation state (`queueUpdatePlace`, `queueUpdateAt`) and written
 * before the message goes out, so overlapping walks do not tell it twice. A visitor whose channel
 * budget is spent (WeCom: 5 messages) is skipped rather than given a message that must fail.
 * Returns how many updates were sent.
 */
export function createQueueUpdateHandler(deps: QueueUpdateDeps) {
  const now = deps.now ?? (() => new Date());
  return async (): Promise<number> => {
    const types = channelTypes.filter((type) => {
      const capabilities = deps.connectors.get(type)?.capabilities;
      return capabilities !== undefined && !capabilities.liveQueuePosition;
    });
    if (types.length === 0) return 0;
    const queue = await deps.queueSettings();
    const intervalMs = Math.max(1, Math.round(queue.updateIntervalMinutes * 60_000 * deps.timerScale));
    const rows = await deps.prisma.$queryRawUnsafe<Row[]>(
      `SELECT q.id, q.place, c.state, c.queued_at,
              (SELECT (m.data->>'queuePosition')::int FROM messages m
                WHERE m.conversation_id = c.id AND m.data ? 'queuePosition' ORDER BY m.seq DESC LIMIT 1) AS prompted_place
       FROM (SELECT id, row_number() OVER (ORDER BY priority, queued_at, id) AS place FROM conversations WHERE status = 'queued') q
       JOIN conversations c ON c.id = q.id
       JOIN channels ch ON ch.id = c.channel_id
       WHERE ch.type::text = ANY($1::text[])
       ORDER BY q.place`,
      types,
    );
    let sent = 0;
    let online: number | undefined;
    let gaps: number[] | undefined;
    for (const row of rows) {
      const state = row.state ?? {};
      const toldAt = typeof state.queueUpdateAt === 'string' ? new Date(state.queueUpdateAt) : row.queued_at;
      const told = typeof state.queueUpdatePlace === 'number' ? state.queueUpdatePlace : row.prompted_place;
      const place = Number(row.place);
      if (!shouldSendQueueUpdate({ place, lastToldPlace: told, lastToldAt: toldAt }, intervalMs, now())) continue;
      const conversation = await deps.store.getConversation(row.id);
      if (!conversation || conversation.status !== 'queued') continue;
      const capabilities = deps.connectors.get(conversation.channelType as ChannelType)?.capabilities;
      if (!capabilities) continue;
      const sentSinceVisitor = capabilities.messageQuota === null ? 0 : await countSentSinceVisitor(deps.prisma, conversation.id);
      if (checkSendAllowed({ ...conversation, sentSinceVisitor }, capabilities, now())) continue;
      const updated = await deps.store.updateConversation(conversation.id, ['queued'], {
        state: { ...conversation.state, queueUpdatePlace: place, queueUpdateAt: now().toISOString() },
      });
      if (!updated) continue;
      online ??= await deps.routing.countOnlineAgents();
      gaps ??= await deps.routing.recentAssignmentGapsMs(20);
      const eta = estimateWaitMinutes(place - 1, gaps, online);
      await deps.conversations.sendAutomatic(conversation.id, 'system', {
        text: renderQueuePrompt(queue.prompt, { position: place - 1, eta }),
        data: { queuePosition: place, ahead: place - 1, eta, queueUpdate: true },
      });
      sent += 1;
    }
    return sent;
  };
}
